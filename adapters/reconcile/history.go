package reconcile

import (
	"context"
	"fmt"
	"time"

	"github.com/boomerang-dev/boomerang/adapters/shop"
)

// HistoryYears is how far back a history import reaches by default.
const HistoryYears = 2

// HistoryWindow is the default window of a history import that ends at
// until: HistoryYears before it.
func HistoryWindow(until time.Time) Window {
	return Window{Since: until.AddDate(-HistoryYears, 0, 0), Until: until, Customers: true}
}

// Import publishes the customers and orders of s changed in w as historical
// events (event.Event.Historical): they build profiles, segments,
// predictions and recommendations and start no flow. Open checkouts are
// not imported: an abandonment from before the install is no one's news.
//
// An import that ends at the install time leaves every later change to the
// webhooks and the reconciler, so an order placed during the install is a
// live event (its confirmation goes) rather than history. An interrupted
// import is run again from the start; what it published before has one
// effect.
func (r *Reconciler) Import(ctx context.Context, s *shop.Shop, w Window) (int, error) {
	src, ok := r.cfg.Sources[s.Platform]
	if !ok {
		return 0, fmt.Errorf("%w %q (shop %s)", ErrNoSource, s.Platform, s.ID)
	}
	w.Checkouts = false
	return r.publish(ctx, src, s, w, true)
}
