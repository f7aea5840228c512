package shopify

import (
	"maps"
	"slices"
	"strings"
)

// DefaultScopes are the access scopes Boomerang asks for, and why
// (docs/platforms/shopify-install.md):
//   - read_customers: customers/* and the two consent topics, customer
//     lookups.
//   - read_fulfillments: fulfillments/* and fulfillment_events/create, the
//     shipping and delivered triggers.
//   - read_orders: orders/*, checkouts/*, carts/* and abandonedCheckouts (the
//     last 60 days of orders).
//   - read_products: products/* (the catalogue behind recommendations and
//     messages' product blocks).
//   - write_discounts: the unique codes of discount steps
//     (discountCodeBasicCreate); it implies read_discounts for the lookup.
//
// read_checkouts is not asked: it covers the legacy Checkout API, not the
// checkouts/* webhooks or abandonedCheckouts, which need read_orders.
// read_all_orders (history beyond 60 days) needs Shopify's approval first;
// add it to Config.Scopes once granted.
var DefaultScopes = []string{"read_customers", "read_fulfillments", "read_orders", "read_products", "write_discounts"}

// ParseScopes splits Shopify's comma-separated scope list, trimming spaces
// and dropping empty entries.
func ParseScopes(s string) []string {
	var out []string
	for part := range strings.SplitSeq(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// MissingScopes returns the scopes of asked that granted does not cover, in
// asked's order. A granted write_x (or unauthenticated_write_x) covers read_x
// (unauthenticated_read_x), as Shopify grants it.
func MissingScopes(asked, granted []string) []string {
	have := map[string]bool{}
	for _, g := range granted {
		have[g] = true
		if prefix, rest, ok := strings.Cut(g, "write_"); ok && (prefix == "" || prefix == "unauthenticated_") {
			have[prefix+"read_"+rest] = true
		}
	}
	var missing []string
	for _, a := range asked {
		if !have[a] {
			missing = append(missing, a)
		}
	}
	return missing
}

// sortedKeys returns m's keys in order, for deterministic messages.
func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
