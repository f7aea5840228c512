package storefront

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"
)

func TestLimitersRefillAndSweep(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	l := newLimiters(20, 40)
	require.Equal(t, 2*time.Second, l.idle)
	for range 40 {
		ok, _ := l.allow("a", now)
		require.True(t, ok)
	}
	ok, wait := l.allow("a", now)
	require.False(t, ok)
	require.Equal(t, 50*time.Millisecond, wait, "one token every 1/20 s")
	ok, _ = l.allow("a", now.Add(50*time.Millisecond))
	require.True(t, ok, "a refused request does not use up the next token")

	ok, _ = l.allow("b", now)
	require.True(t, ok)
	require.Equal(t, 2, l.size())
	// Past a minute, a sweep drops both: idle longer than a refill.
	later := now.Add(2 * sweepEvery)
	ok, _ = l.allow("c", later)
	require.True(t, ok)
	require.Equal(t, 1, l.size())
	ok, _ = l.allow("a", later)
	require.True(t, ok, "a dropped bucket comes back full")
}

func TestLimitersKeepBusyBuckets(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	l := newLimiters(1, 2)
	for range 2 {
		ok, _ := l.allow("a", now)
		require.True(t, ok)
	}
	// The sweep runs a minute later, but "a" was used just before it.
	ok, _ := l.allow("a", now.Add(sweepEvery-time.Second))
	require.True(t, ok)
	ok, wait := l.allow("a", now.Add(sweepEvery))
	require.True(t, ok, "a minute refilled it")
	require.Zero(t, wait)
	require.Equal(t, 1, l.size())
}

func TestLimitersOff(t *testing.T) {
	t.Parallel()
	l := newLimiters(rate.Inf, 0)
	for range 1000 {
		ok, _ := l.allow("a", time.Time{})
		require.True(t, ok)
	}
	require.Zero(t, l.size())
}
