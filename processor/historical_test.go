package processor_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A historical checkout starts no run, a historical order ends none and
// both build the profile; a live event afterwards behaves as usual.
func TestHistoricalEventsBuildTheProfileAndTouchNoRun(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()

	old := checkout("tok-old", t0.Add(-400*24*time.Hour))
	old.Historical = true
	b.handle(t, old)
	b.advance(t, t0)
	require.Empty(t, b.outbox.all(), "an imported open checkout is no abandonment")

	placed := order("o-old", "tok-old", t0.Add(-300*24*time.Hour))
	placed.Historical = true
	// Imported orders occurred at their last update; the profile counts
	// them at their creation.
	placed.OccurredAt = t0.Add(-200 * 24 * time.Hour)
	b.handle(t, placed)
	active, finished, err := b.store.Runs(ctx, "demo", "e:ann@example.com")
	require.NoError(t, err)
	require.Empty(t, active)
	require.Empty(t, finished)
	p, err := b.store.Profile(ctx, "demo", "e:ann@example.com")
	require.NoError(t, err)
	require.Equal(t, 1, p.OrdersCount)
	require.Equal(t, t0.Add(-300*24*time.Hour), p.FirstOrderAt.UTC())

	// A live checkout starts its run, and an imported order placed since
	// does not end it (a live one would: TestOrderEndsTheRun); the flow's
	// filter still sees the order in the profile.
	b.handle(t, checkout("tok1", t0))
	late := order("o-imported", "tok1", t0.Add(10*time.Minute))
	late.Historical = true
	b.handle(t, late)
	active, _, err = b.store.Runs(ctx, "demo", "e:ann@example.com")
	require.NoError(t, err)
	require.Len(t, active, 1, "the historical order leaves the run alone")
	p, err = b.store.Profile(ctx, "demo", "e:ann@example.com")
	require.NoError(t, err)
	require.Equal(t, 2, p.OrdersCount)
}

// An event that occurred before a run started does not end it, whichever
// order the two are processed in (as it would not have prevented it).
func TestAnOlderExitEventArrivingLateDoesNotEndTheRun(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.handle(t, checkout("tok1", t0))
	b.clock.Set(t0.Add(time.Minute))
	b.handle(t, order("o-before", "", t0.Add(-time.Hour)))
	b.advance(t, t0.Add(time.Hour))
	require.Equal(t, []string{"abandoned-checkout-reminder"}, templates(b.outbox.all()),
		"an order placed an hour before the checkout leaves its abandonment alone")
}
