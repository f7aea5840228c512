package recommend

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// index is an immutable snapshot of a Model: the top-N neighbours of every
// product, the popularity of the newest day and what MarshalBinary writes.
type index struct {
	version uint64
	cfg     Config
	ids     map[string]int32
	names   []string
	counts  []uint32
	orders  uint64
	newest  time.Time
	hasNew  bool

	// rows[off[i]:off[i+1]] are product i's neighbours, best first.
	off  []int32
	rows []neighbour

	days []dayBucket // popularity by day, ascending

	pop  *popularity                // as of the newest order's day
	alt  atomic.Pointer[popularity] // the last other day asked for
	pool sync.Pool                  // *scratch sized for this index
}

// neighbour is one entry of a product's neighbour list.
type neighbour struct {
	item   int32
	count  uint32 // c_ij, orders holding both
	weight float64
}

// dayBucket is one day's popularity, products ascending.
type dayBucket struct {
	day    int64
	orders uint32
	items  []itemCount
}

type itemCount struct {
	item  int32
	count uint32
}

// popularity ranks all products as of one day: orders in the window first,
// then orders ever, then id.
type popularity struct {
	day    int64
	order  []int32
	window []uint32 // orders per product in the window
	orders uint64   // orders in the window
}

// build snapshots the model; m.mu must be held (read).
func (m *Model) build() *index {
	n := len(m.names)
	ix := &index{
		version: m.ver,
		cfg:     m.config(),
		ids:     make(map[string]int32, n),
		names:   m.names[:n:n],
		counts:  slices.Clone(m.counts),
		orders:  m.orders,
		newest:  m.newest,
		hasNew:  m.hasNew,
	}
	for i, id := range ix.names {
		ix.ids[id] = int32(i)
	}
	ix.buildRows(m.pairs)
	ix.days = make([]dayBucket, 0, len(m.days))
	for d, dc := range m.days {
		b := dayBucket{day: d, orders: dc.orders, items: make([]itemCount, 0, len(dc.items))}
		for i, c := range dc.items {
			b.items = append(b.items, itemCount{i, c})
		}
		slices.SortFunc(b.items, func(x, y itemCount) int { return cmp.Compare(x.item, y.item) })
		ix.days = append(ix.days, b)
	}
	slices.SortFunc(ix.days, func(x, y dayBucket) int { return cmp.Compare(x.day, y.day) })
	ix.pop = ix.popularityOn(dayOf(ix.newest))
	ix.pool.New = func() any {
		return &scratch{score: make([]float64, n), seen: make([]uint32, n), excl: make([]uint32, n)}
	}
	return ix
}

// buildRows keeps each product's Neighbours best neighbours among the pairs
// at or above the support floor.
func (ix *index) buildRows(pairs []map[int32]uint32) {
	n := len(ix.names)
	floor := uint32(ix.cfg.MinSupport) //nolint:gosec // validated ≤ MaxUint32
	start := make([]int32, n+1)
	for lo, row := range pairs[:n] {
		for hi, c := range row {
			if c >= floor {
				start[lo+1]++
				start[hi+1]++
			}
		}
	}
	for i := range n {
		start[i+1] += start[i]
	}
	all := make([]itemCount, start[n])
	pos := slices.Clone(start[:n])
	for lo, row := range pairs[:n] {
		for hi, c := range row {
			if c >= floor {
				all[pos[lo]] = itemCount{hi, c}
				pos[lo]++
				all[pos[hi]] = itemCount{int32(lo), c}
				pos[hi]++
			}
		}
	}
	damp := make([]float64, n)
	for j, c := range ix.counts {
		damp[j] = math.Pow(float64(c), ix.cfg.Damping)
	}
	top := ix.cfg.Neighbours
	ix.off = make([]int32, n+1)
	ix.rows = make([]neighbour, 0, min(len(all), n*top))
	var cand []neighbour
	for i := range n {
		cand = cand[:0]
		ci := float64(ix.counts[i])
		for _, e := range all[start[i]:start[i+1]] {
			c := float64(e.count)
			w := c / ci / damp[e.item] * (c / (c + ix.cfg.Shrink)) // Weight, with the power cached
			cand = append(cand, neighbour{item: e.item, count: e.count, weight: w})
		}
		ix.rows = append(ix.rows, ix.best(cand, top)...)
		ix.off[i+1] = int32(len(ix.rows)) //nolint:gosec // ≤ n·top ≤ MaxInt32 in practice
	}
}

// better orders neighbours: higher weight first, then the smaller id.
func (ix *index) better(a, b neighbour) bool {
	if a.weight != b.weight {
		return a.weight > b.weight
	}
	return ix.names[a.item] < ix.names[b.item]
}

// best returns the top best of cand, best first; it reorders cand.
func (ix *index) best(cand []neighbour, top int) []neighbour {
	order := func(a, b neighbour) int {
		if ix.better(a, b) {
			return -1
		}
		if ix.better(b, a) {
			return 1
		}
		return 0
	}
	if len(cand) <= top {
		slices.SortFunc(cand, order)
		return cand
	}
	// A heap of the top so far with the worst at the root.
	h := cand[:top]
	worse := func(a, b neighbour) bool { return ix.better(b, a) }
	down := func(i int) {
		for {
			l := 2*i + 1
			if l >= len(h) {
				return
			}
			w := l
			if r := l + 1; r < len(h) && worse(h[r], h[l]) {
				w = r
			}
			if !worse(h[w], h[i]) {
				return
			}
			h[i], h[w] = h[w], h[i]
			i = w
		}
	}
	for i := len(h)/2 - 1; i >= 0; i-- {
		down(i)
	}
	for _, c := range cand[top:] {
		if ix.better(c, h[0]) {
			h[0] = c
			down(0)
		}
	}
	slices.SortFunc(h, order)
	return h
}

// row is product i's neighbour list.
func (ix *index) row(i int32) []neighbour { return ix.rows[ix.off[i]:ix.off[i+1]] }

// popularityAt returns the popularity as of t's day: the snapshot's own for
// the zero time or the newest order's day.
func (ix *index) popularityAt(t time.Time) *popularity {
	if t.IsZero() {
		return ix.pop
	}
	d := dayOf(t)
	if d == ix.pop.day {
		return ix.pop
	}
	if p := ix.alt.Load(); p != nil && p.day == d {
		return p
	}
	p := ix.popularityOn(d)
	ix.alt.Store(p)
	return p
}

// popularityOn ranks the products by their orders in the window ending on day.
func (ix *index) popularityOn(day int64) *popularity {
	n := len(ix.names)
	p := &popularity{day: day, order: make([]int32, n), window: make([]uint32, n)}
	first := day - ix.cfg.windowDays() + 1
	for _, b := range ix.days {
		if b.day < first || b.day > day {
			continue
		}
		p.orders += uint64(b.orders)
		for _, e := range b.items {
			p.window[e.item] = inc(p.window[e.item], e.count)
		}
	}
	for i := range p.order {
		p.order[i] = int32(i)
	}
	slices.SortFunc(p.order, func(a, b int32) int {
		if c := cmp.Compare(p.window[b], p.window[a]); c != 0 {
			return c
		}
		if c := cmp.Compare(ix.counts[b], ix.counts[a]); c != 0 {
			return c
		}
		return strings.Compare(ix.names[a], ix.names[b])
	})
	return p
}

// scratch is one Recommend call's working memory, pooled per index.
type scratch struct {
	score   []float64
	seen    []uint32 // == gen: scored (or offered) in this call
	excl    []uint32 // == gen: excluded in this call
	gen     uint32
	touched []int32
	query   []int32
}

// next starts a call.
func (s *scratch) next() {
	s.gen++
	if s.gen == 0 {
		clear(s.seen)
		clear(s.excl)
		s.gen = 1
	}
	s.touched = s.touched[:0]
	s.query = s.query[:0]
}
