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

// The one-round-trip lookup must agree with the stores it stands for.
func TestSendLookupAgreesWithTheStores(t *testing.T) {
	t.Parallel()
	env := redistest.Start(t)
	keys := redis.Keys{Prefix: env.Prefix}
	ctx := context.Background()
	now := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	lookup := redis.NewSendLookup(env.Client, keys, time.Hour)

	f, err := lookup.Lookup(ctx, "run1:a", "demo", "e:ann@example.com", "email", "ann@example.com", true, now)
	require.NoError(t, err)
	require.True(t, f.Claimed)
	require.Nil(t, f.Profile, "unknown customer")
	require.Empty(t, f.Suppressed)
	require.Empty(t, f.Recent)

	// Claimed through the lookup: the ledger sees the claim.
	ok, st, err := redis.NewLedger(env.Client, keys, time.Hour).Claim(ctx, "run1:a", now)
	require.NoError(t, err)
	require.False(t, ok)
	require.Equal(t, redis.LedgerClaimed, redis.StateOf(st))

	require.NoError(t, redis.NewSuppressions(env.Client, keys).Add(ctx, "demo", "email", "ANN@example.com", "bounce"))
	require.NoError(t, redis.NewRecentSends(env.Client, keys).Record(ctx, "demo", "e:ann@example.com", "email", 50, now))
	require.NoError(t, redis.NewRecentSends(env.Client, keys).Record(ctx, "demo", "e:ann@example.com", "sms", 40, now))
	require.NoError(t, env.Client.HSet(ctx, keys.CustomerState("demo", "e:ann@example.com"), "p", `{"key":"e:ann@example.com"}`).Err())

	f, err = lookup.Lookup(ctx, "run1:b", "demo", "e:ann@example.com", "email", "ann@example.com", true, now)
	require.NoError(t, err)
	require.True(t, f.Claimed)
	require.JSONEq(t, `{"key":"e:ann@example.com"}`, string(f.Profile))
	require.Equal(t, "bounce", f.Suppressed, "addresses compare normalised")
	require.Equal(t, map[int]time.Time{50: now}, f.Recent, "the channel's sends only")

	f, err = lookup.Lookup(ctx, "run1:b", "demo", "e:ann@example.com", "email", "ann@example.com", false, now)
	require.NoError(t, err)
	require.False(t, f.Claimed, "a second lookup of the same message does not claim it")
	require.Equal(t, redis.LedgerClaimed, redis.StateOf(f.State))
	require.Nil(t, f.Recent, "transactional sends read no recent sends")

	// Concurrent lookups of one message: exactly one claims it.
	var winners atomic.Int64
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			f, err := lookup.Lookup(ctx, "run2:a", "demo", "e:bo@example.com", "email", "bo@example.com", true, now)
			require.NoError(t, err)
			if f.Claimed {
				winners.Add(1)
			}
		})
	}
	wg.Wait()
	require.Equal(t, int64(1), winners.Load())
}
