package recommend

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// Scored is one recommended product.
type Scored struct {
	// ID is the product id, as given to Add.
	ID string `json:"id"`
	// Score is Σ sim(q→ID) over the query for a co-purchase recommendation;
	// for a popularity pad it is the product's share of the window's orders.
	Score float64 `json:"score"`
	// Popular marks a pad from popularity rather than a co-purchase.
	Popular bool `json:"popular"`
}

// Recommend returns up to k products for a query (a cart, an order, a
// customer's purchases): the products most bought with the query's products,
// then the window's best sellers as padding. Neither list holds a product of
// query or exclude (what the customer already bought) or one keep rejects
// (nil keeps all; keep is the caller's catalogue rule, such as "has an image
// and is in stock", and is asked about each candidate at most once, best
// first). Ties go to the smaller id; the order of query does not matter.
// Unknown ids in query and exclude are ignored. The popularity window ends on
// the newest order's day.
func (m *Model) Recommend(query, exclude []string, k int, keep func(id string) bool) []Scored {
	return m.RecommendAt(time.Time{}, query, exclude, k, keep)
}

// RecommendAt is Recommend with the popularity window ending on now's UTC day
// instead (the zero time means the newest order's day). Days older than the
// window before the newest order are no longer kept, so a now earlier than the
// newest order sees only part of its window.
func (m *Model) RecommendAt(now time.Time, query, exclude []string, k int, keep func(id string) bool) []Scored {
	if k <= 0 {
		return nil
	}
	ix := m.snapshot()
	pop := ix.popularityAt(now)
	s, _ := ix.pool.Get().(*scratch)
	defer ix.pool.Put(s)
	s.next()
	for _, id := range query {
		if i, ok := ix.ids[id]; ok && s.excl[i] != s.gen {
			s.excl[i] = s.gen
			s.query = append(s.query, i)
		}
	}
	for _, id := range exclude {
		if i, ok := ix.ids[id]; ok {
			s.excl[i] = s.gen
		}
	}
	// Sum in id order, so that the query's order cannot change a score's last bit.
	slices.SortFunc(s.query, func(a, b int32) int { return strings.Compare(ix.names[a], ix.names[b]) })
	for _, q := range s.query {
		for _, nb := range ix.row(q) {
			j := nb.item
			if s.excl[j] == s.gen {
				continue
			}
			if s.seen[j] != s.gen {
				s.seen[j] = s.gen
				s.score[j] = 0
				s.touched = append(s.touched, j)
			}
			s.score[j] += nb.weight
		}
	}
	slices.SortFunc(s.touched, func(a, b int32) int {
		if c := cmp.Compare(s.score[b], s.score[a]); c != 0 {
			return c
		}
		return strings.Compare(ix.names[a], ix.names[b])
	})
	out := make([]Scored, 0, min(k, len(ix.names)))
	for _, j := range s.touched {
		if len(out) == k {
			return out
		}
		if keep == nil || keep(ix.names[j]) {
			out = append(out, Scored{ID: ix.names[j], Score: s.score[j]})
		}
	}
	for _, j := range pop.order {
		if len(out) == k {
			break
		}
		if s.excl[j] == s.gen || s.seen[j] == s.gen {
			continue
		}
		if keep == nil || keep(ix.names[j]) {
			sc := Scored{ID: ix.names[j], Popular: true}
			if pop.orders > 0 {
				sc.Score = float64(pop.window[j]) / float64(pop.orders)
			}
			out = append(out, sc)
		}
	}
	return out
}

// Similar returns product id's neighbours, best first, with their similarity
// sim(id→j); nil for an unknown product.
func (m *Model) Similar(id string) []Scored {
	ix := m.snapshot()
	i, ok := ix.ids[id]
	if !ok {
		return nil
	}
	row := ix.row(i)
	out := make([]Scored, len(row))
	for n, nb := range row {
		out[n] = Scored{ID: ix.names[nb.item], Score: nb.weight}
	}
	return out
}
