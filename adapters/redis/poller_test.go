package redis_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/jetstream"
	"github.com/boomerang-dev/boomerang/adapters/jetstream/jetstreamtest"
	"github.com/boomerang-dev/boomerang/adapters/redis"
)

const firedSubject = "events.demo.timer.fired"

// encode is the tests' Encode: the payload as the body, the claim's MsgID.
func encode(c redis.Claimed) (jetstream.BatchMsg, error) {
	return jetstream.BatchMsg{Subject: firedSubject, MsgID: c.MsgID(), Data: c.Payload}, nil
}

// recorder wraps a publisher and counts, per message id, the publishes
// that succeeded: a count above one is a timer fired twice.
type recorder struct {
	pub      redis.BatchPublisher
	mu       sync.Mutex
	fired    map[string]int
	failures int
	failed   chan struct{} // closed at the first failure
	once     sync.Once
}

func newRecorder(pub redis.BatchPublisher) *recorder {
	return &recorder{pub: pub, fired: map[string]int{}, failed: make(chan struct{})}
}

func (r *recorder) PublishBatch(ctx context.Context, msgs []jetstream.BatchMsg) error {
	err := r.pub.PublishBatch(ctx, msgs)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.failures++
		r.once.Do(func() { close(r.failed) })
		return err
	}
	for _, m := range msgs {
		r.fired[m.MsgID]++
	}
	return nil
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.fired)
}

func (r *recorder) snapshot() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return maps.Clone(r.fired)
}

// run starts p and stops it (and waits for Run to return) when the test
// ends.
func run(t *testing.T, p *redis.Poller) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-time.After(10 * time.Second):
			t.Error("poller did not stop within 10 s")
		}
	})
}

func newPoller(t *testing.T, b *testBundle, pub redis.BatchPublisher, opts ...func(*redis.PollerConfig)) *redis.Poller {
	t.Helper()
	cfg := redis.PollerConfig{Timers: b.timers, Publish: pub, Encode: encode}
	for _, o := range opts {
		o(&cfg)
	}
	p, err := redis.NewPoller(cfg)
	require.NoError(t, err)
	return p
}

// redisNow is Redis's clock, the one the poller fires by.
func (b *testBundle) redisNow(t *testing.T) time.Time {
	t.Helper()
	now, err := b.env.Client.Time(context.Background()).Result()
	require.NoError(t, err)
	return now
}

func dueTimers(n int, due func(i int) time.Time) []redis.Timer {
	ts := make([]redis.Timer, n)
	for i := range ts {
		ts[i] = redis.Timer{ID: fmt.Sprintf("run-%d:1", i), Due: due(i), Payload: []byte(fmt.Sprintf("demo|c%d|run-%d", i, i))}
	}
	return ts
}

func storedMsgIDs(t *testing.T, srv *jetstreamtest.Server) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, m := range srv.Messages(t, "EVENTS", firedSubject) {
		out[m.Header.Get("Nats-Msg-Id")]++
	}
	return out
}

func TestPollerFiresEachTimerOnce(t *testing.T) {
	t.Parallel()
	b := setup(t)
	srv := jetstreamtest.Start(t)
	rec := newRecorder(jetstream.NewPublisher(srv.Conn.JS))
	now := b.redisNow(t)
	// Some overdue, some due over the next half second.
	ts := dueTimers(300, func(i int) time.Time { return now.Add(time.Duration(i-150) * 3 * time.Millisecond) })
	require.NoError(t, b.timers.ScheduleMany(context.Background(), ts))
	reg := prometheus.NewRegistry()
	run(t, newPoller(t, b, rec, func(c *redis.PollerConfig) { c.Batch = 32; c.Registerer = reg }))

	require.Eventually(t, func() bool { return rec.count() == len(ts) }, 10*time.Second, 5*time.Millisecond)
	require.Eventually(t, func() bool {
		mfs, err := reg.Gather()
		require.NoError(t, err)
		for _, mf := range mfs {
			if mf.GetName() == "boomerang_timers_fired_total" {
				return mf.GetMetric()[0].GetCounter().GetValue() == float64(len(ts))
			}
		}
		return false
	}, 5*time.Second, 5*time.Millisecond, "every fire is counted")
	require.Eventually(t, func() bool { return b.pending(t) == 0 }, 5*time.Second, 5*time.Millisecond)
	for id, n := range rec.snapshot() {
		require.Equal(t, 1, n, id)
	}
	stored := storedMsgIDs(t, srv)
	require.Len(t, stored, len(ts))
	for _, tm := range ts {
		require.Equal(t, 1, stored[tm.ID+":"+strconv.FormatInt(tm.Due.UnixMilli(), 10)], tm.ID)
	}
}

func TestTwoPollersNeverFireOneTimerTwice(t *testing.T) {
	t.Parallel()
	b := setup(t)
	srv := jetstreamtest.Start(t)
	pub := jetstream.NewPublisher(srv.Conn.JS)
	// One recorder shared by both replicas: a timer fired by both within
	// its lease would count twice.
	rec := newRecorder(pub)
	var firedBy [2]atomic.Int64
	for i := range 2 {
		byMe := &countingPublisher{BatchPublisher: rec, n: &firedBy[i]}
		run(t, newPoller(t, b, byMe, func(c *redis.PollerConfig) { c.Batch = 16 }))
	}
	now := b.redisNow(t)
	ts := dueTimers(2000, func(i int) time.Time { return now.Add(time.Duration(i%200) * time.Millisecond) })
	require.NoError(t, b.timers.ScheduleMany(context.Background(), ts))

	require.Eventually(t, func() bool { return rec.count() == len(ts) }, 20*time.Second, 5*time.Millisecond)
	require.Eventually(t, func() bool { return b.pending(t) == 0 }, 5*time.Second, 5*time.Millisecond)
	for id, n := range rec.snapshot() {
		require.Equal(t, 1, n, "timer %s fired by both pollers within one lease", id)
	}
	require.EqualValues(t, len(ts), firedBy[0].Load()+firedBy[1].Load())
	require.Len(t, storedMsgIDs(t, srv), len(ts))
}

// countingPublisher counts the messages one poller published.
type countingPublisher struct {
	redis.BatchPublisher
	n *atomic.Int64
}

func (c *countingPublisher) PublishBatch(ctx context.Context, msgs []jetstream.BatchMsg) error {
	err := c.BatchPublisher.PublishBatch(ctx, msgs)
	if err == nil {
		c.n.Add(int64(len(msgs)))
	}
	return err
}

func TestPollerRefiresAfterPublishFailure(t *testing.T) {
	t.Parallel()
	b := setup(t, func(c *redis.TimerConfig) { c.Lease = time.Second })
	srv := jetstreamtest.Start(t)
	u, err := url.Parse(srv.Embedded.URL())
	require.NoError(t, err)
	port, err := strconv.Atoi(u.Port())
	require.NoError(t, err)
	rec := newRecorder(jetstream.NewPublisher(srv.Conn.JS))

	srv.Embedded.Shutdown() // JetStream is down
	now := b.redisNow(t)
	ts := dueTimers(50, func(i int) time.Time { return now.Add(-time.Second) })
	require.NoError(t, b.timers.ScheduleMany(context.Background(), ts))
	run(t, newPoller(t, b, rec, func(c *redis.PollerConfig) {
		c.PublishTimeout = 300 * time.Millisecond
		c.ErrorWait = 50 * time.Millisecond
	}))
	select {
	case <-rec.failed:
	case <-time.After(10 * time.Second):
		t.Fatal("the poller never tried to publish")
	}
	require.Zero(t, rec.count())
	require.EqualValues(t, len(ts), b.pending(t), "a failed publish keeps every timer")

	// JetStream comes back on the same port and store; the client reconnects.
	emb, err := jetstream.StartEmbedded(jetstream.EmbeddedConfig{StoreDir: srv.StoreDir, Port: port})
	require.NoError(t, err)
	t.Cleanup(emb.Shutdown)

	require.Eventually(t, func() bool { return rec.count() == len(ts) }, 20*time.Second, 10*time.Millisecond)
	require.Eventually(t, func() bool { return b.pending(t) == 0 }, 5*time.Second, 10*time.Millisecond)
	stored := storedMsgIDs(t, srv)
	require.Len(t, stored, len(ts))
	for id, n := range stored {
		require.Equal(t, 1, n, id)
	}
}

// fakeClock is a settable clock that reports each reading.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	reads chan struct{}
}

func (c *fakeClock) Now() time.Time {
	select {
	case c.reads <- struct{}{}:
	default:
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }

func TestPollerOnVirtualClockFiresHoursAtOnce(t *testing.T) {
	t.Parallel()
	b := setup(t)
	srv := jetstreamtest.Start(t)
	rec := newRecorder(jetstream.NewPublisher(srv.Conn.JS))
	clock := &fakeClock{now: t0, reads: make(chan struct{})}
	require.NoError(t, b.timers.ScheduleMany(context.Background(), []redis.Timer{
		{ID: "a:1", Due: t0.Add(2 * time.Hour)},
		{ID: "b:1", Due: t0.Add(5 * time.Hour)},
		{ID: "c:1", Due: t0.Add(9 * time.Hour)},
		{ID: "d:1", Due: t0.Add(30 * time.Hour)},
	}))
	p := newPoller(t, b, rec, func(c *redis.PollerConfig) { c.Now = clock.Now; c.IdleWait = time.Hour })
	run(t, p)

	// Two clock readings per worker: rounds have finished, and nothing was
	// due.
	for range 8 {
		p.Wake()
		select {
		case <-clock.reads:
		case <-time.After(10 * time.Second):
			t.Fatal("the poller does not read its clock")
		}
	}
	require.Zero(t, rec.count(), "nothing is due at t0")

	clock.Set(t0.Add(10 * time.Hour))
	p.Wake()
	require.Eventually(t, func() bool { return rec.count() == 3 }, 10*time.Second, 5*time.Millisecond)
	require.Eventually(t, func() bool { return b.pending(t) == 1 }, 5*time.Second, 5*time.Millisecond)
	fired := rec.snapshot()
	for _, id := range []string{"a:1", "b:1", "c:1"} {
		require.Contains(t, fired, id+":"+strconv.FormatInt(timerDue(id).UnixMilli(), 10))
	}
}

func timerDue(id string) time.Time {
	return map[string]time.Time{"a:1": t0.Add(2 * time.Hour), "b:1": t0.Add(5 * time.Hour), "c:1": t0.Add(9 * time.Hour)}[id]
}

func TestPollerWakeCutsTheIdleWait(t *testing.T) {
	t.Parallel()
	b := setup(t)
	srv := jetstreamtest.Start(t)
	rec := newRecorder(jetstream.NewPublisher(srv.Conn.JS))
	ctx := context.Background()
	// A far timer, so the poller has something to sleep towards.
	require.NoError(t, b.timers.Schedule(ctx, "far:1", b.redisNow(t).Add(time.Hour), nil))
	p := newPoller(t, b, rec, func(c *redis.PollerConfig) { c.IdleWait = time.Hour })
	run(t, p)

	require.NoError(t, b.timers.Schedule(ctx, "soon:1", b.redisNow(t), nil))
	p.Wake()
	require.Eventually(t, func() bool { return rec.count() == 1 }, 10*time.Second, 5*time.Millisecond,
		"without Wake the poller would sleep for an hour")
}

func TestPollerDropsTimersItCannotEncode(t *testing.T) {
	t.Parallel()
	b := setup(t)
	srv := jetstreamtest.Start(t)
	rec := newRecorder(jetstream.NewPublisher(srv.Conn.JS))
	now := b.redisNow(t)
	require.NoError(t, b.timers.ScheduleMany(context.Background(), []redis.Timer{
		{ID: "good:1", Due: now}, {ID: "poison:1", Due: now},
	}))
	run(t, newPoller(t, b, rec, func(c *redis.PollerConfig) {
		c.Encode = func(c redis.Claimed) (jetstream.BatchMsg, error) {
			if c.ID == "poison:1" {
				return jetstream.BatchMsg{}, errors.New("unknown payload")
			}
			return encode(c)
		}
	}))
	require.Eventually(t, func() bool { return rec.count() == 1 && b.pending(t) == 0 }, 10*time.Second, 5*time.Millisecond)
}

func TestPollerConfig(t *testing.T) {
	t.Parallel()
	b := setup(t)
	pub := jetstream.NewPublisher(nil)
	_, err := redis.NewPoller(redis.PollerConfig{Timers: b.timers, Publish: pub})
	require.ErrorContains(t, err, "required")
	_, err = redis.NewPoller(redis.PollerConfig{Timers: b.timers, Publish: pub, Encode: encode, Shards: []int{16}})
	require.ErrorContains(t, err, "shard 16")
	_, err = redis.NewPoller(redis.PollerConfig{Timers: b.timers, Publish: pub, Encode: encode, Shards: []int{}})
	require.ErrorContains(t, err, "no shards")
	_, err = redis.NewPoller(redis.PollerConfig{Timers: b.timers, Publish: pub, Encode: encode, PublishTimeout: time.Minute})
	require.ErrorContains(t, err, "shorter than the lease")

	p, err := redis.NewPoller(redis.PollerConfig{Timers: b.timers, Publish: pub, Encode: encode, Shards: []int{3}})
	require.NoError(t, err)
	p.Wake() // before Run: harmless
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.NoError(t, p.Run(ctx), "an ended context stops Run at once")
	require.NoError(t, p.Run(ctx), "and Run may run again")
}

func TestPollerRunsOnce(t *testing.T) {
	t.Parallel()
	b := setup(t)
	clock := &fakeClock{now: t0, reads: make(chan struct{})}
	p := newPoller(t, b, jetstream.NewPublisher(nil), func(c *redis.PollerConfig) {
		c.IdleWait = time.Hour
		c.Now = clock.Now
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	select {
	case <-clock.reads: // the first Run is polling
	case <-time.After(10 * time.Second):
		t.Fatal("the poller does not read its clock")
	}
	require.ErrorContains(t, p.Run(ctx), "already running")
	cancel()
	require.NoError(t, <-done)
}
