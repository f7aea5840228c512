package replay

import "time"

// Actions a Line reports: the engine's (processor.Action*) plus the
// senders' decisions.
const (
	ActionSend  = "send"
	ActionDefer = "defer"
)

// Line is one action of the timeline. The first ten fields are the
// contract of `boomerang replay` and always present (empty when they do not
// apply); the rest are extra.
type Line struct {
	At       time.Time `json:"at"`
	Action   string    `json:"action"`
	Flow     string    `json:"flow"`
	Run      string    `json:"run"`
	Step     string    `json:"step"`
	Channel  string    `json:"channel"`
	Template string    `json:"template"`
	To       string    `json:"to"`
	Category string    `json:"category"`
	Reason   string    `json:"reason"`

	Shop     string     `json:"shop,omitempty"`
	Customer string     `json:"customer,omitempty"`
	Detail   string     `json:"detail,omitempty"`
	Until    *time.Time `json:"until,omitempty"`
	Subject  string     `json:"subject,omitempty"`
	Code     string     `json:"code,omitempty"`
	// Products are the ids of the products a message shows.
	Products []string `json:"products,omitempty"`
}
