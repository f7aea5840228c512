package template

// Channels a template renders for.
const (
	ChannelEmail = "email"
	ChannelSMS   = "sms"
)

// Message is a rendered template.
type Message struct {
	// Channel is email or sms.
	Channel string `json:"channel"`
	// Subject, HTML and Text are set for email.
	Subject string `json:"subject,omitempty"`
	HTML    string `json:"html,omitempty"`
	Text    string `json:"text,omitempty"`
	// Body, Encoding (GSM-7 or UCS-2) and Segments are set for SMS.
	Body     string `json:"body,omitempty"`
	Encoding string `json:"encoding,omitempty"`
	Segments int    `json:"segments,omitempty"`
	// Warnings are things a person should look at: an SMS over 3 segments,
	// a value the template expected and the data lacked.
	Warnings []string `json:"warnings,omitempty"`
}
