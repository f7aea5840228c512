package recommend

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// ErrBadModel is wrapped by UnmarshalBinary's errors.
var ErrBadModel = errors.New("recommend: bad binary model")

// binaryMagic opens the binary form; its last byte is the format version.
const binaryMagic = "BRM\x01"

// MarshalBinary encodes the model compactly, for storing one shop's model in
// Redis. It keeps the configuration, every product's order count, the pairs in
// some product's top-N neighbours (not the rarer pairs) and the popularity
// window's daily counts. A model read back recommends exactly as this one
// does; orders added to it afterwards count exactly for the kept pairs and
// start the dropped pairs again from zero, so rebuild from the order history
// now and then. Equal models give equal bytes.
func (m *Model) MarshalBinary() ([]byte, error) {
	ix := m.snapshot()
	b := []byte(binaryMagic)
	c := ix.cfg
	b = binary.AppendUvarint(b, uint64(c.Neighbours)) //nolint:gosec // validated positive
	b = binary.AppendUvarint(b, uint64(c.MinSupport)) //nolint:gosec // validated positive
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(c.Shrink))
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(c.Damping))
	b = binary.AppendUvarint(b, uint64(c.windowDays())) //nolint:gosec // validated positive
	b = binary.AppendUvarint(b, ix.orders)
	if ix.hasNew {
		b = append(b, 1)
		b = binary.AppendVarint(b, ix.newest.Unix())
		b = binary.AppendUvarint(b, uint64(ix.newest.Nanosecond())) //nolint:gosec // in [0, 1e9)
	} else {
		b = append(b, 0)
	}
	b = binary.AppendUvarint(b, uint64(len(ix.names)))
	for i, id := range ix.names {
		b = binary.AppendUvarint(b, uint64(len(id)))
		b = append(b, id...)
		b = binary.AppendUvarint(b, uint64(ix.counts[i]))
	}
	// The union of the neighbour lists, as pairs lo < hi.
	type pair struct {
		key   uint64
		count uint32
	}
	var ps []pair
	for i := range ix.names {
		for _, nb := range ix.row(int32(i)) {
			ps = append(ps, pair{pairKey(int32(i), nb.item), nb.count})
		}
	}
	slices.SortFunc(ps, func(x, y pair) int { return cmp.Compare(x.key, y.key) })
	ps = slices.CompactFunc(ps, func(x, y pair) bool { return x.key == y.key })
	p := 0
	for i := range ix.names {
		end := p
		for end < len(ps) {
			if lo, _ := pairOf(ps[end].key); int(lo) != i {
				break
			}
			end++
		}
		b = binary.AppendUvarint(b, uint64(end-p))
		prev := int32(i)
		for _, e := range ps[p:end] {
			_, hi := pairOf(e.key)
			b = binary.AppendUvarint(b, uint64(hi-prev-1)) //nolint:gosec // ascending, so positive
			b = binary.AppendUvarint(b, uint64(e.count))
			prev = hi
		}
		p = end
	}
	b = binary.AppendUvarint(b, uint64(len(ix.days)))
	for n, d := range ix.days {
		if n == 0 {
			b = binary.AppendVarint(b, d.day)
		} else {
			b = binary.AppendUvarint(b, uint64(d.day-ix.days[n-1].day)) //nolint:gosec // ascending
		}
		b = binary.AppendUvarint(b, uint64(d.orders))
		b = binary.AppendUvarint(b, uint64(len(d.items)))
		prev := int32(-1)
		for _, e := range d.items {
			b = binary.AppendUvarint(b, uint64(e.item-prev-1)) //nolint:gosec // ascending, so positive
			b = binary.AppendUvarint(b, uint64(e.count))
			prev = e.item
		}
	}
	return b, nil
}

// UnmarshalBinary replaces the model with one MarshalBinary encoded,
// configuration included. It checks the data thoroughly and leaves the model
// unchanged on an error, which wraps ErrBadModel.
func (m *Model) UnmarshalBinary(data []byte) error {
	st, err := decode(data)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrBadModel, err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cfg = st.cfg
	m.ids, m.names, m.counts, m.pairs = st.ids, st.names, st.counts, st.pairs
	m.orders, m.newest, m.hasNew, m.days = st.orders, st.newest, st.hasNew, st.days
	m.ver++
	return nil
}

// decoded is the state UnmarshalBinary installs.
type decoded struct {
	cfg    Config
	ids    map[string]int32
	names  []string
	counts []uint32
	pairs  []map[int32]uint32
	orders uint64
	newest time.Time
	hasNew bool
	days   map[int64]*dayCount
}

// reader reads the binary form, remembering the first error.
type reader struct {
	b   []byte
	err error
}

func (r *reader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf(format, args...)
	}
}

func (r *reader) uvarint(what string, limit uint64) uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail("%s: truncated or overlong varint", what)
		return 0
	}
	r.b = r.b[n:]
	if v > limit {
		r.fail("%s %d: want at most %d", what, v, limit)
		return 0
	}
	return v
}

func (r *reader) varint(what string) int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail("%s: truncated or overlong varint", what)
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) float(what string) float64 {
	if r.err != nil {
		return 0
	}
	if len(r.b) < 8 {
		r.fail("%s: truncated", what)
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(r.b))
	r.b = r.b[8:]
	return v
}

func (r *reader) bytes(what string, n uint64) []byte {
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)) {
		r.fail("%s: truncated", what)
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func decode(data []byte) (*decoded, error) {
	if len(data) < len(binaryMagic) || string(data[:len(binaryMagic)-1]) != binaryMagic[:len(binaryMagic)-1] {
		return nil, errors.New("not a recommendation model")
	}
	if data[len(binaryMagic)-1] != binaryMagic[len(binaryMagic)-1] {
		return nil, fmt.Errorf("format version %d: want %d", data[len(binaryMagic)-1], binaryMagic[len(binaryMagic)-1])
	}
	r := &reader{b: data[len(binaryMagic):]}
	var raw Config
	raw.Neighbours = int(r.uvarint("neighbours", maxNeighbours))   //nolint:gosec // bounded
	raw.MinSupport = int(r.uvarint("min support", math.MaxUint32)) //nolint:gosec // bounded
	raw.Shrink = r.float("shrink")
	raw.Damping = r.float("damping")
	raw.Window = time.Duration(r.uvarint("window days", 3660)) * 24 * time.Hour //nolint:gosec // bounded
	if r.err != nil {
		return nil, r.err
	}
	cfg, err := raw.withDefaults()
	if err != nil {
		return nil, err
	}
	if cfg != raw {
		return nil, errors.New("config has a zero field")
	}
	st := &decoded{cfg: cfg, days: map[int64]*dayCount{}}
	st.orders = r.uvarint("orders", math.MaxUint64)
	switch flag := r.bytes("newest flag", 1); {
	case flag == nil:
	case flag[0] == 1:
		sec := r.varint("newest seconds")
		nsec := r.uvarint("newest nanoseconds", 999_999_999)
		st.newest, st.hasNew = time.Unix(sec, int64(nsec)).UTC(), true //nolint:gosec // bounded
	case flag[0] != 0:
		r.fail("newest flag %d: want 0 or 1", flag[0])
	}
	// Each product takes at least two bytes.
	n := r.uvarint("products", min(uint64(len(r.b))/2, math.MaxInt32))
	if r.err != nil {
		return nil, r.err
	}
	if (n > 0 || st.orders > 0) && !st.hasNew {
		return nil, errors.New("orders without a newest order time")
	}
	if (n == 0) != (st.orders == 0) {
		return nil, errors.New("products and orders disagree")
	}
	st.ids = make(map[string]int32, n)
	st.pairs = make([]map[int32]uint32, n)
	st.names = make([]string, n)
	st.counts = make([]uint32, n)
	maxCount := min(st.orders, math.MaxUint32)
	for i := range st.names {
		id := string(r.bytes("product id", r.uvarint("product id length", uint64(len(r.b)))))
		c := r.uvarint("product count", maxCount)
		if r.err != nil {
			return nil, r.err
		}
		if id == "" {
			return nil, fmt.Errorf("product %d: empty id", i)
		}
		if _, dup := st.ids[id]; dup {
			return nil, fmt.Errorf("product %q: listed twice", id)
		}
		if c == 0 {
			return nil, fmt.Errorf("product %q: no orders", id)
		}
		st.ids[id] = int32(i)
		st.names[i] = id
		st.counts[i] = uint32(c) //nolint:gosec // bounded by maxCount
	}
	for i := range n {
		cnt := r.uvarint("pairs", n-i-1)
		prev := i
		for range cnt {
			j := prev + 1 + r.uvarint("pair product", n-prev-1)
			c := r.uvarint("pair count", uint64(min(st.counts[i], st.countAt(j))))
			if r.err != nil {
				return nil, r.err
			}
			if j >= n {
				return nil, fmt.Errorf("pair (%d, %d): product out of range", i, j)
			}
			if c < uint64(cfg.MinSupport) { //nolint:gosec // validated positive
				return nil, fmt.Errorf("pair (%d, %d): count %d below the support floor %d", i, j, c, cfg.MinSupport)
			}
			if st.pairs[i] == nil {
				st.pairs[i] = make(map[int32]uint32, cnt)
			}
			st.pairs[i][int32(j)] = uint32(c) //nolint:gosec // bounded above
			prev = j
		}
	}
	nd := r.uvarint("days", min(uint64(len(r.b))/3, uint64(cfg.windowDays()))) //nolint:gosec // validated positive
	newestDay := dayOf(st.newest)
	var day int64
	for d := range nd {
		if d == 0 {
			day = r.varint("day")
		} else {
			delta := r.uvarint("day step", uint64(cfg.windowDays())) //nolint:gosec // validated positive
			if delta == 0 {
				r.fail("day step 0")
			}
			day += int64(delta) //nolint:gosec // bounded
		}
		orders := r.uvarint("day orders", maxCount)
		items := r.uvarint("day products", n)
		if r.err != nil {
			return nil, r.err
		}
		if day > newestDay || day < newestDay-cfg.windowDays()+1 {
			return nil, fmt.Errorf("day %d: outside the window ending on day %d", day, newestDay)
		}
		if orders == 0 {
			return nil, fmt.Errorf("day %d: no orders", day)
		}
		dc := &dayCount{orders: uint32(orders), items: make(map[int32]uint32, min(items, uint64(len(r.b))))} //nolint:gosec // bounded
		prev := int64(-1)
		for range items {
			item := prev + 1 + int64(r.uvarint("day product", n)) //nolint:gosec // bounded by n
			c := r.uvarint("day product count", orders)
			if r.err != nil {
				return nil, r.err
			}
			if item >= int64(n) { //nolint:gosec // n ≤ MaxInt32
				return nil, fmt.Errorf("day %d: product %d out of range", day, item)
			}
			if c == 0 || c > uint64(st.counts[item]) {
				return nil, fmt.Errorf("day %d: product %q count %d", day, st.names[item], c)
			}
			dc.items[int32(item)] = uint32(c) //nolint:gosec // bounded
			prev = item
		}
		st.days[day] = dc
	}
	if r.err != nil {
		return nil, r.err
	}
	if len(r.b) != 0 {
		return nil, fmt.Errorf("%d bytes after the end", len(r.b))
	}
	return st, nil
}

// countAt is product j's order count, 0 when j is out of range.
func (st *decoded) countAt(j uint64) uint32 {
	if j >= uint64(len(st.counts)) {
		return 0
	}
	return st.counts[j]
}
