package flows

import (
	"strconv"
	"strings"
	"time"
)

// Flow is one flow file, decoded. The YAML names are the flow language's
// contract (ARCHITECTURE.md, docs/flows.md).
type Flow struct {
	// ID names the flow; a file flow whose ID matches a built-in replaces it.
	ID string `yaml:"id"`
	// Name is for people.
	Name string `yaml:"name"`
	// Version pins runs: a run keeps the version it started on.
	Version int `yaml:"version"`
	// Priority orders competing marketing messages (higher wins the
	// smart-sending window). Zero means the default for the trigger.
	Priority int `yaml:"priority"`
	// Trigger starts runs. In YAML `trigger` is one mapping or a list of
	// them; Trigger is the only or the first one, MoreTriggers the rest.
	Trigger Trigger `yaml:"trigger"`
	// MoreTriggers are the triggers after the first when `trigger` is a
	// list (the welcome series starts on customer.created or on an email
	// subscription). Each names a different event type.
	MoreTriggers []Trigger `yaml:"-"`
	// Key is a CEL expression giving what makes one run (the checkout
	// token, the customer, the order). Default: the customer.
	Key string `yaml:"key"`
	// Reentry is once, always, or "once per <duration>" (e.g. once per 30d).
	// Default once.
	Reentry string `yaml:"reentry"`
	// ExitOn lists events that end a run, whichever order they arrive in.
	ExitOn []Trigger `yaml:"exit_on"`
	// Filter is a CEL condition re-checked before every send; false skips
	// the send and ends the run.
	Filter string `yaml:"filter"`
	// MaxLateness is how late a marketing send may go out after its due
	// time before it is skipped as stale. Default 24h.
	MaxLateness Duration `yaml:"max_lateness"`
	// Steps run in order.
	Steps []Step `yaml:"steps"`
	// Params are the flow's parameters with their defaults (delays,
	// discount percent, products, a holiday calendar). A shop overrides
	// them in the shops file under flows.<id>.params; steps refer to them
	// as $name (wait: $first_delay, percent: $discount_percent), CEL as
	// params.name, templates as .Params.name.
	Params map[string]any `yaml:"params"`
	// Enabled is false for a flow that ships switched off (an alternative
	// to another built-in, such as smart abandonment to the abandoned
	// checkout series); a shop switches it on under flows.<id>.enabled.
	// Nil means on.
	Enabled *bool `yaml:"enabled"`

	// Source is "builtin" or the file the flow came from.
	Source string `yaml:"-"`
	// Raw is the flow's YAML source as read, so a version can be stored and
	// compiled again later (Parse("stored", f.Raw)). Nil for a flow built
	// in Go.
	Raw []byte `yaml:"-"`

	// file names the flow in errors; lines maps field paths ("id",
	// "trigger[0].if", "steps[3].then[0].send.template") to their lines.
	// Both are set by Parse.
	file  string
	lines map[string]int
}

// Triggers returns every trigger: Trigger, then MoreTriggers.
func (f *Flow) Triggers() []Trigger {
	return append([]Trigger{f.Trigger}, f.MoreTriggers...)
}

// Trigger is an event type with an optional CEL condition.
type Trigger struct {
	Event string `yaml:"event"`
	If    string `yaml:"if"`
}

// Step is one step; exactly one of its kind fields is set.
type Step struct {
	Wait     *Wait     `yaml:"wait"`
	Send     *Send     `yaml:"send"`
	Branch   *Branch   `yaml:"branch"`
	Split    *Split    `yaml:"split"`
	Discount *Discount `yaml:"discount"`
	Update   *Update   `yaml:"update"`
	Webhook  *Webhook  `yaml:"webhook"`
	Exit     *Exit     `yaml:"exit"`

	// Line is the step's line in its file, for errors.
	Line int `yaml:"-"`
}

// Wait pauses the run: for a duration, until a time of day in the
// customer's (or shop's) zone, or until an event arrives (with a timeout).
// In YAML a bare duration ("1h") is the first form.
type Wait struct {
	ID string `yaml:"id"`
	// For is a duration ("1h", "3d"); ForParam names the parameter that
	// gives it instead ("$delay" in YAML).
	For      Duration `yaml:"for"`
	ForParam string   `yaml:"-"`
	// Until is a time of day, "10:00", in Zone.
	Until string `yaml:"until"`
	// Zone is customer (default) or shop, or an IANA zone name.
	Zone string `yaml:"zone"`
	// Event is an event type to wait for; If filters it (CEL, sees event
	// and run); Timeout bounds the wait. The run then sees run.waited_event,
	// null after a timeout.
	Event   string   `yaml:"event"`
	If      string   `yaml:"if"`
	Timeout Duration `yaml:"timeout"`
	// TimeoutParam names the parameter that gives Timeout.
	TimeoutParam string `yaml:"-"`
}

// Clock returns Until's hour and minute; ok is false when Until is not a
// valid "HH:MM" (00:00 to 23:59).
func (w *Wait) Clock() (hour, minute int, ok bool) {
	h, m, found := strings.Cut(w.Until, ":")
	if !found || !twoDigits(h) || !twoDigits(m) {
		return 0, 0, false
	}
	hour, err1 := strconv.Atoi(h)
	minute, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hour < 0 || hour > 23 || minute < 0 || minute > 59 {
		return 0, 0, false
	}
	return hour, minute, true
}

func twoDigits(s string) bool {
	return len(s) == 2 && s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9'
}

// Categories of a send.
const (
	CategoryMarketing     = "marketing"
	CategoryTransactional = "transactional"
)

// Send emits a send command for the senders.
type Send struct {
	ID       string `yaml:"id"`
	Channel  string `yaml:"channel"`
	Template string `yaml:"template"`
	Category string `yaml:"category"`
	// Products is a CEL expression giving the products the message shows
	// (a list of maps with id, title, url, image_url, price). When set and
	// empty, the send is skipped with reason no_recommendation: a message
	// about products has nothing to say without them.
	Products string `yaml:"products"`
	// SmartSending false exempts this message from the smart-sending
	// window: a reply to the customer's own answer (the smart abandonment
	// reply, the referral ask after a good score) must not be held back by
	// the question sent minutes before. Nil means the shop's window applies.
	SmartSending *bool `yaml:"smart_sending"`
}

// Branch runs Then when If (CEL) is true, else Else.
type Branch struct {
	ID   string `yaml:"id"`
	If   string `yaml:"if"`
	Then []Step `yaml:"then"`
	Else []Step `yaml:"else"`
}

// Split sends the run down one of its paths, by weight (an A/B test). The
// choice is deterministic per run.
type Split struct {
	ID    string      `yaml:"id"`
	Paths []SplitPath `yaml:"paths"`
}

// SplitPath is one arm of a Split.
type SplitPath struct {
	Name   string `yaml:"name"`
	Weight int    `yaml:"weight"`
	Steps  []Step `yaml:"steps"`
}

// Discount creates a unique discount code through the platform's API (the
// flow-library issue wires the platforms; until then it is validated only).
type Discount struct {
	ID        string   `yaml:"id"`
	Percent   int      `yaml:"percent"`
	Amount    string   `yaml:"amount"`
	ExpiresIn Duration `yaml:"expires_in"`
	// FreeShipping makes a free-shipping code instead of a price cut.
	FreeShipping bool `yaml:"free_shipping"`
	// Prefix starts the code ("COMEBACK" gives COMEBACK-7KQ2XW9A); default
	// SAVE.
	Prefix string `yaml:"prefix"`
	// Products is a CEL expression giving the product ids the code applies
	// to ("buy X, get Y"); empty: the whole order.
	Products string `yaml:"products"`
	// PercentParam and ExpiresInParam name the parameters that give Percent
	// and ExpiresIn ($discount_percent in YAML).
	PercentParam   string `yaml:"-"`
	ExpiresInParam string `yaml:"-"`
}

// Update sets a profile property: Set maps property names to CEL
// expressions.
type Update struct {
	ID  string            `yaml:"id"`
	Set map[string]string `yaml:"set"`
}

// Webhook POSTs a signed JSON body to URL (Zapier, Make, n8n).
type Webhook struct {
	ID  string `yaml:"id"`
	URL string `yaml:"url"`
	// URLParam names the parameter that gives URL ($alert_url); an empty
	// value switches the step off for that shop.
	URLParam string `yaml:"-"`
	// Body maps field names to CEL expressions; default: the event and run.
	Body map[string]string `yaml:"body"`
}

// Exit ends the run.
type Exit struct {
	ID     string `yaml:"id"`
	Reason string `yaml:"reason"`
}

// Duration is a time.Duration that YAML writes as "90s", "1h", "3d" or "2w".
type Duration time.Duration

// D returns the time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }
