package redis_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/adapters/redis/redistest"
)

func TestEraserStopsAndErases(t *testing.T) {
	t.Parallel()
	env := redistest.Start(t)
	keys := redis.Keys{Prefix: env.Prefix}
	ctx := context.Background()
	timers, err := redis.NewTimers(redis.TimerConfig{Client: env.Client, Keys: keys})
	require.NoError(t, err)
	dates := redis.NewDates(env.Client, keys)
	outbox := redis.NewOutboxStore(env.Client, keys)
	now := time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)
	customer := func(c, email string) {
		require.NoError(t, env.Client.HSet(ctx, keys.CustomerState("demo", c), "p", `{"key":"`+c+`"}`).Err())
		require.NoError(t, env.Client.HSet(ctx, keys.CustomerRuns("demo", c), "run-"+c, `{"id":"run-`+c+`","wait":{"timer_id":"t-`+c+`"}}`).Err())
		require.NoError(t, env.Client.Set(ctx, keys.EventSeen("demo", c, "order.placed:demo:1"), "{}", 0).Err())
		require.NoError(t, timers.ScheduleMany(ctx, []redis.Timer{{ID: "t-" + c, Due: now.Add(time.Hour), Payload: []byte("demo|" + c + "|run-" + c)}}))
		require.NoError(t, dates.Update(ctx, "demo", c, true, []redis.DateMove{{Kind: "birthday", To: "03-20"}}))
		_, err := outbox.Add(ctx, "demo", "run-"+c+":step", now, []byte(`{"to":"`+email+`"}`))
		require.NoError(t, err)
	}
	customer("e:ann@example.com", "ann@example.com")
	customer("e:bo@example.com", "bo@example.com")
	e := redis.NewEraser(env.Client, keys, timers)

	require.NoError(t, e.EraseCustomer(ctx, "demo", "e:ann@example.com", []string{"Ann@Example.com"}))
	n, err := env.Client.Exists(ctx, keys.CustomerState("demo", "e:ann@example.com"), keys.CustomerRuns("demo", "e:ann@example.com"),
		keys.EventSeen("demo", "e:ann@example.com", "order.placed:demo:1")).Result()
	require.NoError(t, err)
	require.Zero(t, n, "profile, runs and idempotency records are gone")
	on, err := dates.On(ctx, "demo", "03-20")
	require.NoError(t, err)
	require.Equal(t, []redis.DateEntry{{Kind: "birthday", Customer: "e:bo@example.com"}}, on)
	msgs, err := outbox.List(ctx, "demo", 10)
	require.NoError(t, err)
	require.Len(t, msgs, 1, "ann's message is gone, bo's stays")
	claimed := claimAll(t, timers, now.Add(2*time.Hour))
	require.Equal(t, []string{"t-e:bo@example.com"}, claimed, "ann's timer was cancelled")

	require.NoError(t, timers.ScheduleMany(ctx, []redis.Timer{{ID: "t-e:bo@example.com", Due: now.Add(3 * time.Hour), Payload: []byte("x|y|z")}}))
	stopped, err := e.StopShop(ctx, "demo")
	require.NoError(t, err)
	require.Equal(t, 1, stopped)
	require.Empty(t, claimAll(t, timers, now.Add(4*time.Hour)), "an uninstalled shop's timers are cancelled")
	n, err = env.Client.Exists(ctx, keys.CustomerState("demo", "e:bo@example.com")).Result()
	require.NoError(t, err)
	require.Equal(t, int64(1), n, "uninstall keeps the data until the shop is redacted")

	require.NoError(t, e.EraseShop(ctx, "demo"))
	left, err := env.Client.Keys(ctx, env.Prefix+":*").Result()
	require.NoError(t, err)
	for _, k := range left {
		require.NotContains(t, k, "demo", "nothing of the shop is left: %v", left)
	}
}

// claimAll claims every timer due by at, in every shard.
func claimAll(t *testing.T, timers *redis.Timers, at time.Time) []string {
	t.Helper()
	var ids []string
	for s := range timers.Shards() {
		c, err := timers.Claim(context.Background(), s, at, 100)
		require.NoError(t, err)
		for _, x := range c {
			ids = append(ids, x.ID)
		}
	}
	return ids
}
