package predict

import (
	"cmp"
	"math"
	"slices"
	"sort"
	"time"
)

// Band is a churn-risk band.
type Band string

// The churn-risk bands: low < 0.33 ≤ medium < 0.66 ≤ high.
const (
	BandLow    Band = "low"
	BandMedium Band = "medium"
	BandHigh   Band = "high"
)

// ChurnBand is the band of a churn risk.
func ChurnBand(risk float64) Band {
	switch {
	case risk < 0.33:
		return BandLow
	case risk < 0.66:
		return BandMedium
	default:
		return BandHigh
	}
}

// Models are the fitted models a Score is computed from.
type Models struct {
	BGNBD      BGNBD
	GammaGamma GammaGamma
	// ParetoNBD is valid when HasParetoNBD.
	ParetoNBD    ParetoNBD
	HasParetoNBD bool
	// MBGNBD is valid when Churn is ChurnMBGNBD (the CLI always fits it).
	MBGNBD MBGNBD
	// Churn is the model P(alive) and churn risk come from (see
	// Comparison.Choose). Empty means Pareto/NBD when HasParetoNBD, else
	// BG/NBD: what Models did before the holdout choice. Expected orders,
	// CLV and the next order come from BG/NBD and Gamma-Gamma either way.
	Churn ChurnModel
	// Unit is the unit the models were fitted in. Default Week.
	Unit Unit
}

// churn is the model P(alive) comes from, Churn with its default filled.
func (m Models) churn() ChurnModel {
	switch {
	case m.Churn != "":
		return m.Churn
	case m.HasParetoNBD:
		return ChurnParetoNBD
	default:
		return ChurnBGNBD
	}
}

// PAlive is P(alive) from the churn model.
func (m Models) PAlive(x, tx, t float64) float64 {
	switch m.churn() {
	case ChurnParetoNBD:
		return m.ParetoNBD.PAlive(x, tx, t)
	case ChurnMBGNBD:
		return m.MBGNBD.PAlive(x, tx, t)
	default:
		return m.BGNBD.PAlive(x, tx, t)
	}
}

// Score is one customer's predictions as of the calibration end.
type Score struct {
	Summary
	PAlive    float64
	ChurnRisk float64
	ChurnBand Band
	// ExpectedOrders365 is the BG/NBD expected number of orders in the next 365 days.
	ExpectedOrders365 float64
	// CLV365 is the discounted predicted revenue of the next 365 days (see CLV365).
	CLV365 float64
	// NextOrderAt is the first day by which the expected number of orders
	// reaches one; zero when that is more than 365 days away.
	NextOrderAt time.Time
}

// Score computes a customer's predictions as of asOf, the calibration end.
// It is the reference ScoreAll is checked against: ScoreAll gives the same
// scores many times faster.
func (m Models) Score(c Summary, asOf time.Time) Score {
	unit := m.Unit
	if unit == "" {
		unit = Week
	}
	pa := m.PAlive(c.X, c.TX, c.T)
	cum := cumulative(m.BGNBD, c, 12, month(unit))
	sc := Score{
		Summary:           c,
		PAlive:            pa,
		ChurnRisk:         1 - pa,
		ChurnBand:         ChurnBand(1 - pa),
		ExpectedOrders365: cum[11],
		CLV365:            clvFrom(cum, m.GammaGamma.ExpectedSpend(c.X, c.MeanSpend), monthlyDiscount),
	}
	if k := sort.SearchFloat64s(cum, 1); k < len(cum) {
		// The first order falls in month k+1: bisect it to half a day.
		days := 365.0 / 12
		lo, hi := float64(k)*days, float64(k+1)*days
		for hi-lo > 0.5 {
			mid := (lo + hi) / 2
			if m.BGNBD.ConditionalExpectedPurchases(mid/unit.Days(), c.X, c.TX, c.T) >= 1 {
				hi = mid
			} else {
				lo = mid
			}
		}
		sc.NextOrderAt = truncDay(asOf).AddDate(0, 0, int(math.Ceil(hi)))
	}
	return sc
}

// ScoreAll scores every customer as of asOf, out[i] for cs[i], with the
// same results as Score (to rounding, within 10⁻⁹ relative; the test
// checks) at a fraction of the cost (see ScoreEach).
func (m Models) ScoreAll(cs []Summary, asOf time.Time) []Score {
	out := make([]Score, len(cs))
	m.ScoreEach(cs, asOf, func(i int, s *Score) { out[i] = *s })
	return out
}

// ScoreEach calls fn(i, s) with the score of cs[i] as of asOf for every
// customer, in order, as ScoreAll computes it, without holding them all: s
// is valid during the call only. Score spends its time in ₂F₁ evaluations,
// and none of them depends on the customer itself: BG/NBD's monthly
// expectations of an active customer depend on (x, T) alone, P(alive) on
// (x, t_x, T), Pareto/NBD's hypergeometric terms on (x, t_x) and (x, T).
// Summaries are whole days, so customers share these: ScoreEach groups them
// by (x, T) and, within a group, by t_x; it evaluates each ₂F₁ once per
// distinct (x, T) (the next-order bisection's too, memoised along its path),
// each P(alive) once per distinct (x, t_x, T), and leaves only the spend to
// each customer, in a last pass in the input's order.
func (m Models) ScoreEach(cs []Summary, asOf time.Time, fn func(i int, s *Score)) {
	if len(cs) > math.MaxInt32 { // beyond int32 indices: the reference, one by one
		for i, c := range cs {
			s := m.Score(c, asOf)
			fn(i, &s)
		}
		return
	}
	if len(cs) == 0 {
		return
	}
	// Number the distinct (x, T) and count their customers.
	var pairs pairIndex
	var size []int32
	gid := make([]int32, len(cs))
	for i := range cs {
		g := pairs.id(cs[i].X, cs[i].T)
		if int(g) == len(size) {
			size = append(size, 0)
		}
		gid[i] = g
		size[g]++
	}
	// Lay the customers out group by group (a counting sort).
	start := make([]int32, len(size)+1)
	for g, n := range size {
		start[g+1] = start[g] + n
	}
	members := make([]member, len(cs))
	next := size // reused as each group's next free place
	copy(next, start[:len(size)])
	for i := range cs {
		g := gid[i]
		members[next[g]] = member{tx: cs[i].TX, i: int32(i)}
		next[g]++
	}
	// Order each group by t_x and count the distinct (x, t_x, T).
	triples := 0
	for g := range size {
		ms := members[start[g]:start[g+1]]
		slices.SortFunc(ms, func(a, b member) int { return cmp.Compare(a.tx, b.tx) })
		for j := range ms {
			if j == 0 || ms[j].tx != ms[j-1].tx {
				triples++
			}
		}
	}
	// Score each distinct (x, t_x, T) once; gid becomes each customer's template.
	sc := newScorer(m, asOf)
	tmpl := make([]tripleScore, 0, triples)
	for g := range size {
		ms := members[start[g]:start[g+1]]
		c := &cs[ms[0].i]
		sc.group(c.X, c.T)
		for j, mb := range ms {
			if j == 0 || mb.tx != ms[j-1].tx {
				tmpl = append(tmpl, sc.triple(mb.tx))
			}
			gid[mb.i] = int32(len(tmpl) - 1) //nolint:gosec // at most len(cs) ≤ MaxInt32 templates
		}
	}
	// The customers' own part, in the input's order.
	var o Score
	for i := range cs {
		t := &tmpl[gid[i]]
		o.Summary = cs[i]
		o.PAlive, o.ChurnRisk, o.ExpectedOrders365 = t.pa, t.risk, t.orders
		o.ChurnBand = bands[t.band]
		o.CLV365 = t.clvPerSpend * m.GammaGamma.ExpectedSpend(cs[i].X, cs[i].MeanSpend)
		o.NextOrderAt = time.Time{}
		if t.nextDays >= 0 {
			o.NextOrderAt = sc.dayAt(int(t.nextDays))
		}
		fn(i, &o)
	}
}

// bands are the churn bands by index, for tripleScore.band.
var bands = [...]Band{BandLow, BandMedium, BandHigh}

// bandIndex is the index of b in bands.
func bandIndex(b Band) uint8 {
	return uint8(slices.Index(bands[:], b)) //nolint:gosec // one of three bands
}

// member is a customer in ScoreAll's layout: t_x and the index in the input.
type member struct {
	tx float64
	i  int32
}

// pairIndex numbers distinct pairs of numbers, (x, T) or (x, t_x), in the
// order they come: an
// open-addressing hash table on the values' bits, without pointers so
// neither hashing nor the garbage collector costs much at a million
// customers. The zero value is empty.
type pairIndex struct {
	keys [][2]uint64
	ids  []int32 // id+1; 0 marks an empty slot
	n    int32
}

// id is the number of the pair, a new one (the count so far) when unseen.
func (p *pairIndex) id(x, t float64) int32 {
	if int(p.n+1)*2 > len(p.keys) {
		p.grow()
	}
	k := [2]uint64{math.Float64bits(x), math.Float64bits(t)}
	mask := uint64(len(p.keys) - 1) //nolint:gosec // a positive power of two
	for h := p.hash(k) & mask; ; h = (h + 1) & mask {
		switch {
		case p.ids[h] == 0:
			p.keys[h], p.ids[h] = k, p.n+1
			p.n++
			return p.n - 1
		case p.keys[h] == k:
			return p.ids[h] - 1
		}
	}
}

func (p *pairIndex) hash(k [2]uint64) uint64 {
	return mix64(k[0] ^ mix64(k[1]))
}

// mix64 is SplitMix64's finaliser: every input bit flips about half the
// output bits, so whole-number floats (whose low bits are all zero) spread
// over the table too.
func mix64(z uint64) uint64 {
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// grow doubles the table (to 1,024 slots at first) and re-inserts the keys.
func (p *pairIndex) grow() {
	keys, ids := p.keys, p.ids
	size := max(1024, 2*len(keys))
	p.keys, p.ids = make([][2]uint64, size), make([]int32, size)
	mask := uint64(size - 1)
	for i, id := range ids {
		if id == 0 {
			continue
		}
		h := p.hash(keys[i]) & mask
		for p.ids[h] != 0 {
			h = (h + 1) & mask
		}
		p.keys[h], p.ids[h] = keys[i], id
	}
}

// bisectNodes bounds the next-order bisection's tree: 30.4 days halved to
// under half a day takes 6 steps, so node numbers (root 1, children 2n and
// 2n+1) stay below 2⁷.
const bisectNodes = 128

// scorer is ScoreAll's state: the constants of the models and the values of
// the current (x, T) group.
type scorer struct {
	m        Models
	churn    ChurnModel
	unitDays float64
	month    float64
	day0     time.Time
	days     []time.Time // day0 plus n days at n, filled as needed
	disc     [12]float64

	x, t   float64
	growth [12]float64
	// Pareto/NBD's P(alive) parts for (x, T).
	head, termT float64
	// termTx holds a0Term(x, t_x) at txIDs' number of (x, t_x).
	txIDs  pairIndex
	termTx []float64
	// memo holds BG/NBD's growth at the bisection's nodes, valid where
	// memoGen equals gen (the current group's number).
	memo    [12][bisectNodes]float64
	memoGen [12][bisectNodes]uint32
	gen     uint32
}

// tripleScore is what every customer with one (x, t_x, T) shares: the
// figures of Score but CLV365, and the factor that turns a customer's
// expected spend into CLV365. It holds no pointers (the band is an index into
// bands, the next order a number of days after asOf's day, −1 for none), so
// a slice of them costs the garbage collector nothing.
type tripleScore struct {
	pa, risk, orders, clvPerSpend float64
	nextDays                      int32
	band                          uint8
}

func newScorer(m Models, asOf time.Time) *scorer {
	unit := m.Unit
	if unit == "" {
		unit = Week
	}
	sc := &scorer{
		m: m, churn: m.churn(), unitDays: unit.Days(), month: month(unit), day0: truncDay(asOf),
	}
	for k := range sc.disc {
		sc.disc[k] = math.Pow(1+monthlyDiscount, float64(k+1))
	}
	return sc
}

// group starts the customers with (x, T).
func (sc *scorer) group(x, t float64) {
	sc.x, sc.t = x, t
	sc.gen++
	for k := range sc.growth {
		sc.growth[k] = sc.m.BGNBD.growth(float64(k+1)*sc.month, x, t)
	}
	if sc.churn == ChurnParetoNBD {
		sc.head, sc.termT = sc.m.ParetoNBD.pAliveHead(x, t), sc.m.ParetoNBD.a0Term(x, t)
	}
}

// pAlive is Models.PAlive for (x, t_x, T) of the current group.
func (sc *scorer) pAlive(tx float64) float64 {
	if sc.churn != ChurnParetoNBD {
		return sc.m.PAlive(sc.x, tx, sc.t)
	}
	if tx >= sc.t {
		return 1
	}
	id := sc.txIDs.id(sc.x, tx)
	if int(id) == len(sc.termTx) {
		sc.termTx = append(sc.termTx, sc.m.ParetoNBD.a0Term(sc.x, tx))
	}
	return sc.m.ParetoNBD.pAliveFrom(sc.head, sc.termTx[id], sc.termT)
}

// triple is the shared part of the score of the current group's customers
// with t_x, computed as Score computes it.
func (sc *scorer) triple(tx float64) tripleScore {
	pa := sc.pAlive(tx)
	bgPA := sc.m.BGNBD.PAlive(sc.x, tx, sc.t)
	var cum [12]float64
	if bgPA != 0 {
		for k, g := range sc.growth {
			cum[k] = expectedGiven(g, bgPA)
		}
	}
	ts := tripleScore{pa: pa, risk: 1 - pa, band: bandIndex(ChurnBand(1 - pa)), orders: cum[11], nextDays: -1}
	var prev float64
	for k, cur := range cum {
		ts.clvPerSpend += (cur - prev) / sc.disc[k]
		prev = cur
	}
	k := sort.SearchFloat64s(cum[:], 1)
	if k == len(cum) {
		return ts
	}
	days := 365.0 / 12
	lo, hi := float64(k)*days, float64(k+1)*days
	node := 1
	for hi-lo > 0.5 {
		mid := (lo + hi) / 2
		if expectedGiven(sc.bisectGrowth(k, node, mid), bgPA) >= 1 {
			hi, node = mid, 2*node
		} else {
			lo, node = mid, 2*node+1
		}
	}
	ts.nextDays = int32(math.Ceil(hi))
	return ts
}

// bisectGrowth is BG/NBD's growth at mid days, the node-th point of month
// k's bisection, memoised for the group: every customer of the group who
// bisects month k visits the same points.
func (sc *scorer) bisectGrowth(k, node int, mid float64) float64 {
	if node >= bisectNodes {
		return sc.m.BGNBD.growth(mid/sc.unitDays, sc.x, sc.t)
	}
	if sc.memoGen[k][node] != sc.gen {
		sc.memo[k][node] = sc.m.BGNBD.growth(mid/sc.unitDays, sc.x, sc.t)
		sc.memoGen[k][node] = sc.gen
	}
	return sc.memo[k][node]
}

// dayAt is asOf's day plus n days, as Score computes it.
func (sc *scorer) dayAt(n int) time.Time {
	for len(sc.days) <= n {
		sc.days = append(sc.days, time.Time{})
	}
	if sc.days[n].IsZero() {
		sc.days[n] = sc.day0.AddDate(0, 0, n)
	}
	return sc.days[n]
}
