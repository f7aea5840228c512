package redis_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/jetstream"
	"github.com/boomerang-dev/boomerang/adapters/jetstream/jetstreamtest"
	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/adapters/redis/redistest"
)

// benchBundle is a timer store on Redis and an embedded JetStream whose
// EVENTS stream holds a benchmark's worth of fires.
type benchBundle struct {
	env    *redistest.Env
	timers *redis.Timers
	srv    *jetstreamtest.Server
}

func benchSetup(b *testing.B) *benchBundle {
	b.Helper()
	env := redistest.Start(b)
	timers, err := redis.NewTimers(redis.TimerConfig{Client: env.Client, Keys: redis.Keys{Prefix: env.Prefix}})
	require.NoError(b, err)
	srv := jetstreamtest.Start(b)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(b, jetstream.EnsureStreams(ctx, srv.Conn.JS, jetstream.StreamsConfig{MaxBytes: 4 << 30}))
	return &benchBundle{env: env, timers: timers, srv: srv}
}

// schedule writes n processor-shaped timers due at due(i).
func (bb *benchBundle) schedule(b *testing.B, n int, due func(i int) time.Time) {
	b.Helper()
	batch := make([]redis.Timer, 0, 5000)
	for i := range n {
		batch = append(batch, benchTimer(i, due(i)))
		if len(batch) == cap(batch) || i == n-1 {
			require.NoError(b, bb.timers.ScheduleMany(context.Background(), batch))
			batch = batch[:0]
		}
	}
}

// counter is a BatchPublisher that passes batches on and closes done once
// want messages were published.
type counter struct {
	pub  redis.BatchPublisher
	want int
	mu   sync.Mutex
	n    int
	done chan struct{}
	// onPublished, when set, sees each published batch and the time its
	// PubAcks were all in.
	onPublished func(msgs []jetstream.BatchMsg, at time.Time)
}

func (c *counter) PublishBatch(ctx context.Context, msgs []jetstream.BatchMsg) error {
	if err := c.pub.PublishBatch(ctx, msgs); err != nil {
		return err
	}
	at := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.onPublished != nil {
		c.onPublished(msgs, at)
	}
	before := c.n
	c.n += len(msgs)
	if before < c.want && c.n >= c.want {
		close(c.done)
	}
	return nil
}

// BenchmarkPollerFires measures the poller alone draining b.N timers that
// are all due: claim, publish with batched asynchronous PubAcks to an
// embedded JetStream, ack. "sized" publishes bodies of a timer.fired
// event's size with no encoding work, "json" marshals the real event.
// Target: 50,000 fires/s.
func BenchmarkPollerFires(b *testing.B) {
	for _, enc := range []struct {
		name   string
		encode func(redis.Claimed) (jetstream.BatchMsg, error)
	}{{"sized", encodeSized}, {"json", encodeJSON}} {
		b.Run(enc.name, func(b *testing.B) {
			bb := benchSetup(b)
			past := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
			bb.schedule(b, b.N, func(i int) time.Time { return past.Add(time.Duration(i) * time.Microsecond) })
			c := &counter{pub: jetstream.NewPublisher(bb.srv.Conn.JS), want: b.N, done: make(chan struct{})}
			p, err := redis.NewPoller(redis.PollerConfig{Timers: bb.timers, Publish: c, Encode: enc.encode})
			require.NoError(b, err)
			ctx, cancel := context.WithCancel(context.Background())
			stopped := make(chan struct{})
			b.ResetTimer()
			start := time.Now()
			go func() { defer close(stopped); _ = p.Run(ctx) }()
			select {
			case <-c.done:
			case <-time.After(5 * time.Minute):
				b.Fatal("the poller did not drain the timers")
			}
			elapsed := time.Since(start)
			b.StopTimer()
			cancel()
			<-stopped
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "fires/s")
			b.ReportMetric(float64(firedSize), "B/msg")
		})
	}
}

// BenchmarkPollerLateness fires a steady 1,000 timers a second for 4
// seconds, due 1 ms apart, and reports how late each was published (the
// time its PubAck was in minus its due time) on Redis's clock, the
// production setting. Target: p99 under 500 ms. It runs once whatever b.N.
func BenchmarkPollerLateness(b *testing.B) {
	const (
		rate     = 1000
		duration = 4 * time.Second
		n        = rate * int(duration/time.Second)
	)
	bb := benchSetup(b)
	redisNow, err := bb.env.Client.Time(context.Background()).Result()
	require.NoError(b, err)
	first := redisNow.Add(time.Second)
	bb.schedule(b, n, func(i int) time.Time { return first.Add(time.Duration(i) * time.Second / rate) })

	var late []time.Duration
	c := &counter{pub: jetstream.NewPublisher(bb.srv.Conn.JS), want: n, done: make(chan struct{})}
	c.onPublished = func(msgs []jetstream.BatchMsg, at time.Time) {
		for _, m := range msgs {
			ms, err := strconv.ParseInt(m.MsgID[strings.LastIndexByte(m.MsgID, ':')+1:], 10, 64)
			if err != nil {
				b.Error(err)
				return
			}
			late = append(late, at.Sub(time.UnixMilli(ms)))
		}
	}
	p, err := redis.NewPoller(redis.PollerConfig{Timers: bb.timers, Publish: c, Encode: encodeJSON})
	require.NoError(b, err)
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	b.ResetTimer()
	go func() { defer close(stopped); _ = p.Run(ctx) }()
	select {
	case <-c.done:
	case <-time.After(time.Minute):
		b.Fatal("the timers did not all fire")
	}
	b.StopTimer()
	cancel()
	<-stopped

	c.mu.Lock()
	defer c.mu.Unlock()
	require.Len(b, late, n)
	slices.Sort(late)
	pct := func(q float64) float64 {
		return float64(late[min(len(late)-1, int(q*float64(len(late))))]) / float64(time.Millisecond)
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(late[len(late)-1])/float64(time.Millisecond), "max-ms")
	b.ReportMetric(float64(late[0])/float64(time.Millisecond), "min-ms")
	b.ReportMetric(0, "ns/op")
}
