package redis_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/adapters/redis/redistest"
)

var t0 = time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)

type testBundle struct {
	env    *redistest.Env
	keys   redis.Keys
	timers *redis.Timers
}

func setup(t *testing.T, opts ...func(*redis.TimerConfig)) *testBundle {
	t.Helper()
	return setupOn(t, redistest.Start(t), opts...)
}

// setupOn is setup on a given server; tests that flush the script cache use
// a private one, so they never disturb tests sharing the server.
func setupOn(t *testing.T, env *redistest.Env, opts ...func(*redis.TimerConfig)) *testBundle {
	t.Helper()
	cfg := redis.TimerConfig{Client: env.Client, Keys: redis.Keys{Prefix: env.Prefix}}
	for _, o := range opts {
		o(&cfg)
	}
	timers, err := redis.NewTimers(cfg)
	require.NoError(t, err)
	return &testBundle{env: env, keys: cfg.Keys, timers: timers}
}

// claimAll claims every shard at now and returns the claims sorted by due
// time, then id.
func (b *testBundle) claimAll(t *testing.T, now time.Time) []redis.Claimed {
	t.Helper()
	var out []redis.Claimed
	for s := range b.timers.Shards() {
		c, err := b.timers.Claim(context.Background(), s, now, 1000)
		require.NoError(t, err)
		out = append(out, c...)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Due.Equal(out[j].Due) {
			return out[i].Due.Before(out[j].Due)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

func (b *testBundle) pending(t *testing.T) int64 {
	t.Helper()
	n, err := b.timers.Pending(context.Background())
	require.NoError(t, err)
	return n
}

func ids(cs []redis.Claimed) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

func TestScheduleRescheduleCancel(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	require.NoError(t, b.timers.Schedule(ctx, "run-a:1", t0.Add(time.Hour), []byte("demo|ann|run-a")))
	require.NoError(t, b.timers.Schedule(ctx, "run-b:1", t0.Add(2*time.Hour), []byte("demo|bob|run-b")))
	require.NoError(t, b.timers.Schedule(ctx, "run-c:1", t0.Add(3*time.Hour), nil))
	require.EqualValues(t, 3, b.pending(t))

	// Rescheduling overwrites due time and payload.
	require.NoError(t, b.timers.Schedule(ctx, "run-a:1", t0.Add(4*time.Hour), []byte("demo|ann|run-a2")))
	require.EqualValues(t, 3, b.pending(t), "an upsert, not a second timer")
	require.NoError(t, b.timers.Cancel(ctx, "run-b:1"))
	require.NoError(t, b.timers.Cancel(ctx, "never-scheduled"), "cancelling an unknown id is fine")

	require.Empty(t, b.claimAll(t, t0.Add(90*time.Minute)), "run-a moved to 4h, run-b is cancelled")
	got := b.claimAll(t, t0.Add(5*time.Hour))
	require.Equal(t, []string{"run-c:1", "run-a:1"}, ids(got))
	require.Equal(t, t0.Add(3*time.Hour), got[0].Due)
	require.Empty(t, got[0].Payload)
	require.Equal(t, t0.Add(4*time.Hour), got[1].Due)
	require.Equal(t, "demo|ann|run-a2", string(got[1].Payload))
	require.Equal(t, "run-a:1:"+fmt.Sprint(t0.Add(4*time.Hour).UnixMilli()), got[1].MsgID())
	require.Equal(t, b.timers.ShardOf("run-a:1"), got[1].Shard)

	require.NoError(t, b.timers.Ack(ctx, got))
	require.Zero(t, b.pending(t))
	require.NoError(t, b.timers.CancelMany(ctx, nil))
	require.NoError(t, b.timers.ScheduleMany(ctx, nil))
	require.NoError(t, b.timers.Ack(ctx, nil))
}

func TestClaimLeases(t *testing.T) {
	t.Parallel()
	b := setup(t, func(c *redis.TimerConfig) { c.Lease = 30 * time.Second })
	ctx := context.Background()
	require.NoError(t, b.timers.ScheduleMany(ctx, []redis.Timer{
		{ID: "early", Due: t0.Add(-time.Minute), Payload: []byte("e")},
		{ID: "now", Due: t0, Payload: []byte("n")},
		{ID: "later", Due: t0.Add(time.Minute), Payload: []byte("l")},
	}))

	first := b.claimAll(t, t0)
	require.Equal(t, []string{"early", "now"}, ids(first), "only due timers, earliest first")
	for _, c := range first {
		require.Equal(t, t0.Add(30*time.Second), c.LeaseUntil)
	}
	require.Empty(t, b.claimAll(t, t0.Add(29*time.Second)), "leased: invisible until the lease ends")

	again := b.claimAll(t, t0.Add(31*time.Second))
	require.Equal(t, []string{"early", "now"}, ids(again), "an unacknowledged claim comes back after the lease")
	require.Equal(t, first[0].Due, again[0].Due, "with its first due time, not the lease expiry")
	require.Equal(t, first[0].MsgID(), again[0].MsgID())
	require.Equal(t, t0.Add(61*time.Second), again[0].LeaseUntil)

	// The claim whose lease lapsed cannot remove the timers; the live one can.
	require.NoError(t, b.timers.Ack(ctx, first))
	require.EqualValues(t, 3, b.pending(t))
	require.NoError(t, b.timers.Ack(ctx, again))
	require.EqualValues(t, 1, b.pending(t))
	require.Equal(t, []string{"later"}, ids(b.claimAll(t, t0.Add(time.Hour))))
}

func TestClaimLimitTakesEarliest(t *testing.T) {
	t.Parallel()
	b := setup(t, func(c *redis.TimerConfig) { c.Shards = 1; c.Batch = 3 })
	ctx := context.Background()
	var ts []redis.Timer
	for i := range 10 {
		ts = append(ts, redis.Timer{ID: fmt.Sprintf("t%d", i), Due: t0.Add(-time.Duration(i) * time.Second)})
	}
	require.NoError(t, b.timers.ScheduleMany(ctx, ts))
	got, err := b.timers.Claim(ctx, 0, t0, 0)
	require.NoError(t, err)
	require.ElementsMatch(t, []string{"t9", "t8", "t7"}, ids(got), "the default batch, earliest due first")
	got, err = b.timers.Claim(ctx, 0, t0, 5)
	require.NoError(t, err)
	require.ElementsMatch(t, []string{"t6", "t5", "t4", "t3", "t2"}, ids(got))
}

func TestAckOfStaleClaimKeepsRescheduledTimer(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	require.NoError(t, b.timers.Schedule(ctx, "run:2", t0, []byte("v1")))
	claims := b.claimAll(t, t0)
	require.Len(t, claims, 1)

	// The run moves on while the fire is in flight.
	require.NoError(t, b.timers.Schedule(ctx, "run:2", t0.Add(time.Hour), []byte("v2")))
	require.NoError(t, b.timers.Ack(ctx, claims))
	require.EqualValues(t, 1, b.pending(t), "the rescheduled timer survives the stale ack")
	require.Empty(t, b.claimAll(t, t0.Add(time.Minute)))

	got := b.claimAll(t, t0.Add(time.Hour))
	require.Len(t, got, 1)
	require.Equal(t, t0.Add(time.Hour), got[0].Due)
	require.Equal(t, "v2", string(got[0].Payload))
	require.NoError(t, b.timers.Ack(ctx, got))
	require.Zero(t, b.pending(t))
}

func TestRescheduleToTheLeaseExpirySurvivesStaleAck(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	require.NoError(t, b.timers.Schedule(ctx, "run:3", t0, []byte("v1")))
	claims := b.claimAll(t, t0)
	require.Len(t, claims, 1)
	// Same score as the lease: only the forgotten lease entry tells them apart.
	require.NoError(t, b.timers.Schedule(ctx, "run:3", claims[0].LeaseUntil, []byte("v2")))
	require.NoError(t, b.timers.Ack(ctx, claims))
	require.EqualValues(t, 1, b.pending(t))
	got := b.claimAll(t, claims[0].LeaseUntil)
	require.Len(t, got, 1)
	require.Equal(t, "v2", string(got[0].Payload))
}

func TestCancelInFlight(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	require.NoError(t, b.timers.Schedule(ctx, "run:4", t0, nil))
	claims := b.claimAll(t, t0)
	require.Len(t, claims, 1)
	require.NoError(t, b.timers.Cancel(ctx, "run:4"))
	require.NoError(t, b.timers.Ack(ctx, claims))
	require.Zero(t, b.pending(t))
	require.Empty(t, b.claimAll(t, t0.Add(time.Hour)), "a cancelled timer never comes back")
}

func TestClaimUsesRedisClock(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	redisNow, err := b.env.Client.Time(ctx).Result()
	require.NoError(t, err)
	require.NoError(t, b.timers.ScheduleMany(ctx, []redis.Timer{
		{ID: "past", Due: redisNow.Add(-time.Hour)},
		{ID: "future", Due: redisNow.Add(time.Hour)},
	}))
	got := b.claimAll(t, time.Time{})
	require.Equal(t, []string{"past"}, ids(got))
	require.WithinDuration(t, redisNow.Add(b.timers.Lease()), got[0].LeaseUntil, 10*time.Second,
		"the lease runs from Redis's TIME")

	next, ok, err := b.timers.Next(ctx, b.timers.ShardOf("future"))
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, redisNow.Add(time.Hour).Truncate(time.Millisecond).UnixMilli(), next.UnixMilli())
}

func TestScheduleManyAcrossShards(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	want := map[string]string{}
	var ts []redis.Timer
	for i := range 1500 { // several script chunks in some shards
		id := fmt.Sprintf("run-%d:0", i)
		want[id] = fmt.Sprintf("demo|c%d|run-%d", i, i)
		ts = append(ts, redis.Timer{ID: id, Due: t0.Add(time.Duration(i) * time.Millisecond), Payload: []byte(want[id])})
	}
	require.NoError(t, b.timers.ScheduleMany(ctx, ts))
	require.EqualValues(t, 1500, b.pending(t))
	got := b.claimAll(t, t0.Add(time.Hour))
	require.Len(t, got, 1500)
	for i, c := range got {
		require.Equal(t, fmt.Sprintf("run-%d:0", i), c.ID)
		require.Equal(t, want[c.ID], string(c.Payload))
		require.Equal(t, t0.Add(time.Duration(i)*time.Millisecond), c.Due)
		require.Equal(t, b.timers.ShardOf(c.ID), c.Shard)
	}
	require.NoError(t, b.timers.Ack(ctx, got))
	require.Zero(t, b.pending(t))
}

func TestQueueScheduleRidesAPipeline(t *testing.T) {
	t.Parallel()
	b := setupOn(t, redistest.StartPrivate(t))
	ctx := context.Background()
	// A fresh script cache: QueueSchedule must not depend on EVALSHA.
	require.NoError(t, b.env.Client.ScriptFlush(ctx).Err())
	pipe := b.env.Client.Pipeline()
	b.timers.QueueSchedule(pipe, redis.Timer{ID: "q:1", Due: t0, Payload: []byte("p1")})
	b.timers.QueueSchedule(pipe, redis.Timer{ID: "q:2", Due: t0.Add(time.Second), Payload: []byte("p2")})
	pipe.Set(ctx, b.keys.Prefix+":other", "x", 0)
	_, err := pipe.Exec(ctx)
	require.NoError(t, err)
	got := b.claimAll(t, t0.Add(time.Minute))
	require.Equal(t, []string{"q:1", "q:2"}, ids(got))
	require.Equal(t, "p2", string(got[1].Payload))
}

func TestScriptsSurviveAFlushedCache(t *testing.T) {
	t.Parallel()
	b := setupOn(t, redistest.StartPrivate(t))
	ctx := context.Background()
	require.NoError(t, b.env.Client.ScriptFlush(ctx).Err())
	require.NoError(t, b.timers.ScheduleMany(ctx, []redis.Timer{{ID: "a", Due: t0}, {ID: "b", Due: t0}, {ID: "c", Due: t0}}))
	require.NoError(t, b.env.Client.ScriptFlush(ctx).Err())
	got := b.claimAll(t, t0)
	require.Len(t, got, 3)
	require.NoError(t, b.env.Client.ScriptFlush(ctx).Err())
	require.NoError(t, b.timers.Ack(ctx, got))
	require.NoError(t, b.env.Client.ScriptFlush(ctx).Err())
	require.NoError(t, b.timers.CancelMany(ctx, []string{"x", "y", "z"}))
	require.Zero(t, b.pending(t))
}

func TestNextAndEmptyShard(t *testing.T) {
	t.Parallel()
	b := setup(t, func(c *redis.TimerConfig) { c.Shards = 2 })
	ctx := context.Background()
	_, ok, err := b.timers.Next(ctx, 0)
	require.NoError(t, err)
	require.False(t, ok)
	require.NoError(t, b.timers.ScheduleMany(ctx, []redis.Timer{{ID: "x", Due: t0.Add(time.Hour)}, {ID: "y", Due: t0.Add(time.Minute)}}))
	s := b.timers.ShardOf("y")
	next, ok, err := b.timers.Next(ctx, s)
	require.NoError(t, err)
	require.True(t, ok)
	if b.timers.ShardOf("x") == s {
		require.Equal(t, t0.Add(time.Minute), next)
	}
}

func TestTimersValidation(t *testing.T) {
	t.Parallel()
	_, err := redis.NewTimers(redis.TimerConfig{})
	require.ErrorContains(t, err, "Client is required")
	env := redistest.Start(t)
	_, err = redis.NewTimers(redis.TimerConfig{Client: env.Client, Lease: time.Microsecond})
	require.ErrorContains(t, err, "Lease")
	_, err = redis.NewTimers(redis.TimerConfig{Client: env.Client, Shards: -1})
	require.ErrorContains(t, err, "Shards")

	b := setup(t)
	ctx := context.Background()
	require.ErrorContains(t, b.timers.Schedule(ctx, "", t0, nil), "empty id")
	require.ErrorContains(t, b.timers.Schedule(ctx, "x", time.Time{}, nil), "zero due time")
	_, err = b.timers.Claim(ctx, redis.DefaultTimerShards, t0, 1)
	require.ErrorContains(t, err, "out of")
}

func TestClaimDropsOrphanMember(t *testing.T) {
	t.Parallel()
	b := setup(t, func(c *redis.TimerConfig) { c.Shards = 1 })
	ctx := context.Background()
	require.NoError(t, b.timers.Schedule(ctx, "ok", t0, nil))
	// A member without its record, as partial data loss could leave.
	require.NoError(t, b.env.Client.ZAdd(ctx, b.keys.TimerDue(0), goredis.Z{Score: float64(t0.UnixMilli()), Member: "orphan"}).Err())
	// And records this package never writes.
	for _, m := range []string{"foreign", "leased-without-due"} {
		require.NoError(t, b.env.Client.ZAdd(ctx, b.keys.TimerDue(0), goredis.Z{Score: float64(t0.UnixMilli()), Member: m}).Err())
	}
	require.NoError(t, b.env.Client.HSet(ctx, b.keys.TimerPayload(0), "foreign", "{}", "leased-without-due", "l123").Err())
	got, err := b.timers.Claim(ctx, 0, t0, 10)
	require.NoError(t, err)
	require.Equal(t, []string{"ok"}, ids(got))
	require.EqualValues(t, 1, b.pending(t), "the orphan and the foreign records are gone")
	n, err := b.env.Client.HLen(ctx, b.keys.TimerPayload(0)).Result()
	require.NoError(t, err)
	require.EqualValues(t, 1, n)
}

func TestRedistestPrefixesAreIsolated(t *testing.T) {
	t.Parallel()
	a, c := setup(t), setup(t)
	require.NotEqual(t, a.keys.Prefix, c.keys.Prefix)
	ctx := context.Background()
	require.NoError(t, a.timers.Schedule(ctx, "same-id", t0, []byte("a")))
	require.NoError(t, c.timers.Schedule(ctx, "same-id", t0, []byte("c")))
	got := a.claimAll(t, t0)
	require.Len(t, got, 1)
	require.Equal(t, "a", string(got[0].Payload))
}

func TestClaimAndAckBeyondOneCommandChunk(t *testing.T) {
	t.Parallel()
	b := setup(t, func(c *redis.TimerConfig) { c.Shards = 1 })
	ctx := context.Background()
	ts := dueTimers(2500, func(i int) time.Time { return t0.Add(-time.Duration(i) * time.Millisecond) })
	require.NoError(t, b.timers.ScheduleMany(ctx, ts))
	got, err := b.timers.Claim(ctx, 0, t0, 2500)
	require.NoError(t, err)
	require.Len(t, got, 2500)
	again, err := b.timers.Claim(ctx, 0, t0, 2500)
	require.NoError(t, err)
	require.Empty(t, again, "all 2,500 are leased")
	require.NoError(t, b.timers.Ack(ctx, got))
	require.Zero(t, b.pending(t))
	require.NoError(t, b.timers.CancelMany(ctx, ids(got)))
}
