package redis_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/adapters/redis/redistest"
)

func TestLedgerClaimsOnce(t *testing.T) {
	t.Parallel()
	env := redistest.Start(t)
	l := redis.NewLedger(env.Client, redis.Keys{Prefix: env.Prefix}, time.Hour)
	ctx := context.Background()
	now := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	var winners atomic.Int64
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			ok, _, err := l.Claim(ctx, "run1:reminder", now)
			require.NoError(t, err)
			if ok {
				winners.Add(1)
			}
		})
	}
	wg.Wait()
	require.Equal(t, int64(1), winners.Load())
	require.NoError(t, l.Set(ctx, "run1:reminder", "sent:SG.1"))
	ok, st, err := l.Claim(ctx, "run1:reminder", now)
	require.NoError(t, err)
	require.False(t, ok)
	require.Equal(t, "sent", redis.StateOf(st))
	require.NoError(t, l.Release(ctx, "run1:reminder"))
	ok, _, err = l.Claim(ctx, "run1:reminder", now)
	require.NoError(t, err)
	require.True(t, ok, "a released claim can be claimed again")
}

func TestSuppressionsAndRecentSends(t *testing.T) {
	t.Parallel()
	env := redistest.Start(t)
	keys := redis.Keys{Prefix: env.Prefix}
	ctx := context.Background()
	s := redis.NewSuppressions(env.Client, keys)
	require.NoError(t, s.Add(ctx, "demo", "email", " Ann@Example.com ", "hard bounce"))
	r, err := s.Reason(ctx, "demo", "email", "ann@example.com")
	require.NoError(t, err)
	require.Equal(t, "hard bounce", r)
	r, err = s.Reason(ctx, "demo", "sms", "ann@example.com")
	require.NoError(t, err)
	require.Empty(t, r)
	require.NoError(t, s.Remove(ctx, "demo", "email", "ann@example.com"))
	r, err = s.Reason(ctx, "demo", "email", "ann@example.com")
	require.NoError(t, err)
	require.Empty(t, r)

	rs := redis.NewRecentSends(env.Client, keys)
	at := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	require.NoError(t, rs.Record(ctx, "demo", "e:ann@example.com", "email", 50, at))
	require.NoError(t, rs.Record(ctx, "demo", "e:ann@example.com", "sms", 50, at.Add(time.Hour)))
	got, err := rs.On(ctx, "demo", "e:ann@example.com", "email")
	require.NoError(t, err)
	require.Equal(t, map[int]time.Time{50: at}, got)
}
