package reconcile_test

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	bjs "github.com/boomerang-dev/boomerang/adapters/jetstream"
	"github.com/boomerang-dev/boomerang/adapters/jetstream/jetstreamtest"
	"github.com/boomerang-dev/boomerang/adapters/reconcile"
	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/adapters/redis/redistest"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// store is a platform's side for the test: orders with their update
// times, listed through the Source interface as a platform's API would.
type store struct {
	mu      sync.Mutex
	orders  map[string]time.Time
	windows []reconcile.Window
	fail    error
}

func (s *store) Changes(_ context.Context, sh *shop.Shop, w reconcile.Window, emit func(*event.Event) error) error {
	s.mu.Lock()
	s.windows = append(s.windows, w)
	fail := s.fail
	orders := maps.Clone(s.orders)
	s.mu.Unlock()
	for id, at := range orders {
		if !w.Contains(at) {
			continue
		}
		if err := emit(&event.Event{
			SchemaVersion: event.SchemaVersion, ID: event.DeliveryID("woocommerce", sh.ID, "poll:"+id, event.OrderUpdated),
			Key: event.SemanticKey(event.OrderUpdated, sh.ID, id, at), Type: event.OrderUpdated, Shop: sh.ID,
			Platform: "woocommerce", OccurredAt: at, ReceivedAt: at, Customer: &event.Customer{Email: "ann@example.com"},
			Data: &event.Order{ID: id, UpdatedAt: at}, Source: event.Source{Topic: "order.updated", DeliveryID: "poll:" + id},
		}); err != nil {
			return err
		}
	}
	return fail
}

func (s *store) lastWindow() reconcile.Window {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.windows[len(s.windows)-1]
}

type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

type fixture struct {
	rec   *reconcile.Reconciler
	src   *store
	clock *clock
	js    *jetstreamtest.Server
	shop  *shop.Shop
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	env := redistest.Start(t)
	js := jetstreamtest.Start(t)
	f := &fixture{
		src:   &store{orders: map[string]time.Time{}},
		clock: &clock{now: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)},
		js:    js,
		shop:  &shop.Shop{ID: "acme", Platform: "woocommerce", APIToken: "ck:cs"},
	}
	var err error
	f.rec, err = reconcile.New(reconcile.Config{
		Sources:   map[string]reconcile.Source{"woocommerce": f.src},
		Cursors:   redis.NewReconcileCursors(env.Client, redis.Keys{Prefix: env.Prefix}),
		Publisher: bjs.NewPublisher(js.Conn.JS),
		Now:       f.clock.Now,
	})
	require.NoError(t, err)
	return f
}

// published returns the events on EVENTS, in stream order.
func (f *fixture) published(t *testing.T) []*event.Event {
	t.Helper()
	var out []*event.Event
	for _, m := range f.js.Messages(t, bjs.StreamEvents, "events.>") {
		var ev event.Event
		require.NoError(t, json.Unmarshal(m.Data, &ev))
		out = append(out, &ev)
	}
	return out
}

func TestPollsMoveTheCursorWithAnOverlap(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	t0 := f.clock.now

	// The first poll reaches back one overlap.
	f.src.orders["old"] = t0.Add(-time.Hour)
	f.src.orders["recent"] = t0.Add(-5 * time.Minute)
	res, err := f.rec.Poll(ctx, f.shop)
	require.NoError(t, err)
	require.Equal(t, t0.Add(-reconcile.DefaultOverlap), res.Window.Since)
	require.True(t, res.Window.Checkouts)
	require.Equal(t, 1, res.Published)

	// The next poll starts one overlap before the previous poll's start.
	f.clock.now = t0.Add(10 * time.Minute)
	f.src.orders["new"] = t0.Add(7 * time.Minute)
	res, err = f.rec.Poll(ctx, f.shop)
	require.NoError(t, err)
	require.Equal(t, t0.Add(-reconcile.DefaultOverlap), res.Window.Since)
	require.Equal(t, 2, res.Published, "the overlap lists the recent order again")

	evs := f.published(t)
	require.Len(t, evs, 2, "the second copy of 'recent' has the same id: JetStream keeps one")
	for _, ev := range evs {
		require.False(t, ev.Historical)
	}
}

func TestAFailedPollKeepsTheCursor(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	t0 := f.clock.now
	_, err := f.rec.Poll(ctx, f.shop)
	require.NoError(t, err)

	f.src.fail = errors.New("store answered 500")
	f.clock.now = t0.Add(time.Hour)
	_, err = f.rec.Poll(ctx, f.shop)
	require.ErrorContains(t, err, "500")

	f.src.fail = nil
	f.clock.now = t0.Add(2 * time.Hour)
	_, err = f.rec.Poll(ctx, f.shop)
	require.NoError(t, err)
	require.Equal(t, t0.Add(-reconcile.DefaultOverlap), f.src.lastWindow().Since,
		"the window the failed poll missed is covered again")
}

func TestImportMarksEventsHistoricalAndListsNoCheckouts(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	t0 := f.clock.now
	f.src.orders["a"] = t0.AddDate(-1, 0, 0)
	f.src.orders["b"] = t0.AddDate(-3, 0, 0) // beyond two years
	f.src.orders["c"] = t0.Add(time.Minute)  // after the install
	n, err := f.rec.Import(context.Background(), f.shop, reconcile.HistoryWindow(t0))
	require.NoError(t, err)
	require.Equal(t, 1, n)
	w := f.src.lastWindow()
	require.True(t, w.Customers)
	require.False(t, w.Checkouts)
	require.Empty(t, f.published(t), "history stays off the live stream")
	var evs []*event.Event
	for _, m := range f.js.Messages(t, bjs.StreamHistory, "history.acme.>") {
		var ev event.Event
		require.NoError(t, json.Unmarshal(m.Data, &ev))
		evs = append(evs, &ev)
	}
	require.Len(t, evs, 1)
	require.True(t, evs[0].Historical)
	require.Equal(t, "a", evs[0].Data.(*event.Order).ID)
}

func TestUnknownPlatformAndMissingCredentials(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	require.True(t, f.rec.Handles(f.shop))
	require.False(t, f.rec.Handles(&shop.Shop{ID: "x", Platform: "woocommerce"}), "no API token")
	other := &shop.Shop{ID: "x", Platform: "bigcommerce", APIToken: "t"}
	require.False(t, f.rec.Handles(other))
	_, err := f.rec.Poll(context.Background(), other)
	require.ErrorIs(t, err, reconcile.ErrNoSource)
}
