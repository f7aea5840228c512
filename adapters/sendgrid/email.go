package sendgrid

import (
	"errors"
	"fmt"
	"strings"

	"github.com/sendgrid/sendgrid-go/helpers/mail"
)

// Address is a mailbox: an optional display name and an address.
type Address struct {
	Name    string
	Address string
}

// Email is one message to one recipient.
type Email struct {
	// MessageID is Boomerang's id of the message (run and step). Required.
	// It goes into the personalization's custom args as
	// boomerang_message_id, so every Event Webhook event carries it back.
	MessageID string
	// From is the sender: a verified sender or an authenticated domain.
	// Its Address is required.
	From Address
	// ReplyTo is the reply address; zero for none.
	ReplyTo Address
	// To and ToName are the recipient. To is required.
	To     string
	ToName string
	// Subject, HTML and Text are the content when TemplateID is empty:
	// Subject and at least one of HTML and Text are then required.
	Subject string
	HTML    string
	Text    string
	// Headers are extra message headers, such as List-Unsubscribe and
	// List-Unsubscribe-Post.
	Headers map[string]string
	// Categories label the message in SendGrid's statistics (at most 10;
	// never personal data).
	Categories []string
	// CustomArgs come back on every event about the message, beside
	// boomerang_message_id (which MessageID sets, overriding a key of that
	// name here). Opaque ids only: SendGrid keeps them long-term.
	CustomArgs map[string]string
	// TemplateID is a dynamic template ("d-…"), rendered by SendGrid with
	// TemplateData. With a template, Subject, HTML and Text must be empty.
	TemplateID   string
	TemplateData map[string]any
}

// validate reports what makes e unsendable.
func (e *Email) validate() error {
	var problems []string
	if e.MessageID == "" {
		problems = append(problems, "MessageID is required")
	}
	if strings.TrimSpace(e.From.Address) == "" {
		problems = append(problems, "From.Address is required")
	}
	if strings.TrimSpace(e.To) == "" {
		problems = append(problems, "To is required")
	}
	if e.TemplateID != "" {
		if e.Subject != "" || e.HTML != "" || e.Text != "" {
			problems = append(problems, "Subject, HTML and Text must be empty with a TemplateID")
		}
	} else {
		if e.Subject == "" {
			problems = append(problems, "Subject is required without a TemplateID")
		}
		if e.HTML == "" && e.Text == "" {
			problems = append(problems, "HTML or Text is required without a TemplateID")
		}
		if len(e.TemplateData) > 0 {
			problems = append(problems, "TemplateData needs a TemplateID")
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// message builds the Mail Send body with sendgrid-go's helper types:
// one personalization holding the recipient, the custom args and the
// template data; headers, categories and content at the top level, text/plain
// before text/html as SendGrid requires.
func (e *Email) message() (*mail.SGMailV3, error) {
	if err := e.validate(); err != nil {
		return nil, fmt.Errorf("invalid email: %w", err)
	}
	m := mail.NewV3Mail()
	m.SetFrom(mail.NewEmail(e.From.Name, e.From.Address))
	if e.ReplyTo.Address != "" {
		m.SetReplyTo(mail.NewEmail(e.ReplyTo.Name, e.ReplyTo.Address))
	}
	p := mail.NewPersonalization()
	p.AddTos(mail.NewEmail(e.ToName, e.To))
	for k, v := range e.CustomArgs {
		p.SetCustomArg(k, v)
	}
	p.SetCustomArg(ArgMessageID, e.MessageID)
	if e.TemplateID != "" {
		m.SetTemplateID(e.TemplateID)
		for k, v := range e.TemplateData {
			p.SetDynamicTemplateData(k, v)
		}
	} else {
		m.Subject = e.Subject
		if e.Text != "" {
			m.AddContent(mail.NewContent("text/plain", e.Text))
		}
		if e.HTML != "" {
			m.AddContent(mail.NewContent("text/html", e.HTML))
		}
	}
	m.AddPersonalizations(p)
	for k, v := range e.Headers {
		m.SetHeader(k, v)
	}
	if len(e.Categories) > 0 {
		m.AddCategories(e.Categories...)
	}
	return m, nil
}
