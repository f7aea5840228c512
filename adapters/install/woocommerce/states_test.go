package woocommerce_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/install/woocommerce"
	"github.com/boomerang-dev/boomerang/adapters/redis/redistest"
)

func TestRedisStatesTakeOnce(t *testing.T) {
	t.Parallel()
	env := redistest.Start(t)
	s := woocommerce.NewRedisStates(env.Client, env.Prefix)
	ctx := t.Context()
	require.NoError(t, s.Put(ctx, "k", []byte("v1"), time.Minute))
	require.NoError(t, s.Put(ctx, "k", []byte("v2"), time.Minute), "a put replaces")
	ttl, err := env.Client.PTTL(ctx, env.Prefix+":install:k").Result()
	require.NoError(t, err)
	require.InDelta(t, time.Minute.Seconds(), ttl.Seconds(), 5, "kept for the ttl given")

	got, err := s.Take(ctx, "k")
	require.NoError(t, err)
	require.Equal(t, []byte("v2"), got)
	got, err = s.Take(ctx, "k")
	require.NoError(t, err)
	require.Nil(t, got, "taken once")
	got, err = s.Take(ctx, "never")
	require.NoError(t, err)
	require.Nil(t, got)
	require.Error(t, s.Put(ctx, "k", []byte("v"), 0), "no ttl, no put")
}

func TestRedisStatesConcurrentTakesGetItOnce(t *testing.T) {
	t.Parallel()
	env := redistest.Start(t)
	s := woocommerce.NewRedisStates(env.Client, env.Prefix)
	require.NoError(t, s.Put(t.Context(), "race", []byte("token"), time.Minute))
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		wins int
	)
	for range 16 {
		wg.Go(func() {
			got, err := s.Take(t.Context(), "race")
			if err == nil && got != nil {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	require.Equal(t, 1, wins)
}

func TestRedisStatesDefaultPrefix(t *testing.T) {
	t.Parallel()
	env := redistest.Start(t)
	s := woocommerce.NewRedisStates(env.Client, "")
	key := env.Prefix + "-default-prefix"
	require.NoError(t, s.Put(t.Context(), key, []byte("v"), time.Minute))
	t.Cleanup(func() { env.Client.Del(t.Context(), "bm:install:"+key) })
	n, err := env.Client.Exists(t.Context(), "bm:install:"+key).Result()
	require.NoError(t, err)
	require.Equal(t, int64(1), n)
}
