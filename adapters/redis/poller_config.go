package redis

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/boomerang-dev/boomerang/adapters/jetstream"
)

// PollerConfig configures a Poller.
type PollerConfig struct {
	// Timers is the store to poll. Required.
	Timers *Timers
	// Publish stores the fires. Required.
	Publish BatchPublisher
	// Encode turns a claimed timer into its message: the caller's
	// timer.fired event, with MsgID c.MsgID() (timer id, ":", due unix ms)
	// so a fire repeated after a lapsed lease is dropped by JetStream.
	// An error drops the timer (logged): it could never fire. Required.
	Encode func(c Claimed) (jetstream.BatchMsg, error)
	// Now is the claims' clock. Default nil: Redis's own clock (TIME inside
	// the claim script), the production setting, so pod clocks never
	// matter. A virtual clock is for tests and replay; call Wake after
	// moving it.
	Now func() time.Time
	// Logger. Default zap.NewNop().
	Logger *zap.Logger
	// Registerer receives the poller's metrics (fires, publish failures,
	// lateness). Default: none registered.
	Registerer prometheus.Registerer
	// IdleWait is the longest wait when nothing is due: the poller sleeps
	// until the earliest due time (or lease expiry) of its shards, at most
	// this long, so a timer scheduled earlier by another process waits at
	// most IdleWait (Wake cuts it short in this one). Default 1 s.
	IdleWait time.Duration
	// ErrorWait is the pause after a Redis or publish error. Default 1 s.
	ErrorWait time.Duration
	// Shards are the shards to poll. Default all of the store's.
	Shards []int
	// Workers is how many shards are worked at once: each worker claims,
	// publishes and acknowledges the batches of its share of Shards, so
	// Redis and JetStream round trips overlap. Up to Workers × min(Batch,
	// 512) publishes are in flight at once: keep that under the JetStream
	// connection's async limit (4,000 by default). Default 4 (at most the
	// number of shards).
	Workers int
	// Batch is the most timers one claim takes. Default the store's Batch
	// (256).
	Batch int
	// PublishTimeout bounds the publish of one batch; the timers of a batch
	// that times out stay leased and fire again after the lease. It must be
	// shorter than the store's lease. Default Lease/3 (10 s).
	PublishTimeout time.Duration
}

func (c *PollerConfig) fill() error {
	if c.Timers == nil || c.Publish == nil || c.Encode == nil {
		return errors.New("redis poller: Timers, Publish and Encode are required")
	}
	if c.Logger == nil {
		c.Logger = zap.NewNop()
	}
	if c.IdleWait == 0 {
		c.IdleWait = time.Second
	}
	if c.ErrorWait == 0 {
		c.ErrorWait = time.Second
	}
	if c.Batch == 0 {
		c.Batch = c.Timers.cfg.Batch
	}
	if c.Workers == 0 {
		c.Workers = 4
	}
	lease := c.Timers.Lease()
	if c.PublishTimeout == 0 {
		c.PublishTimeout = lease / 3
	}
	if c.IdleWait < 0 || c.ErrorWait < 0 || c.Batch < 0 || c.PublishTimeout < 0 || c.Workers < 0 {
		return errors.New("redis poller: IdleWait, ErrorWait, Batch, Workers and PublishTimeout must not be negative")
	}
	if c.PublishTimeout >= lease {
		return fmt.Errorf("redis poller: PublishTimeout %s must be shorter than the lease %s", c.PublishTimeout, lease)
	}
	if c.Shards == nil {
		for s := range c.Timers.Shards() {
			c.Shards = append(c.Shards, s)
		}
	} else {
		c.Shards = slices.Clone(c.Shards)
	}
	if len(c.Shards) == 0 {
		return errors.New("redis poller: no shards to poll")
	}
	for _, s := range c.Shards {
		if s < 0 || s >= c.Timers.Shards() {
			return fmt.Errorf("redis poller: shard %d out of [0, %d)", s, c.Timers.Shards())
		}
	}
	c.Workers = min(c.Workers, len(c.Shards))
	return nil
}
