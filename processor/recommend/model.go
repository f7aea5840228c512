package recommend

import (
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Model is one shop's co-purchase recommender. Build it with New and Add (or
// UnmarshalBinary), then ask it with Recommend. All methods are safe for
// concurrent use (see the package documentation for the costs). The zero
// Model is an empty model with the default Config.
type Model struct {
	mu     sync.RWMutex       // guards the fields below
	cfg    Config             // zero in the zero Model: the defaults
	ids    map[string]int32   // product id → index, in order of first appearance
	names  []string           // index → product id; append-only
	counts []uint32           // index → orders holding the product, all time
	pairs  []map[int32]uint32 // [lo][hi] → orders holding both, lo < hi; nil until needed
	orders uint64             // orders added (with at least one product)
	newest time.Time          // the newest order's time
	hasNew bool               // whether newest is set
	days   map[int64]*dayCount
	ver    uint64 // bumped by every change

	buildMu sync.Mutex            // one snapshot build at a time
	snap    atomic.Pointer[index] // the latest snapshot; stale when its version differs
}

// dayCount is the popularity of one UTC day: orders, and orders per product.
type dayCount struct {
	orders uint32
	items  map[int32]uint32
}

// New returns an empty model.
func New(cfg Config) (*Model, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return newModel(c), nil
}

func newModel(c Config) *Model {
	return &Model{
		cfg:  c,
		ids:  map[string]int32{},
		days: map[int64]*dayCount{},
	}
}

// defaultConfig is Config{} with its defaults.
var defaultConfig, _ = Config{}.withDefaults()

// Config returns the model's configuration with its defaults filled in.
func (m *Model) Config() Config {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.config()
}

// config is the configuration, the defaults for the zero Model; m.mu must be held.
func (m *Model) config() Config {
	if m.cfg == (Config{}) {
		return defaultConfig
	}
	return m.cfg
}

// initLocked readies a zero Model for writing; m.mu must be held for writing.
func (m *Model) initLocked() {
	if m.ids == nil {
		m.cfg = m.config()
		m.ids = map[string]int32{}
		m.days = map[int64]*dayCount{}
	}
}

// Add counts one order: basket is its distinct product ids (repeats and empty
// ids are ignored), at is when it was placed. Orders may arrive in any order;
// the popularity window follows the newest one, and an order older than the
// window counts for co-purchase but not for popularity.
func (m *Model) Add(basket []string, at time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.initLocked()
	at = at.UTC()
	var buf [32]int32
	ix := buf[:0]
	for _, id := range basket {
		if id == "" {
			continue
		}
		i, ok := m.ids[id]
		if !ok {
			if len(m.names) >= math.MaxInt32 {
				continue
			}
			i = int32(len(m.names)) //nolint:gosec // bounded just above
			m.ids[id] = i
			m.names = append(m.names, id)
			m.counts = append(m.counts, 0)
			m.pairs = append(m.pairs, nil)
		}
		ix = append(ix, i)
	}
	if len(ix) == 0 {
		return
	}
	slices.Sort(ix)
	ix = slices.Compact(ix)
	for a, i := range ix {
		m.counts[i] = inc(m.counts[i], 1)
		if a+1 == len(ix) {
			break
		}
		// One map operation per pair, the cost of Add; one small map per
		// product keeps a basket's updates close together in memory. A pair
		// count would need 2³² orders to wrap.
		row := m.pairs[i]
		if row == nil {
			row = map[int32]uint32{}
			m.pairs[i] = row
		}
		for _, j := range ix[a+1:] {
			row[j]++
		}
	}
	m.orders++
	m.ver++

	day := dayOf(at)
	if !m.hasNew || at.After(m.newest) {
		m.newest, m.hasNew = at, true
		first := day - m.cfg.windowDays() + 1
		for d := range m.days {
			if d < first {
				delete(m.days, d)
			}
		}
	}
	if day < dayOf(m.newest)-m.cfg.windowDays()+1 {
		return
	}
	dc := m.days[day]
	if dc == nil {
		dc = &dayCount{items: map[int32]uint32{}}
		m.days[day] = dc
	}
	dc.orders = inc(dc.orders, 1)
	for _, i := range ix {
		dc.items[i] = inc(dc.items[i], 1)
	}
}

// Orders is the number of orders the model has counted.
func (m *Model) Orders() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return int(min(m.orders, math.MaxInt))
}

// Products is the number of distinct products the model has seen.
func (m *Model) Products() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.names)
}

// Newest is the time of the newest order counted; zero when there is none.
func (m *Model) Newest() time.Time {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.newest
}

// snapshot returns the neighbour lists for the model's current state, building
// them when an Add has happened since the last build.
func (m *Model) snapshot() *index {
	m.mu.RLock()
	ver := m.ver
	m.mu.RUnlock()
	if ix := m.snap.Load(); ix != nil && ix.version == ver {
		return ix
	}
	m.buildMu.Lock()
	defer m.buildMu.Unlock()
	m.mu.RLock()
	defer m.mu.RUnlock()
	if ix := m.snap.Load(); ix != nil && ix.version == m.ver {
		return ix
	}
	ix := m.build()
	m.snap.Store(ix)
	return ix
}

// pairKey packs an unordered pair of product indices.
func pairKey(i, j int32) uint64 {
	if i > j {
		i, j = j, i
	}
	return uint64(i)<<32 | uint64(uint32(j)) //nolint:gosec // indices are non-negative
}

// pairOf unpacks pairKey.
func pairOf(k uint64) (lo, hi int32) {
	return int32(k >> 32), int32(uint32(k)) //nolint:gosec // packed from non-negative int32
}

// inc adds d to v, saturating at the largest uint32.
func inc(v, d uint32) uint32 {
	if v > math.MaxUint32-d {
		return math.MaxUint32
	}
	return v + d
}

// dayOf is t's UTC day number since the Unix epoch.
func dayOf(t time.Time) int64 {
	s := t.Unix()
	d := s / 86400
	if s%86400 < 0 {
		d--
	}
	return d
}
