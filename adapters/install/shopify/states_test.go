package shopify_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/install/shopify"
	"github.com/boomerang-dev/boomerang/adapters/redis/redistest"
)

func TestRedisStatesTakeOnce(t *testing.T) {
	t.Parallel()
	env := redistest.Start(t)
	ctx := context.Background()
	s := shopify.NewRedisStates(env.Client, env.Prefix)

	require.NoError(t, s.Put(ctx, "k", []byte("v"), time.Minute))
	v, err := s.Take(ctx, "k")
	require.NoError(t, err)
	require.Equal(t, []byte("v"), v)
	v, err = s.Take(ctx, "k")
	require.NoError(t, err)
	require.Nil(t, v, "taken once")

	v, err = s.Take(ctx, "never")
	require.NoError(t, err)
	require.Nil(t, v)

	require.Error(t, s.Put(ctx, "k", []byte("v"), 0))
	require.Error(t, s.Put(ctx, "", []byte("v"), time.Minute))

	// Many concurrent takes of one state: exactly one wins.
	require.NoError(t, s.Put(ctx, "race", []byte("v"), time.Minute))
	var winners atomic.Int64
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			if v, err := s.Take(ctx, "race"); err == nil && v != nil {
				winners.Add(1)
			}
		})
	}
	wg.Wait()
	require.Equal(t, int64(1), winners.Load())
}

// A state expires with its TTL.
func TestRedisStatesExpire(t *testing.T) {
	t.Parallel()
	env := redistest.Start(t)
	ctx := context.Background()
	s := shopify.NewRedisStates(env.Client, env.Prefix)
	require.NoError(t, s.Put(ctx, "k", []byte("v"), time.Minute))
	ttl, err := env.Client.PTTL(ctx, env.Prefix+":install:state:{k}").Result()
	require.NoError(t, err)
	require.Greater(t, ttl, 50*time.Second)
	require.LessOrEqual(t, ttl, time.Minute)
}
