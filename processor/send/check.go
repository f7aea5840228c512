package send

import (
	"time"

	"github.com/boomerang-dev/boomerang/flows/event"
	"github.com/boomerang-dev/boomerang/processor"
)

// Actions of a Decision.
const (
	ActionSend  = "send"
	ActionSkip  = "skip"
	ActionDefer = "defer"
)

// Reasons a message is not sent, as the outbox and explain show them.
const (
	ReasonNoConsent    = "consent"
	ReasonUnsubscribed = "unsubscribed"
	ReasonSuppressed   = "suppressed"
	ReasonStale        = "stale"
	ReasonSmartSending = "smart_sending"
	ReasonQuietHours   = "quiet_hours"
	ReasonNoAddress    = "no_address"
)

// Decision is what to do with one send command.
type Decision struct {
	Action string
	Reason string
	// Until is when a deferred message may go (quiet hours end).
	Until time.Time
}

// Policy is the shop's sending policy.
type Policy struct {
	// SmartSending is the window per channel; zero turns it off.
	SmartSending map[string]time.Duration
	// Zone is the shop's time zone, the fallback for quiet hours.
	Zone *time.Location
	// QuietStart and QuietEnd bound SMS quiet hours in the recipient's
	// zone, as hours of the day. Defaults 21 and 8.
	QuietStart, QuietEnd int
	// Drafts are the flows whose messages stay in the outbox, never sent.
	Drafts map[string]bool
}

// Recent is what was sent to the customer on the command's channel: the
// time of the last marketing message at each priority.
type Recent map[int]time.Time

// Input is everything Check looks at.
type Input struct {
	Cmd     *processor.SendCommand
	Profile *processor.Profile
	// Suppressed is the suppression list's reason for the address, if any.
	Suppressed string
	Recent     Recent
	Policy     Policy
	// Zone is the recipient's zone when known (from the phone's country or
	// the address), else nil.
	Zone *time.Location
	Now  time.Time
}

// Check decides. Transactional messages skip the consent, stale, smart
// sending and quiet-hours checks (they always go, ARCHITECTURE.md invariants
// 7 and 13) but never go to a suppressed or missing address.
func Check(in Input) Decision {
	c := in.Cmd
	if c.To == "" {
		return Decision{Action: ActionSkip, Reason: ReasonNoAddress}
	}
	if in.Suppressed != "" {
		return Decision{Action: ActionSkip, Reason: ReasonSuppressed + ": " + in.Suppressed}
	}
	if c.Category != "marketing" {
		return Decision{Action: ActionSend}
	}
	if !in.Profile.Subscribed(c.Channel) {
		if in.Profile != nil && in.Profile.Consent[c.Channel].State == event.ConsentUnsubscribed {
			return Decision{Action: ActionSkip, Reason: ReasonUnsubscribed}
		}
		return Decision{Action: ActionSkip, Reason: ReasonNoConsent}
	}
	lateness := c.MaxLateness
	if lateness <= 0 {
		lateness = 24 * time.Hour
	}
	if !c.DueAt.IsZero() && in.Now.Sub(c.DueAt) > lateness {
		return Decision{Action: ActionSkip, Reason: ReasonStale}
	}
	if w := in.Policy.SmartSending[c.Channel]; w > 0 && !c.NoSmartSending {
		for prio, at := range in.Recent {
			if prio >= c.Priority && in.Now.Sub(at) < w {
				return Decision{Action: ActionSkip, Reason: ReasonSmartSending}
			}
		}
	}
	if c.Channel == event.ChannelSMS {
		zone := in.Zone
		if zone == nil {
			zone = in.Policy.Zone
		}
		if until, quiet := quietUntil(in.Now, zone, in.Policy.QuietStart, in.Policy.QuietEnd); quiet {
			return Decision{Action: ActionDefer, Reason: ReasonQuietHours, Until: until}
		}
	}
	return Decision{Action: ActionSend}
}

// quietUntil reports whether now falls in the quiet hours [start, end) of
// zone and, if so, when they end. It works on wall-clock hours, so a
// daylight-saving change moves the quiet hours with the clocks.
func quietUntil(now time.Time, zone *time.Location, start, end int) (time.Time, bool) {
	if zone == nil {
		zone = time.UTC
	}
	if start == 0 && end == 0 {
		start, end = 21, 8
	}
	lt := now.In(zone)
	h := lt.Hour()
	var quiet bool
	if start > end { // over midnight
		quiet = h >= start || h < end
	} else {
		quiet = h >= start && h < end
	}
	if !quiet {
		return time.Time{}, false
	}
	day := lt
	if h >= end && start > end {
		day = lt.AddDate(0, 0, 1)
	}
	return time.Date(day.Year(), day.Month(), day.Day(), end, 0, 0, 0, zone).UTC(), true
}
