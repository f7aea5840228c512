package send_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/processor/send"
)

var t0 = time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)

func newLimiter(t *testing.T, cfg send.LimiterConfig) *send.Limiter {
	t.Helper()
	l, err := send.NewLimiter(cfg)
	require.NoError(t, err)
	return l
}

// admit is Admit that fails the test on an error.
func admit(t *testing.T, l *send.Limiter, sender, id string, cost float64, lim send.Limit, now time.Time) time.Duration {
	t.Helper()
	d, err := l.Admit(sender, id, cost, lim, now)
	require.NoError(t, err)
	return d
}

func TestLimiterSpreadsABacklogInArrivalOrder(t *testing.T) {
	t.Parallel()
	l := newLimiter(t, send.LimiterConfig{})
	lim := send.Limit{Rate: 1, Burst: 2}
	require.Zero(t, admit(t, l, "", "a", 1, lim, t0), "the burst goes at once")
	require.Zero(t, admit(t, l, "", "b", 1, lim, t0))
	require.Equal(t, time.Second, admit(t, l, "", "c", 1, lim, t0), "c gets the next slot")
	require.Equal(t, 2*time.Second, admit(t, l, "", "d", 1, lim, t0), "d the one after")

	require.Equal(t, 500*time.Millisecond, admit(t, l, "", "c", 1, lim, t0.Add(500*time.Millisecond)),
		"back early, c keeps its place and is not charged again")
	require.Zero(t, admit(t, l, "", "c", 1, lim, t0.Add(time.Second)), "at its slot c goes")
	require.Equal(t, 2*time.Second, admit(t, l, "", "c", 1, lim, t0.Add(time.Second)),
		"a reservation serves once: c again is a newcomer, behind d")
	require.Zero(t, admit(t, l, "", "d", 1, lim, t0.Add(2*time.Second)))
	require.Equal(t, 2*time.Second, admit(t, l, "", "e", 1, lim, t0.Add(2*time.Second)),
		"a newcomer queues behind the reservations (c's second one at 3 s)")
}

func TestLimiterChargesTheCost(t *testing.T) {
	t.Parallel()
	l := newLimiter(t, send.LimiterConfig{})
	lim := send.Limit{Rate: 1} // burst 1
	require.Zero(t, admit(t, l, "+15005550006", "a", 1, lim, t0))
	require.Equal(t, time.Second, admit(t, l, "+15005550006", "b", 3, lim, t0),
		"three segments wait for a full bucket of one, not for three tokens it can never hold")
	require.Equal(t, 4*time.Second, admit(t, l, "+15005550006", "c", 0, lim, t0),
		"b's three segments hold c back three seconds behind it; a cost below one counts as one")
	require.Zero(t, admit(t, l, "+15005550007", "d", 1, lim, t0), "another sender has its own bucket")
}

func TestLimiterFollowsTheLimitItIsGiven(t *testing.T) {
	t.Parallel()
	l := newLimiter(t, send.LimiterConfig{})
	require.Zero(t, admit(t, l, "", "a", 1, send.Limit{Rate: 1}, t0))
	require.Equal(t, time.Second, admit(t, l, "", "b", 1, send.Limit{Rate: 1}, t0))
	require.Equal(t, 200*time.Millisecond, admit(t, l, "", "c", 1, send.Limit{Rate: 10}, t0),
		"the debt so far (2 tokens) is paid at the new rate")

	_, err := l.Admit("", "x", 1, send.Limit{}, t0)
	require.Error(t, err, "a rate of zero is a configuration error, not an unlimited account")
	_, err = l.Admit("", "x", 1, send.Limit{Rate: 1, Burst: -1}, t0)
	require.Error(t, err)
}

func TestLimiterPauseUntilTheProvidersReset(t *testing.T) {
	t.Parallel()
	l := newLimiter(t, send.LimiterConfig{})
	lim := send.Limit{Rate: 1}
	require.Zero(t, admit(t, l, "s1", "a", 1, lim, t0))
	require.Equal(t, time.Second, admit(t, l, "s1", "b", 1, lim, t0), "b reserved for t0+1s")

	until := l.Pause(t0.Add(30*time.Second), t0)
	require.Equal(t, t0.Add(30*time.Second), until)
	require.Equal(t, until, l.PausedUntil())
	require.Equal(t, 29*time.Second, admit(t, l, "s1", "b", 1, lim, t0.Add(time.Second)),
		"b's slot fell inside the pause: it queues again from the reset")
	require.Equal(t, 30*time.Second, admit(t, l, "s2", "c", 1, lim, t0),
		"the pause is account-wide: a sender seen for the first time waits too")
	require.Equal(t, 29*time.Second, admit(t, l, "s2", "d", 1, lim, t0.Add(2*time.Second)))
	require.Zero(t, admit(t, l, "s1", "b", 1, lim, t0.Add(30*time.Second)), "at the reset b is the probe")
	require.Zero(t, admit(t, l, "s2", "c", 1, lim, t0.Add(30*time.Second)))

	l2 := newLimiter(t, send.LimiterConfig{MaxPause: time.Minute})
	require.Equal(t, t0.Add(time.Minute), l2.Pause(t0.Add(48*time.Hour), t0), "a far reset is clamped to MaxPause")
}

func TestLimiterBacksOffWhenTheProviderSaysNothing(t *testing.T) {
	t.Parallel()
	l := newLimiter(t, send.LimiterConfig{
		MinPause: time.Second, MaxPause: 5 * time.Second, Rand: func() float64 { return 0.999999 },
	})
	near := func(want time.Duration, got time.Time, now time.Time) {
		t.Helper()
		require.InDelta(t, want.Seconds(), got.Sub(now).Seconds(), 0.001)
	}
	now := t0
	near(time.Second, l.Pause(time.Time{}, now), now)
	during := now.Add(500 * time.Millisecond)
	require.Equal(t, l.PausedUntil(), l.Pause(time.Time{}, during),
		"a 429 to a request sent before the pause changes nothing and is no strike")
	now = l.PausedUntil()
	near(2*time.Second, l.Pause(time.Time{}, now), now)
	now = l.PausedUntil()
	near(4*time.Second, l.Pause(time.Time{}, now), now)
	now = l.PausedUntil()
	near(5*time.Second, l.Pause(time.Time{}, now), now)
	now = l.PausedUntil()
	l.Succeeded()
	near(time.Second, l.Pause(time.Time{}, now), now)

	jittered := newLimiter(t, send.LimiterConfig{MinPause: 2 * time.Second, Rand: func() float64 { return 0 }})
	near(time.Second, jittered.Pause(time.Time{}, t0), t0)
	past := newLimiter(t, send.LimiterConfig{MinPause: 2 * time.Second, Rand: func() float64 { return 0 }})
	near(time.Second, past.Pause(t0.Add(-time.Minute), t0), t0)
}

func TestLimiterForgetsReservationsNobodyCameBackFor(t *testing.T) {
	t.Parallel()
	l := newLimiter(t, send.LimiterConfig{ReservationTTL: time.Minute})
	lim := send.Limit{Rate: 1}
	require.Zero(t, admit(t, l, "", "a", 1, lim, t0))
	require.Equal(t, time.Second, admit(t, l, "", "gone", 1, lim, t0))
	later := t0.Add(time.Hour)
	require.Zero(t, admit(t, l, "", "x", 1, lim, later), "the sweep ran first: the full bucket serves x")
	require.Equal(t, time.Second, admit(t, l, "", "gone", 1, lim, later),
		"the forgotten message is a newcomer again and queues behind x")
}

func TestLimiterUnderConcurrency(t *testing.T) {
	t.Parallel()
	l := newLimiter(t, send.LimiterConfig{})
	lim := send.Limit{Rate: 10, Burst: 5}
	const n = 50
	waits := make([]time.Duration, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			d, err := l.Admit("", fmt.Sprint("m", i), 1, lim, t0)
			if err == nil {
				waits[i] = d
			}
		})
	}
	wg.Wait()
	slices.Sort(waits)
	for i, d := range waits {
		want := time.Duration(max(0, i-4)) * 100 * time.Millisecond
		require.InDelta(t, want.Seconds(), d.Seconds(), 1e-6, "message %d", i)
	}
}

func TestLimiterConfigIsValidated(t *testing.T) {
	t.Parallel()
	_, err := send.NewLimiter(send.LimiterConfig{MinPause: time.Minute, MaxPause: time.Second})
	require.Error(t, err)
	_, err = send.NewLimiter(send.LimiterConfig{ReservationTTL: -time.Second})
	require.Error(t, err)
}
