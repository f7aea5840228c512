//go:build scale

package redis_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/jetstream"
	"github.com/boomerang-dev/boomerang/adapters/jetstream/jetstreamtest"
	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/adapters/redis/redistest"
)

// BenchmarkTenMillionTimers puts 10 million processor-shaped timers (42-byte
// id, 60-byte payload, due over the next 90 days) in a private
// redis-server and measures: the schedule rate as the engine schedules
// (QueueSchedule in pipelines of 16 timers, one per event of a batch, from
// 8 workers), Redis memory per pending timer (just after the load and
// settled), the poller's fire rate in three rounds of 200,000 due timers
// with 1 and with 10 million pending (claim, publish to embedded
// JetStream, ack; with Redis's time in the scripts per fire: the claim's
// cost must not grow with the pending count), and the lateness of a
// steady 1,000 fires/s with 10 million pending. The pending
// timers must all still be there at the end: the poller fires only what is
// due. It needs about 3 GB of memory and several minutes, so it is built
// only with the "scale" tag: `make bench-timers` (docs/scaling.md). It runs
// once whatever b.N.
func BenchmarkTenMillionTimers(b *testing.B) {
	const (
		total = 10_000_000
		first = 1_000_000
		fires = 200_000 // due timers fired for each fire rate
	)
	ctx := context.Background()
	env := redistest.StartPrivate(b)
	timers, err := redis.NewTimers(redis.TimerConfig{Client: env.Client, Keys: redis.Keys{Prefix: env.Prefix}})
	require.NoError(b, err)
	srv := jetstreamtest.Start(b)
	require.NoError(b, jetstream.EnsureStreams(ctx, srv.Conn.JS, jetstream.StreamsConfig{MaxBytes: 4 << 30}))

	redisNow, err := env.Client.Time(ctx).Result()
	require.NoError(b, err)
	// Pending timers are due from an hour to 90 days from now, in id order.
	pendingDue := func(i int) time.Time {
		return redisNow.Add(time.Hour + time.Duration(i)*(90*24*time.Hour/total))
	}
	mem0 := infoMemory(b, env, "used_memory")
	b.ResetTimer()

	rate1 := scheduleLikeEngine(b, env, timers, 0, first, pendingDue)
	mem1 := infoMemory(b, env, "used_memory")
	fire1 := fireRounds(b, env, timers, srv, fires, 100_000_000)
	late1 := steadyLateness(b, env, timers, srv, 1000, 10*time.Second, 150_000_000)
	rateLast := 0.0
	for from := first; from < total; from += first {
		rateLast = scheduleLikeEngine(b, env, timers, from, from+first, pendingDue)
	}
	mem10 := infoMemory(b, env, "used_memory")
	pending, err := timers.Pending(ctx)
	require.NoError(b, err)
	require.EqualValues(b, total, pending)
	fire10 := fireRounds(b, env, timers, srv, fires, 200_000_000)
	late := steadyLateness(b, env, timers, srv, 1000, 10*time.Second, 300_000_000)
	b.StopTimer()

	pending, err = timers.Pending(ctx)
	require.NoError(b, err)
	require.EqualValues(b, total, pending, "the poller fired only the due timers")
	settled, rss := infoMemory(b, env, "used_memory"), infoMemory(b, env, "used_memory_rss")

	b.ReportMetric(rate1, "schedules/s-first-1M")
	b.ReportMetric(rateLast, "schedules/s-last-1M")
	b.ReportMetric(float64(mem1-mem0)/first, "used_memory-B/timer-1M")
	b.ReportMetric(float64(mem10-mem0)/total, "used_memory-B/timer-10M-loaded")
	b.ReportMetric(float64(settled-mem0)/total, "used_memory-B/timer-10M-settled")
	b.ReportMetric(float64(rss)/total, "rss-B/timer-10M")
	b.ReportMetric(float64(settled)/(1<<30), "used_memory-GiB-10M")
	for i, f := range fire1 {
		b.ReportMetric(f.perSec, "fires/s-1M-round"+strconv.Itoa(i+1))
		b.ReportMetric(f.scriptUS, "script-us/fire-1M-round"+strconv.Itoa(i+1))
	}
	for i, f := range fire10 {
		b.ReportMetric(f.perSec, "fires/s-10M-round"+strconv.Itoa(i+1))
		b.ReportMetric(f.scriptUS, "script-us/fire-10M-round"+strconv.Itoa(i+1))
	}
	b.ReportMetric(late1.p50, "p50-ms-1M-pending")
	b.ReportMetric(late1.p99, "p99-ms-1M-pending")
	b.ReportMetric(late1.max, "max-ms-1M-pending")
	b.ReportMetric(late.p50, "p50-ms-10M-pending")
	b.ReportMetric(late.p99, "p99-ms-10M-pending")
	b.ReportMetric(late.max, "max-ms-10M-pending")
	b.ReportMetric(0, "ns/op")
}

// fireRounds measures three fire runs of n timers back to back (ids from
// base on). The first after a bulk load pays for Redis growing the shards'
// tables (a hash or sorted set that doubles its table moves its entries
// over on later accesses); the later ones show the settled cost.
func fireRounds(b *testing.B, env *redistest.Env, timers *redis.Timers, srv *jetstreamtest.Server, n, base int) []fireFigures {
	b.Helper()
	out := make([]fireFigures, 3)
	for i := range out {
		out[i] = fireRate(b, env, timers, srv, n, base+i*n)
	}
	return out
}

// scheduleLikeEngine schedules timers [from, to) as the processor's commits
// do (Timers.QueueSchedule on a pipeline, 16 timers a pipeline, 8 workers)
// and returns timers/s.
func scheduleLikeEngine(b *testing.B, env *redistest.Env, timers *redis.Timers, from, to int, due func(int) time.Time) float64 {
	b.Helper()
	const perPipe, workers = 16, 8
	var next atomic.Int64
	next.Store(int64(from))
	var wg sync.WaitGroup
	var failed atomic.Value
	start := time.Now()
	for range workers {
		wg.Go(func() {
			ctx := context.Background()
			for {
				lo := int(next.Add(perPipe)) - perPipe
				if lo >= to {
					return
				}
				pipe := env.Client.Pipeline()
				for i := lo; i < min(lo+perPipe, to); i++ {
					timers.QueueSchedule(pipe, benchTimer(i, due(i)))
				}
				if _, err := pipe.Exec(ctx); err != nil {
					failed.Store(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err, ok := failed.Load().(error); ok {
		b.Fatal(err)
	}
	return float64(to-from) / time.Since(start).Seconds()
}

// fireFigures are a fire run's rate and Redis's cost per fire.
type fireFigures struct {
	// perSec is fires per second.
	perSec float64
	// scriptUS is the time Redis spent in scripts (the claim and the ack)
	// per fire, from INFO commandstats.
	scriptUS float64
}

// fireRate schedules n timers already due (ids from base on), runs a poller
// until all are published and returns the rate and Redis's cost per fire.
func fireRate(b *testing.B, env *redistest.Env, timers *redis.Timers, srv *jetstreamtest.Server, n, base int) fireFigures {
	b.Helper()
	ctx := context.Background()
	redisNow, err := env.Client.Time(ctx).Result()
	require.NoError(b, err)
	past := redisNow.Add(-time.Hour)
	batch := make([]redis.Timer, 0, 5000)
	for i := range n {
		batch = append(batch, benchTimer(base+i, past.Add(time.Duration(i)*time.Microsecond)))
		if len(batch) == cap(batch) || i == n-1 {
			require.NoError(b, timers.ScheduleMany(ctx, batch))
			batch = batch[:0]
		}
	}
	c := &counter{pub: jetstream.NewPublisher(srv.Conn.JS), want: n, done: make(chan struct{})}
	script0 := scriptMicros(b, env)
	elapsed := runPoller(b, timers, c, 10*time.Minute)
	script := scriptMicros(b, env) - script0
	return fireFigures{perSec: float64(n) / elapsed.Seconds(), scriptUS: script / float64(n)}
}

// scriptMicros is the time Redis has spent in EVALSHA and EVAL, in µs
// (INFO commandstats).
func scriptMicros(b *testing.B, env *redistest.Env) float64 {
	b.Helper()
	info, err := env.Client.Info(context.Background(), "commandstats").Result()
	require.NoError(b, err)
	var us float64
	for line := range strings.SplitSeq(info, "\r\n") {
		if !strings.HasPrefix(line, "cmdstat_evalsha:") && !strings.HasPrefix(line, "cmdstat_eval:") {
			continue
		}
		for f := range strings.SplitSeq(line[strings.IndexByte(line, ':')+1:], ",") {
			if v, ok := strings.CutPrefix(f, "usec="); ok {
				n, err := strconv.ParseFloat(v, 64)
				require.NoError(b, err)
				us += n
			}
		}
	}
	return us
}

// runPoller runs a poller publishing through c until c has seen its
// messages, and returns how long that took.
func runPoller(b *testing.B, timers *redis.Timers, c *counter, limit time.Duration) time.Duration {
	b.Helper()
	p, err := redis.NewPoller(redis.PollerConfig{Timers: timers, Publish: c, Encode: encodeJSON})
	require.NoError(b, err)
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	start := time.Now()
	go func() { defer close(stopped); _ = p.Run(ctx) }()
	select {
	case <-c.done:
	case <-time.After(limit):
		b.Fatal("the poller did not fire every due timer")
	}
	elapsed := time.Since(start)
	cancel()
	<-stopped
	return elapsed
}

// latenessFigures are percentiles of fire lateness, in milliseconds.
type latenessFigures struct{ p50, p99, max float64 }

// steadyLateness schedules rate timers a second for d (ids from base on),
// the first due a second from now on Redis's clock, runs a poller and
// returns how late each was published (PubAck time − due time).
func steadyLateness(b *testing.B, env *redistest.Env, timers *redis.Timers, srv *jetstreamtest.Server,
	rate int, d time.Duration, base int,
) latenessFigures {
	b.Helper()
	ctx := context.Background()
	n := rate * int(d/time.Second)
	redisNow, err := env.Client.Time(ctx).Result()
	require.NoError(b, err)
	first := redisNow.Add(time.Second)
	batch := make([]redis.Timer, 0, n)
	for i := range n {
		batch = append(batch, benchTimer(base+i, first.Add(time.Duration(i)*time.Second/time.Duration(rate))))
	}
	require.NoError(b, timers.ScheduleMany(ctx, batch))

	var late []time.Duration
	c := &counter{pub: jetstream.NewPublisher(srv.Conn.JS), want: n, done: make(chan struct{})}
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
	runPoller(b, timers, c, d+time.Minute)
	c.mu.Lock()
	defer c.mu.Unlock()
	require.Len(b, late, n)
	slices.Sort(late)
	ms := func(v time.Duration) float64 { return float64(v) / float64(time.Millisecond) }
	return latenessFigures{
		p50: ms(late[len(late)/2]),
		p99: ms(late[min(len(late)-1, len(late)*99/100)]),
		max: ms(late[len(late)-1]),
	}
}

// infoMemory reads one field of INFO memory.
func infoMemory(b *testing.B, env *redistest.Env, field string) int64 {
	b.Helper()
	info, err := env.Client.Info(context.Background(), "memory").Result()
	require.NoError(b, err)
	for line := range strings.SplitSeq(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			require.NoError(b, err)
			return n
		}
	}
	b.Fatalf("no %s in INFO memory", field)
	return 0
}
