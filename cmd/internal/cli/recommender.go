package cli

import (
	"context"
	"encoding/json"
	"sort"
	"sync"
	"time"

	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/flows/event"
	"github.com/boomerang-dev/boomerang/processor"
	"github.com/boomerang-dev/boomerang/processor/recommend"
)

// Recommendation settings (docs/recommendations.md). Pairs are weighed by
// recommend.Weight, the rule the evaluated model uses (support floor 2,
// confidence damped by the candidate's popularity, shrinkage of rare pairs).
const (
	// popularWindow and popularCache: popularity over 90 days, recomputed
	// every 10 minutes per shop.
	popularWindow = 90
	popularCache  = 10 * time.Minute
	popularN      = 50
)

// recommender serves the engine's recommendations from the co-purchase
// counts and the catalogue in Redis: recommend.Weight summed over the query
// items (the rule that beat the baselines, docs/recommendations.md); only
// products the catalogue knows with an image and in stock; padded with the
// shop's best sellers of 90 days.
type recommender struct {
	co        *redis.CoPurchase
	catalogue *redis.Catalogue

	mu      sync.Mutex
	popular map[string]popularEntry
}

type popularEntry struct {
	at    time.Time
	items []string
}

func newRecommender(co *redis.CoPurchase, cat *redis.Catalogue) *recommender {
	return &recommender{co: co, catalogue: cat, popular: map[string]popularEntry{}}
}

func (r *recommender) Observe(ctx context.Context, shop string, items []string, at time.Time) error {
	return r.co.Observe(ctx, shop, items, at)
}

func (r *recommender) Recommend(ctx context.Context, shop string, query, exclude []string, k int, now time.Time) ([]processor.Product, error) {
	skip := map[string]bool{}
	for _, id := range exclude {
		skip[id] = true
	}
	type scored struct {
		id    string
		score float64
	}
	var ranked []scored
	if len(query) > 0 {
		co, orders, err := r.co.Neighbours(ctx, shop, query)
		if err != nil {
			return nil, err
		}
		scores := map[string]float64{}
		for _, q := range query {
			for c, n := range co[q] {
				if skip[c] {
					continue
				}
				if w := recommend.Weight(recommend.Config{}, n, orders[q], orders[c]); w > 0 {
					scores[c] += w
				}
			}
		}
		for id, s := range scores {
			ranked = append(ranked, scored{id, s})
		}
		sort.Slice(ranked, func(i, j int) bool {
			if ranked[i].score != ranked[j].score {
				return ranked[i].score > ranked[j].score
			}
			return ranked[i].id < ranked[j].id
		})
	}
	candidates := make([]string, 0, len(ranked)+popularN)
	for _, s := range ranked {
		candidates = append(candidates, s.id)
	}
	popular, err := r.popularOf(ctx, shop, now)
	if err != nil {
		return nil, err
	}
	for _, id := range popular {
		if !skip[id] {
			candidates = append(candidates, id)
		}
	}
	return r.shown(ctx, shop, candidates, k)
}

// shown keeps the first k candidates the catalogue can show: known, with an
// image, available; each once.
func (r *recommender) shown(ctx context.Context, shop string, candidates []string, k int) ([]processor.Product, error) {
	var out []processor.Product
	seen := map[string]bool{}
	for start := 0; start < len(candidates) && len(out) < k; start += 50 {
		batch := candidates[start:min(start+50, len(candidates))]
		raws, err := r.catalogue.Get(ctx, shop, batch)
		if err != nil {
			return nil, err
		}
		for i, raw := range raws {
			if raw == nil || seen[batch[i]] {
				continue
			}
			var p event.Product
			if json.Unmarshal(raw, &p) != nil || p.ImageURL == "" || !p.Available {
				continue
			}
			seen[batch[i]] = true
			out = append(out, processor.Product{
				ID: batch[i], Title: p.Title, URL: p.URL, ImageURL: p.ImageURL, Price: string(p.Price), Currency: p.Currency,
			})
			if len(out) == k {
				break
			}
		}
	}
	return out, nil
}

func (r *recommender) popularOf(ctx context.Context, shop string, now time.Time) ([]string, error) {
	r.mu.Lock()
	e, ok := r.popular[shop]
	r.mu.Unlock()
	if ok && now.Sub(e.at) < popularCache && now.Sub(e.at) >= 0 {
		return e.items, nil
	}
	items, err := r.co.Popular(ctx, shop, now, popularWindow, popularN)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.popular[shop] = popularEntry{at: now, items: items}
	r.mu.Unlock()
	return items, nil
}

// catalogueJob keeps the catalogue from product events (they concern no
// customer, so the engine does not see them).
type catalogueJob struct{ c *redis.Catalogue }

func (j catalogueJob) handles(ev *event.Event) bool {
	return ev.Type == event.ProductUpdated || ev.Type == event.ProductDeleted
}

func (j catalogueJob) run(ctx context.Context, ev *event.Event) error {
	switch d := ev.Data.(type) {
	case *event.Product:
		// An older update arriving late does not undo a newer one.
		if old, err := j.c.Get(ctx, ev.Shop, []string{d.ID}); err == nil && len(old) == 1 && old[0] != nil {
			var prev event.Product
			if json.Unmarshal(old[0], &prev) == nil && prev.UpdatedAt.After(d.UpdatedAt) {
				return nil
			}
		}
		b, err := json.Marshal(d)
		if err != nil {
			return err
		}
		return j.c.Put(ctx, ev.Shop, d.ID, b)
	case *event.ProductRef:
		return j.c.Delete(ctx, ev.Shop, d.ID)
	}
	return nil
}

// sideJob handles events of its own instead of the engine: periodic jobs'
// timers, the catalogue's product events.
type sideJob interface {
	handles(ev *event.Event) bool
	run(ctx context.Context, ev *event.Event) error
}
