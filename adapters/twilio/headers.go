package twilio

// Header names.
const (
	// HeaderSignature carries Twilio's request signature on webhooks.
	HeaderSignature = "X-Twilio-Signature"
	// headerRetryAfter is read on 429 answers.
	headerRetryAfter = "Retry-After"
	// headerContentType is set on webhook answers.
	headerContentType = "Content-Type"
)
