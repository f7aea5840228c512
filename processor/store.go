package processor

import (
	"context"
	"encoding/json"
	"time"
)

// StateStore holds each customer's state. Implementations are safe for
// concurrent use.
type StateStore interface {
	// Load reads the customer's state and whether eventKey was already
	// applied (State.Seen).
	Load(ctx context.Context, shop, customer, eventKey string) (*State, error)
	// Commit applies c atomically if the customer's version is still
	// c.Version, else returns ErrConflict. The timers in c.Effects.Schedule
	// are upserted in the same round trip, before the commit: a timer whose
	// commit then fails (conflict, crash) finds no run waiting for it when
	// it fires and is ignored, while a committed wait always has its timer.
	// c.Effects.Cancel is not applied here (see Timers).
	Commit(ctx context.Context, c *Commit) error
}

// State is one customer's state as loaded.
type State struct {
	// Version is the compare-and-set counter; zero for a new customer.
	Version int64
	// Profile is nil for a new customer.
	Profile *Profile
	// Runs are the customer's active runs by id.
	Runs map[string]*Run
	// Exits are remembered events of the types that end runs.
	Exits []Remembered
	// Reentry maps "flow|key" to the time before which that run may not
	// start again.
	Reentry map[string]time.Time
	// Seen is the effects of eventKey when it was already applied, else nil.
	Seen *Effects
}

// Remembered is an event kept so a run that starts after it (an order that
// arrived before its checkout update) can still be ended by it.
type Remembered struct {
	Type       string          `json:"type"`
	OccurredAt time.Time       `json:"occurred_at"`
	Event      json.RawMessage `json:"event"`
}

// Commit is the new state of one customer after one event.
type Commit struct {
	Shop     string
	Customer string
	EventKey string
	// Version is the version the state was loaded at.
	Version int64
	// Profile, when non-nil, replaces the profile.
	Profile *Profile
	// Runs are written (active runs); Finished are removed from the active
	// set and kept in the customer's history.
	Runs     []*Run
	Finished []*Run
	// Exits, when non-nil, replaces the remembered events.
	Exits []Remembered
	// Reentry, when non-nil, replaces the reentry markers.
	Reentry map[string]time.Time
	// Effects are recorded as the event's idempotency record (kept SeenTTL).
	Effects *Effects
	SeenTTL time.Duration
}

// Effects are what one event caused outside the customer's state.
type Effects struct {
	Sends    []SendCommand `json:"sends,omitempty"`
	Schedule []TimerOp     `json:"schedule,omitempty"`
	Cancel   []string      `json:"cancel,omitempty"`
}

// TimerOp schedules (upserts) one timer.
type TimerOp struct {
	ID      string    `json:"id"`
	Due     time.Time `json:"due"`
	Payload string    `json:"payload"`
}

// Timers schedules and cancels timers. Both are idempotent. The engine
// cancels only after a successful commit, and only the timers of runs that
// finished: a run id is unique per run instance, so such a timer can never be
// wanted again, and a cancel that never happens (a crash) only leaves a timer
// that fires into nothing.
type Timers interface {
	ScheduleMany(ctx context.Context, ops []TimerOp) error
	CancelMany(ctx context.Context, ids []string) error
}

// Outbox publishes send commands, deduplicated by SendCommand.ID.
type Outbox interface {
	PublishSends(ctx context.Context, sends []SendCommand) error
}

// BatchStateStore is a StateStore that also loads and commits several
// customers in one round trip each; Engine.HandleBatch uses it.
type BatchStateStore interface {
	StateStore
	// LoadMany loads one state per request, in order.
	LoadMany(ctx context.Context, reqs []LoadRequest) ([]*State, error)
	// CommitMany applies the commits in one round trip and returns each
	// one's outcome (nil, or an error wrapping ErrConflict); err is a
	// failure of the round trip itself.
	CommitMany(ctx context.Context, cs []*Commit) ([]error, error)
}

// LoadRequest names one customer and event to load.
type LoadRequest struct{ Shop, Customer, EventKey string }
