package processor

import (
	"context"
	"time"

	"go.uber.org/zap"

	"github.com/boomerang-dev/boomerang/flows/event"
)

// Recommender serves "if you liked X" products (a per-shop co-purchase
// model kept as orders arrive, filtered by the catalogue, padded with
// popular products).
type Recommender interface {
	// Observe counts one order's distinct product ids.
	Observe(ctx context.Context, shop string, items []string, at time.Time) error
	// Recommend returns up to k products related to query, leaving out
	// exclude, with title, image, price and link.
	Recommend(ctx context.Context, shop string, query, exclude []string, k int, now time.Time) ([]Product, error)
}

// recommendK is how many products the recommendations variable holds.
const recommendK = 8

// OrderItems are an order's distinct product ids, in order.
func OrderItems(o *event.Order) []string {
	seen := map[string]bool{}
	var out []string
	for _, li := range o.LineItems {
		if li.ProductID != "" && !seen[li.ProductID] {
			seen[li.ProductID] = true
			out = append(out, li.ProductID)
		}
	}
	return out
}

// recommendations is the CEL variable `recommendations` for a run: products
// related to the items of its trigger event (else the customer's latest
// purchases), leaving out what the customer bought. Evaluated only when an
// expression reads it, once per run and event.
func (tx *txn) recommendations(r *Run) any {
	if tx.e.cfg.Recommender == nil {
		return []any{}
	}
	key := ""
	if r != nil {
		key = r.ID
	}
	if v, ok := tx.recs[key]; ok {
		return v
	}
	ev := tx.evMap()
	if r != nil {
		ev = tx.triggerMap(r)
	}
	var query []string
	if data, ok := ev["data"].(map[string]any); ok {
		items, _ := data["line_items"].([]any)
		for _, it := range items {
			if m, ok := it.(map[string]any); ok {
				if id, ok := m["product_id"].(string); ok && id != "" {
					query = append(query, id)
				}
			}
		}
	}
	if len(query) == 0 && len(tx.profile.Purchased) > 0 {
		query = tx.profile.Purchased[:min(5, len(tx.profile.Purchased))]
	}
	exclude := append(append([]string(nil), tx.profile.Purchased...), query...)
	out := []any{}
	ps, err := tx.e.cfg.Recommender.Recommend(tx.ctx, tx.ev.Shop, query, exclude, recommendK, tx.now)
	if err != nil {
		tx.e.cfg.Logger.Warn("recommendations unavailable; the message has none", zap.String("shop", tx.ev.Shop), zap.Error(err))
	}
	for _, p := range ps {
		out = append(out, map[string]any{
			"id": p.ID, "title": p.Title, "url": p.URL, "image_url": p.ImageURL, "price": p.Price, "currency": p.Currency,
		})
	}
	if tx.recs == nil {
		tx.recs = map[string]any{}
	}
	tx.recs[key] = out
	return out
}
