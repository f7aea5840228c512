package processor

import (
	"context"
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/boomerang-dev/boomerang/flows"
)

// Programs finds flows by the events they react to. *flows.Set implements
// it.
type Programs interface {
	// Triggered lists the programs whose trigger names the event type.
	Triggered(eventType string) []*flows.Program
	// Exits lists the programs whose exit_on or an event wait names it.
	Exits(eventType string) []*flows.Program
	// Get returns a flow's current program, nil when unknown.
	Get(id string) *flows.Program
}

// Archive finds flow versions that are no longer loaded, for runs pinned
// to them.
type Archive interface {
	Program(ctx context.Context, id string, version int) (*flows.Program, error)
}

// Config configures an Engine.
type Config struct {
	// Flows are the flows to run. Required.
	Flows Programs
	// State holds customers' state. Required.
	State StateStore
	// Timers cancels the timers of finished runs. Required.
	Timers Timers
	// Outbox receives send commands. Required.
	Outbox Outbox
	// Archive finds the flow versions runs are pinned to when the loaded
	// flows have moved on. Default: none (such runs end with a reason).
	Archive Archive
	// Shops gives shop time zones and flow switches. Default: every shop
	// in UTC with every flow on.
	Shops Shops
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// SeenTTL is how long an event's idempotency record is kept: longer
	// than every platform's retry horizon (Shopify 4 h, BigCommerce 48 h)
	// and the EVENTS stream's 72 h. Default 7 days.
	SeenTTL time.Duration
	// MaxAttempts bounds the retries of a commit that conflicts with a
	// concurrent event of the same customer. Default 8.
	MaxAttempts int
	// Logger. Default zap.NewNop().
	Logger *zap.Logger
	// Registerer receives the engine's metrics. Default: none.
	Registerer prometheus.Registerer
	// Stats, when set, counts flows' conversions (orders attributed to a
	// message) and may decide split tests.
	Stats Stats
	// Recommender, when set, learns from orders and serves the
	// recommendations variable. Nil: recommendations is always empty.
	Recommender Recommender
	// Splits, when set, gives decided split tests' winners.
	Splits Splits
	// Dates, when set, keeps the index the daily date.reached job reads.
	Dates DateIndex
	// DiscountKey keys the HMAC that makes discount codes (derived from
	// BOOMERANG_SECRET_KEY), so codes cannot be guessed from run ids.
	DiscountKey []byte
	// Observe, when set, receives every action of an event's runs after
	// its commit (replay prints them). It is called from the goroutine
	// handling the event.
	Observe func(Action)
}

func (c *Config) fill() error {
	if c.Flows == nil || c.State == nil || c.Timers == nil || c.Outbox == nil {
		return errors.New("processor: Flows, State, Timers and Outbox are required")
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.SeenTTL == 0 {
		c.SeenTTL = 7 * 24 * time.Hour
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = 8
	}
	if c.Logger == nil {
		c.Logger = zap.NewNop()
	}
	return nil
}
