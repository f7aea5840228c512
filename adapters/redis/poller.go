package redis

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/boomerang-dev/boomerang/adapters/jetstream"
)

// ackTimeout bounds the ack of a published batch; it runs even when Run's
// context has ended, so a poller stopped mid-batch does not leave its
// fires to repeat after the lease.
const ackTimeout = 5 * time.Second

// BatchPublisher stores messages. PublishBatch returns nil only once every
// message is stored (or recognised as a duplicate by its MsgID); on an
// error some may be stored. It must be safe for concurrent use.
// (*jetstream.Publisher) implements it.
type BatchPublisher interface {
	PublishBatch(ctx context.Context, msgs []jetstream.BatchMsg) error
}

var _ BatchPublisher = (*jetstream.Publisher)(nil)

// Poller fires due timers: it claims them shard by shard, publishes one
// message per timer with batched asynchronous PubAcks, and acknowledges
// them in the store once every PubAck is in. A failed publish leaves the
// batch leased, so it fires again after the lease (at-least-once; the
// message ids deduplicate). Any number of pollers may poll the same shards:
// each timer goes to one of them per lease.
type Poller struct {
	cfg     PollerConfig
	log     *zap.Logger
	metrics *pollerMetrics
	workers []*worker
	running atomic.Bool
}

// worker polls its share of the shards.
type worker struct {
	p      *Poller
	shards []int
	wake   chan struct{}
}

// NewPoller returns a poller; Run starts it.
func NewPoller(cfg PollerConfig) (*Poller, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	p := &Poller{cfg: cfg, log: cfg.Logger.Named("timer_poller"), metrics: newPollerMetrics(cfg.Registerer)}
	for i := range cfg.Workers {
		w := &worker{p: p, wake: make(chan struct{}, 1)}
		for j := i; j < len(cfg.Shards); j += cfg.Workers {
			w.shards = append(w.shards, cfg.Shards[j])
		}
		p.workers = append(p.workers, w)
	}
	return p, nil
}

// Wake cuts the current idle wait short: call it after scheduling a timer
// due before the next one the poller knows of, or after moving a virtual
// clock. Safe from any goroutine, at any time.
func (p *Poller) Wake() {
	for _, w := range p.workers {
		select {
		case w.wake <- struct{}{}:
		default:
		}
	}
}

// Run polls until ctx ends, then returns nil once its workers have
// stopped; a batch being published when ctx ends is abandoned (it fires
// again after its lease) and a published one is still acknowledged. Redis
// and publish errors are logged and retried, never returned. Run may be
// called again after it returns, but not twice at once.
func (p *Poller) Run(ctx context.Context) error {
	if !p.running.CompareAndSwap(false, true) {
		return errors.New("redis poller: already running")
	}
	defer p.running.Store(false)
	p.log.Info("polling timers", zap.Ints("shards", p.cfg.Shards), zap.Int("workers", len(p.workers)))
	var wg sync.WaitGroup
	for _, w := range p.workers {
		wg.Go(func() { w.run(ctx) })
	}
	wg.Wait()
	return nil
}

func (w *worker) run(ctx context.Context) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for ctx.Err() == nil {
		wait := w.round(ctx)
		if wait <= 0 {
			continue
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
		case <-w.wake:
		case <-timer.C:
		}
	}
}

// round claims and fires one batch of each of the worker's shards and
// returns how long to wait before the next round.
func (w *worker) round(ctx context.Context) time.Duration {
	p := w.p
	var now time.Time
	if p.cfg.Now != nil {
		now = p.cfg.Now()
	}
	wait := p.cfg.IdleWait
	failed := false
	for _, shard := range w.shards {
		if ctx.Err() != nil {
			return 0
		}
		r, err := p.cfg.Timers.claim(ctx, shard, now, p.cfg.Batch)
		if err != nil {
			if ctx.Err() == nil {
				p.log.Warn("claiming timers failed; retrying", zap.Int("shard", shard), zap.Error(err))
				failed = true
			}
			continue
		}
		if len(r.claims) > 0 && !p.fire(ctx, r.claims) {
			// JetStream is failing: claim nothing more (it would only sit
			// leased) until it has had a moment.
			return p.cfg.ErrorWait
		}
		switch {
		case len(r.claims) >= p.cfg.Batch:
			wait = 0 // more may be due
		case r.nextOK:
			wait = min(wait, time.Duration(r.next-r.now)*time.Millisecond)
		}
	}
	if failed {
		return p.cfg.ErrorWait
	}
	return max(wait, 0)
}

// fire publishes claimed timers and acknowledges them once stored. It
// reports false when the publish failed.
func (p *Poller) fire(ctx context.Context, claims []Claimed) bool {
	msgs := make([]jetstream.BatchMsg, 0, len(claims))
	done := make([]Claimed, 0, len(claims)) // published or undeliverable: acknowledged
	sent := make([]Claimed, 0, len(claims))
	for _, c := range claims {
		m, err := p.cfg.Encode(c)
		if err != nil {
			p.log.Error("timer cannot be encoded; dropped",
				zap.String("timer_id", c.ID), zap.Time("due", c.Due), zap.Error(err))
			done = append(done, c)
			continue
		}
		msgs = append(msgs, m)
		sent = append(sent, c)
	}
	published := true
	if len(msgs) > 0 {
		pctx, cancel := context.WithTimeout(ctx, p.cfg.PublishTimeout)
		err := p.cfg.Publish.PublishBatch(pctx, msgs)
		cancel()
		if err != nil {
			published = false
			if ctx.Err() == nil {
				p.log.Warn("publishing fired timers failed; they fire again after the lease",
					zap.Int("timers", len(msgs)), zap.Duration("lease", p.cfg.Timers.Lease()), zap.Error(err))
			}
			p.metrics.failures.Inc()
		} else {
			done = append(done, sent...)
			now := time.Now()
			if p.cfg.Now != nil {
				now = p.cfg.Now()
			}
			for _, c := range sent {
				p.metrics.lateness.Observe(max(now.Sub(c.Due), 0).Seconds())
			}
			p.metrics.fired.Add(float64(len(sent)))
		}
	}
	if len(done) == 0 {
		return published
	}
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ackTimeout)
	defer cancel()
	if err := p.cfg.Timers.Ack(actx, done); err != nil {
		p.log.Warn("acknowledging fired timers failed; they fire again after the lease, deduplicated by message id",
			zap.Int("timers", len(done)), zap.Error(err))
	}
	return published
}
