package redis_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/adapters/redis/redistest"
)

func TestReconcileCursorNeverMovesBack(t *testing.T) {
	t.Parallel()
	env := redistest.Start(t)
	c := redis.NewReconcileCursors(env.Client, redis.Keys{Prefix: env.Prefix})
	ctx := context.Background()
	_, ok, err := c.Cursor(ctx, "acme")
	require.NoError(t, err)
	require.False(t, ok)

	t1 := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	require.NoError(t, c.SetCursor(ctx, "acme", t1))
	// A slower replica finishing an older poll later does not undo it.
	require.NoError(t, c.SetCursor(ctx, "acme", t1.Add(-time.Hour)))
	got, ok, err := c.Cursor(ctx, "acme")
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, t1, got)

	require.NoError(t, c.SetCursor(ctx, "acme", t1.Add(time.Minute)))
	got, _, err = c.Cursor(ctx, "acme")
	require.NoError(t, err)
	require.Equal(t, t1.Add(time.Minute), got)

	require.NoError(t, env.Client.Set(ctx, redis.Keys{Prefix: env.Prefix}.ReconcileCursor("acme"), "garbage", 0).Err())
	_, ok, err = c.Cursor(ctx, "acme")
	require.NoError(t, err)
	require.False(t, ok, "an unreadable cursor starts afresh")
}
