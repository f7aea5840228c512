package reconcile

import (
	"context"
	"time"

	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// Source lists what changed in one shop's store through the platform's
// Admin API, as the canonical events its webhooks would have produced, with
// the same semantic keys (event.SemanticKey) so that a polled copy of a
// delivered webhook has one effect in the processor.
//
// Each platform implements it beside its API client: Shopify through the
// GraphQL Admin API (orders and abandonedCheckouts with an updated_at
// query), BigCommerce through the v2 orders list (min_date_modified), and
// WooCommerce through /wc/v3/orders (modified_after).
type Source interface {
	// Changes calls emit for each event of the resources changed in w,
	// oldest change first where the API can sort so. It pages through the
	// whole window, honouring the platform's rate limits, and stops at the
	// first error (emit's included), which it returns. A resource changed
	// in the window yields:
	//   - its versioned event (order.updated, checkout.updated,
	//     customer.updated), always;
	//   - each one-time transition (order.placed, order.paid,
	//     order.fulfilled, order.cancelled) only when the transition's own
	//     time (created, paid, fulfilled, cancelled) is at or after
	//     w.Since: the processor forgets one-time keys after a week, so an
	//     old order updated today must not be "placed" again.
	// Open checkouts are listed only when w.Checkouts is set, customers only
	// when w.Customers is set. Events carry Source.Topic of the webhook
	// topic they stand for and a Source.DeliveryID starting "poll:".
	Changes(ctx context.Context, s *shop.Shop, w Window, emit func(*event.Event) error) error
}

// Window is the span of change times a Source lists.
type Window struct {
	// Since is the inclusive lower bound on the resources' updated time.
	Since time.Time
	// Until is the exclusive upper bound; zero means no bound (now).
	Until time.Time
	// Checkouts asks for open checkouts (abandoned checkouts) too.
	Checkouts bool
	// Customers asks for customers too (the history import).
	Customers bool
}

// Contains reports whether t lies in the window.
func (w Window) Contains(t time.Time) bool {
	return !t.Before(w.Since) && (w.Until.IsZero() || t.Before(w.Until))
}
