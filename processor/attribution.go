package processor

import (
	"context"
	"time"

	"github.com/boomerang-dev/boomerang/flows/event"
)

// Touch kinds: what a message did that can earn it an order.
const (
	TouchSent      = "sent"
	TouchOpened    = "opened"
	TouchClicked   = "clicked"
	TouchDelivered = "delivered" // SMS
)

// maxTouches bounds the touches a profile keeps.
const maxTouches = 12

// Touch is one message event of the customer, for attribution.
type Touch struct {
	Kind    string    `json:"kind"`
	Message string    `json:"message"`
	Flow    string    `json:"flow,omitempty"`
	Split   string    `json:"split,omitempty"`
	Channel string    `json:"channel,omitempty"`
	At      time.Time `json:"at"`
}

// Attribution windows (ARCHITECTURE.md's defaults, Klaviyo-comparable):
// an order within 5 days after a click, or 1 day after an open or a
// delivered SMS, is the message's.
const (
	DefaultClickWindow = 5 * 24 * time.Hour
	DefaultViewWindow  = 24 * time.Hour
)

// AttributionWindows are a shop's windows; zero fields take the defaults.
type AttributionWindows struct {
	Click time.Duration
	// View covers opens and delivered SMS.
	View time.Duration
}

// Conversion is an order attributed to a message.
type Conversion struct {
	Shop     string
	Flow     string
	Split    string
	Message  string
	Order    string
	Revenue  string
	Currency string
	At       time.Time
}

// Stats counts flows' conversions (adapters/redis.FlowStats through a
// seam); sends are counted by the senders.
type Stats interface {
	Converted(ctx context.Context, c Conversion) error
}

// Splits tells which arm a split test decided on (processor/abtest's rule,
// kept in adapters/redis.FlowStats): new runs follow the winner.
type Splits interface {
	Winner(ctx context.Context, shop, flow, step string) (arm string, decided bool)
}

// touch records a message event on the profile.
func (p *Profile) touch(ev *event.Event, d *event.Message, at time.Time) {
	var kind string
	switch ev.Type {
	case event.MessageSent:
		kind = TouchSent
	case event.MessageOpened:
		kind = TouchOpened
	case event.MessageClicked:
		kind = TouchClicked
	case event.MessageDelivered:
		if d.Channel != event.ChannelSMS {
			return
		}
		kind = TouchDelivered
	default:
		return
	}
	t := Touch{Kind: kind, Message: d.MessageID, Flow: d.Flow, Split: d.Split, Channel: d.Channel, At: at}
	if t.Flow == "" || t.Split == "" {
		// Provider events may not carry what the send did: take it from
		// the send's own touch.
		for _, o := range p.Touches {
			if o.Message == t.Message {
				if t.Flow == "" {
					t.Flow = o.Flow
				}
				if t.Split == "" {
					t.Split = o.Split
				}
				break
			}
		}
	}
	if t.Flow == "" {
		return // not a flow's message
	}
	p.Touches = append(p.Touches, t)
	if len(p.Touches) > maxTouches {
		p.Touches = p.Touches[len(p.Touches)-maxTouches:]
	}
}

// attribute returns the conversion an order earns: the newest click within
// the click window, else the newest open or delivered SMS within the view
// window, before the order.
func (p *Profile) attribute(at time.Time, w AttributionWindows) (Touch, bool) {
	if w.Click <= 0 {
		w.Click = DefaultClickWindow
	}
	if w.View <= 0 {
		w.View = DefaultViewWindow
	}
	var best Touch
	found := false
	for _, kinds := range [][]string{{TouchClicked}, {TouchOpened, TouchDelivered}} {
		window := w.View
		if kinds[0] == TouchClicked {
			window = w.Click
		}
		for _, t := range p.Touches {
			if (t.Kind != kinds[0] && (len(kinds) < 2 || t.Kind != kinds[1])) || t.At.After(at) || at.Sub(t.At) > window {
				continue
			}
			if !found || t.At.After(best.At) {
				best, found = t, true
			}
		}
		if found {
			return best, true
		}
	}
	return Touch{}, false
}
