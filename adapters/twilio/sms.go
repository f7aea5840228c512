package twilio

import (
	"fmt"
	"net/url"
	"strings"
)

// SMS is one message to send.
type SMS struct {
	// MessageID is Boomerang's id for the message (run and step). It is
	// logged and put on the status callback URL as "mid".
	MessageID string
	// Shop, Flow, Run and Step are Boomerang's ids for where the message
	// came from. The client puts them on the status callback URL built from
	// Config.StatusCallback (as shop, flow, run, step) so that the Webhook
	// can name them in the events it makes. Shop is needed for that.
	Shop, Flow, Run, Step string
	// From is the sending number (E.164). From or MessagingServiceSID is
	// required; with both, Twilio picks From from the service's pool.
	From string
	// MessagingServiceSID (MG…) lets a Messaging Service pick the sender.
	MessagingServiceSID string
	// To is the recipient (E.164). Required.
	To string
	// Body is the text. Required.
	Body string
	// StatusCallbackBase, when set, replaces Config.StatusCallback as the
	// URL the ids are added to: a shop with its own account gets its
	// callbacks on its own path (ShopWebhookPath), which the Webhook
	// verifies with that account's token.
	StatusCallbackBase string
	// StatusCallback overrides both for this message and is sent
	// verbatim: no ids are added to it.
	StatusCallback string
}

// Result is the outcome of a message Twilio accepted.
type Result struct {
	// SID is Twilio's id for the message (SM…). Empty only when Twilio
	// answered 201 with a body the client could not read.
	SID string
	// Status is Twilio's status at creation: queued, accepted or scheduled.
	Status string
	// Attempts is how many requests it took, counting the successful one.
	Attempts int
}

// Query parameters the client puts on status callback URLs and the Webhook
// reads back.
const (
	paramShop      = "shop"
	paramMessageID = "mid"
	paramFlow      = "flow"
	paramRun       = "run"
	paramStep      = "step"
)

// validate checks the fields Twilio requires.
func (m *SMS) validate() error {
	var missing []string
	if strings.TrimSpace(m.To) == "" {
		missing = append(missing, "To")
	}
	if m.From == "" && m.MessagingServiceSID == "" {
		missing = append(missing, "From or MessagingServiceSID")
	}
	if m.Body == "" {
		missing = append(missing, "Body")
	}
	if len(missing) > 0 {
		return fmt.Errorf("sms missing %s: %w", strings.Join(missing, ", "), ErrPermanent)
	}
	return nil
}

// statusCallback returns the status callback URL for m: its override, else
// its base or the client's base with m's ids added to the query, else "".
func (m *SMS) statusCallback(base string) (string, error) {
	if m.StatusCallback != "" {
		return m.StatusCallback, nil
	}
	if m.StatusCallbackBase != "" {
		base = m.StatusCallbackBase
	}
	if base == "" {
		return "", nil
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("parsing status callback: %w", err)
	}
	q := u.Query()
	for _, kv := range [][2]string{
		{paramShop, m.Shop},
		{paramMessageID, m.MessageID},
		{paramFlow, m.Flow},
		{paramRun, m.Run},
		{paramStep, m.Step},
	} {
		if kv[1] != "" {
			q.Set(kv[0], kv[1])
		}
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}
