package processor

import (
	"encoding/json"
	"time"
)

// SendCommand asks the senders to deliver one message. Its ID (run and step)
// is the JetStream message id on OUTBOX and the send ledger's key, so it is
// delivered at most once however often it is published.
type SendCommand struct {
	ID       string `json:"id"`
	Shop     string `json:"shop"`
	Flow     string `json:"flow"`
	Version  int    `json:"version"`
	Run      string `json:"run"`
	Step     string `json:"step"`
	Customer string `json:"customer"`
	// Channel is email, sms or webhook.
	Channel  string `json:"channel"`
	Template string `json:"template,omitempty"`
	// Category is marketing or transactional.
	Category string `json:"category,omitempty"`
	// To is the address or number, from the profile and trigger event.
	To       string `json:"to,omitempty"`
	Priority int    `json:"priority"`
	// DueAt is when the step was due; a marketing send later than
	// MaxLateness past it is skipped as stale.
	DueAt       time.Time     `json:"due_at"`
	MaxLateness time.Duration `json:"max_lateness"`
	CreatedAt   time.Time     `json:"created_at"`
	// Event is the run's trigger event, the data templates render.
	Event json.RawMessage `json:"event,omitempty"`
	// NoSmartSending exempts the message from the smart-sending window
	// (the send step's smart_sending: false).
	NoSmartSending bool `json:"no_smart_sending,omitempty"`
	// Split names the split arms the run took ("step=arm,…"), for
	// attribution per arm.
	Split string `json:"split,omitempty"`
	// Params are the flow's parameters after the shop's overrides.
	Params map[string]any `json:"params,omitempty"`
	// Discount is the newest code the run's discount steps made; the
	// senders make sure it exists on the platform before the message goes.
	Discount *Discount `json:"discount,omitempty"`
	// Products are the products the message shows (a send step's
	// products expression).
	Products []Product `json:"products,omitempty"`
	// URL and Body are a webhook step's target and payload.
	URL  string         `json:"url,omitempty"`
	Body map[string]any `json:"body,omitempty"`
}

// Subject is the OUTBOX subject: outbox.<shop>.<channel>.
func (s *SendCommand) Subject() string { return "outbox." + s.Shop + "." + s.Channel }
