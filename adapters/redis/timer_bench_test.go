package redis_test

import (
	"context"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/adapters/redis/redistest"
)

// BenchmarkSchedule measures timer upserts per second: one Schedule per
// round trip from 32 goroutines, and ScheduleMany of 1,000.
func BenchmarkSchedule(b *testing.B) {
	b.Run("one", func(b *testing.B) {
		env := redistest.Start(b)
		timers, err := redis.NewTimers(redis.TimerConfig{Client: env.Client, Keys: redis.Keys{Prefix: env.Prefix}})
		require.NoError(b, err)
		due := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
		var n atomic.Int64
		b.SetParallelism(16) // × GOMAXPROCS goroutines
		b.ResetTimer()
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			ctx := context.Background()
			for pb.Next() {
				tm := benchTimer(int(n.Add(1)), due)
				if err := timers.Schedule(ctx, tm.ID, tm.Due, tm.Payload); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "schedules/s")
	})
	b.Run("many", func(b *testing.B) {
		env := redistest.Start(b)
		timers, err := redis.NewTimers(redis.TimerConfig{Client: env.Client, Keys: redis.Keys{Prefix: env.Prefix}})
		require.NoError(b, err)
		due := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
		ctx := context.Background()
		b.ResetTimer()
		start := time.Now()
		for i := 0; i < b.N; i += 1000 {
			batch := make([]redis.Timer, 0, 1000)
			for j := i; j < min(i+1000, b.N); j++ {
				batch = append(batch, benchTimer(j, due))
			}
			require.NoError(b, timers.ScheduleMany(ctx, batch))
		}
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "schedules/s")
	})
}

// BenchmarkTimerMemory measures Redis memory per pending timer: INFO
// used_memory before and after scheduling 1,000,000 processor-shaped timers
// (42-byte id, 60-byte payload) on a private server, and the MEMORY USAGE
// of the shards' keys. Target: at most 300 B. It runs once whatever b.N.
func BenchmarkTimerMemory(b *testing.B) {
	const n = 1_000_000
	env := redistest.StartPrivate(b)
	ctx := context.Background()
	timers, err := redis.NewTimers(redis.TimerConfig{Client: env.Client, Keys: redis.Keys{Prefix: env.Prefix}})
	require.NoError(b, err)
	before := usedMemory(b, env)
	due := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	start := time.Now()
	batch := make([]redis.Timer, 0, 10_000)
	for i := range n {
		batch = append(batch, benchTimer(i, due.Add(time.Duration(i)*time.Millisecond)))
		if len(batch) == cap(batch) {
			require.NoError(b, timers.ScheduleMany(ctx, batch))
			batch = batch[:0]
		}
	}
	elapsed := time.Since(start)
	after := usedMemory(b, env)
	pending, err := timers.Pending(ctx)
	require.NoError(b, err)
	require.EqualValues(b, n, pending)

	keys := redis.Keys{Prefix: env.Prefix}
	var usage int64
	for s := range timers.Shards() {
		for _, k := range []string{keys.TimerDue(s), keys.TimerPayload(s)} {
			u, err := env.Client.MemoryUsage(ctx, k, 50).Result()
			require.NoError(b, err)
			usage += u
		}
	}
	b.ReportMetric(float64(after-before)/n, "used_memory-B/timer")
	b.ReportMetric(float64(usage)/n, "memory_usage-B/timer")
	b.ReportMetric(float64(n)/elapsed.Seconds(), "schedules/s")
	b.ReportMetric(0, "ns/op")
}

func usedMemory(b *testing.B, env *redistest.Env) int64 {
	b.Helper()
	info, err := env.Client.Info(context.Background(), "memory").Result()
	require.NoError(b, err)
	for line := range strings.SplitSeq(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, "used_memory:"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			require.NoError(b, err)
			return n
		}
	}
	b.Fatal("no used_memory in INFO memory")
	return 0
}
