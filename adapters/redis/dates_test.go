package redis_test

import (
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/adapters/redis/redistest"
)

func TestDatesIndex(t *testing.T) {
	t.Parallel()
	env := redistest.Start(t)
	d := redis.NewDates(env.Client, redis.Keys{Prefix: env.Prefix})
	ctx := context.Background()

	require.NoError(t, d.Update(ctx, "demo", "e:ann@example.com", true, []redis.DateMove{{Kind: "birthday", To: "03-20"}}))
	require.NoError(t, d.Update(ctx, "demo", "e:bo@example.com", true, nil))
	require.NoError(t, d.Update(ctx, "demo", "e:ann@example.com", false, nil), "nothing to do")
	on, err := d.On(ctx, "demo", "03-20")
	require.NoError(t, err)
	require.Equal(t, []redis.DateEntry{{Kind: "birthday", Customer: "e:ann@example.com"}}, on)

	// A corrected birthday moves.
	require.NoError(t, d.Update(ctx, "demo", "e:ann@example.com", false, []redis.DateMove{{Kind: "birthday", From: "03-20", To: "04-02"}}))
	on, err = d.On(ctx, "demo", "03-20")
	require.NoError(t, err)
	require.Empty(t, on)
	on, err = d.On(ctx, "demo", "04-02")
	require.NoError(t, err)
	require.Len(t, on, 1)
	on, err = d.On(ctx, "other", "04-02")
	require.NoError(t, err)
	require.Empty(t, on, "per shop")

	var all []string
	require.NoError(t, d.Customers(ctx, "demo", func(keys []string) error { all = append(all, keys...); return nil }))
	slices.Sort(all)
	require.Equal(t, []string{"e:ann@example.com", "e:bo@example.com"}, all)
}
