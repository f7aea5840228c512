package redis_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/adapters/redis/redistest"
)

func TestFlowStatsCountsPerFlowAndArm(t *testing.T) {
	t.Parallel()
	env := redistest.Start(t)
	s := redis.NewFlowStats(env.Client, redis.Keys{Prefix: env.Prefix})
	ctx := context.Background()
	for range 3 {
		require.NoError(t, s.Sent(ctx, "demo", "welcome-series", "subject=a"))
	}
	require.NoError(t, s.Sent(ctx, "demo", "welcome-series", "subject=b,delay=long"))
	require.NoError(t, s.Sent(ctx, "demo", "order-confirmation", ""))
	require.NoError(t, s.Converted(ctx, "demo", "welcome-series", "subject=a", "19.99"))
	require.NoError(t, s.Converted(ctx, "demo", "welcome-series", "subject=a", "0.015"))
	require.NoError(t, s.Converted(ctx, "demo", "welcome-series", "subject=b,delay=long", "not money"))

	all, err := s.All(ctx, "demo")
	require.NoError(t, err)
	w := all["welcome-series"]
	require.Equal(t, redis.Figures{Sends: 4, Conversions: 3, Revenue: "20.005"}, w.Figures)
	require.Equal(t, redis.Figures{Sends: 3, Conversions: 2, Revenue: "20.005"}, w.Arms["subject=a"])
	require.Equal(t, redis.Figures{Sends: 1, Conversions: 1, Revenue: "0.00"}, w.Arms["subject=b"], "unreadable revenue counts the order only")
	require.Equal(t, redis.Figures{Sends: 1, Conversions: 1, Revenue: "0.00"}, w.Arms["delay=long"])
	require.Equal(t, int64(1), all["order-confirmation"].Sends)
	require.Empty(t, all["order-confirmation"].Arms)

	first, err := s.Decide(ctx, "demo", "welcome-series", "subject", []byte(`{"winner":"a"}`))
	require.NoError(t, err)
	require.True(t, first)
	first, err = s.Decide(ctx, "demo", "welcome-series", "subject", []byte(`{"winner":"b"}`))
	require.NoError(t, err)
	require.False(t, first, "a decision stands")
	d, err := s.Decisions(ctx, "demo")
	require.NoError(t, err)
	require.Equal(t, map[string]string{"welcome-series|subject": `{"winner":"a"}`}, d)
}
