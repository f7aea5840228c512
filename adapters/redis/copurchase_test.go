package redis_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/adapters/redis/redistest"
)

func TestCoPurchaseAndCatalogue(t *testing.T) {
	t.Parallel()
	env := redistest.Start(t)
	keys := redis.Keys{Prefix: env.Prefix}
	co := redis.NewCoPurchase(env.Client, keys)
	ctx := context.Background()
	day := time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)
	require.NoError(t, co.Observe(ctx, "demo", []string{"mug", "beans"}, day))
	require.NoError(t, co.Observe(ctx, "demo", []string{"mug", "beans", "kettle"}, day.AddDate(0, 0, -10)))
	require.NoError(t, co.Observe(ctx, "demo", []string{"kettle"}, day.AddDate(0, 0, -100)), "outside the window")
	require.NoError(t, co.Observe(ctx, "other", []string{"mug", "tea"}, day))

	nb, orders, err := co.Neighbours(ctx, "demo", []string{"mug"})
	require.NoError(t, err)
	require.Equal(t, map[string]map[string]int64{"mug": {"beans": 2, "kettle": 1}}, nb)
	require.Equal(t, map[string]int64{"mug": 2, "beans": 2, "kettle": 2}, orders)

	pop, err := co.Popular(ctx, "demo", day, 90, 10)
	require.NoError(t, err)
	require.Equal(t, []string{"mug", "beans", "kettle"}, pop, "90 days: the old kettle sale does not count")

	cat := redis.NewCatalogue(env.Client, keys)
	require.NoError(t, cat.Put(ctx, "demo", "mug", []byte(`{"id":"mug"}`)))
	got, err := cat.Get(ctx, "demo", []string{"mug", "nope"})
	require.NoError(t, err)
	require.Equal(t, [][]byte{[]byte(`{"id":"mug"}`), nil}, got)
	require.NoError(t, cat.Delete(ctx, "demo", "mug"))
	got, err = cat.Get(ctx, "demo", []string{"mug"})
	require.NoError(t, err)
	require.Nil(t, got[0])
}
