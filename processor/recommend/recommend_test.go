package recommend_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/processor/recommend"
)

var day0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func newModel(t *testing.T, cfg recommend.Config) *recommend.Model {
	t.Helper()
	m, err := recommend.New(cfg)
	require.NoError(t, err)
	return m
}

// addN adds basket n times at at.
func addN(m *recommend.Model, n int, at time.Time, basket ...string) {
	for range n {
		m.Add(basket, at)
	}
}

func ids(list []recommend.Scored) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = s.ID
	}
	return out
}

// synthModel is a model of a synthetic shop, with its orders.
func synthModel(t *testing.T, products, orders int, seed uint64) (*recommend.Model, [][]string) {
	t.Helper()
	m := newModel(t, recommend.Config{})
	baskets, at := newShop(products, seed).orders(orders)
	for i, b := range baskets {
		m.Add(b, at[i])
	}
	return m, baskets
}

func TestConfigDefaultsAndValidation(t *testing.T) {
	t.Parallel()
	m := newModel(t, recommend.Config{})
	require.Equal(t, recommend.Config{
		Neighbours: 50, MinSupport: 2, Shrink: 100, Damping: 0.6, Window: 90 * 24 * time.Hour,
	}, m.Config())
	for name, cfg := range map[string]recommend.Config{
		"negative neighbours": {Neighbours: -1},
		"huge neighbours":     {Neighbours: 1_000_000},
		"negative support":    {MinSupport: -2},
		"negative shrink":     {Shrink: -1},
		"NaN shrink":          {Shrink: math.NaN()},
		"infinite shrink":     {Shrink: math.Inf(1)},
		"damping above 1":     {Damping: 1.5},
		"negative damping":    {Damping: -0.1},
		"partial day window":  {Window: 36 * time.Hour},
		"window below a day":  {Window: time.Hour},
	} {
		_, err := recommend.New(cfg)
		require.Error(t, err, name)
	}
}

func TestSimilarityIsShrunkDampedConfidence(t *testing.T) {
	t.Parallel()
	m := newModel(t, recommend.Config{})
	addN(m, 3, day0, "a", "b")
	addN(m, 2, day0, "a", "c")
	addN(m, 1, day0, "b", "c") // below the support floor of 2
	addN(m, 1, day0, "a")
	addN(m, 2, day0, "c", "d")
	// c_a = 6, c_b = 4, c_c = 5, c_d = 2; c_ab = 3, c_ac = 2, c_bc = 1, c_cd = 2.
	sim := func(cij, ci, cj float64) float64 { return cij / ci / math.Pow(cj, 0.6) * (cij / (cij + 100)) }

	a := m.Similar("a")
	require.Equal(t, []string{"b", "c"}, ids(a))
	require.InEpsilon(t, sim(3, 6, 4), a[0].Score, 1e-12)
	require.InEpsilon(t, sim(2, 6, 5), a[1].Score, 1e-12)
	require.Equal(t, []string{"a"}, ids(m.Similar("b")), "one order together is below the floor")
	c := m.Similar("c")
	require.Equal(t, []string{"d", "a"}, ids(c))
	require.InEpsilon(t, sim(2, 5, 2), c[0].Score, 1e-12)
	require.InEpsilon(t, sim(2, 5, 6), c[1].Score, 1e-12)
	require.Nil(t, m.Similar("nope"))

	floor1 := newModel(t, recommend.Config{MinSupport: 1})
	floor1.Add([]string{"b", "c"}, day0)
	require.Equal(t, []string{"c"}, ids(floor1.Similar("b")))

	// Recommend sums over the query: for {a, d}, c gets sim(a→c) + sim(d→c).
	got := m.Recommend([]string{"d", "a"}, nil, 1, nil)
	require.Equal(t, "c", got[0].ID)
	require.InEpsilon(t, sim(2, 6, 5)+sim(2, 2, 5), got[0].Score, 1e-12)
}

func TestShrinkageStopsTheRareItemFlood(t *testing.T) {
	t.Parallel()
	build := func(cfg recommend.Config) *recommend.Model {
		m := newModel(t, cfg)
		addN(m, 2, day0, "a", "rare")  // rare: 2 orders, both with a
		addN(m, 28, day0, "a", "best") // best: bought with a 28 times
		addN(m, 10, day0, "a")
		addN(m, 32, day0, "best")
		addN(m, 28, day0, "other")
		return m
	}
	// Lift (δ = 1, next to no shrinkage) puts the rare product first.
	lift := build(recommend.Config{Damping: 1, Shrink: 1e-9})
	require.Equal(t, []string{"rare", "best"}, ids(lift.Similar("a")))
	// The defaults trust the pair bought together 28 times.
	def := build(recommend.Config{})
	require.Equal(t, []string{"best", "rare"}, ids(def.Similar("a")))
}

func TestRecommendExcludesQueryAndExclusions(t *testing.T) {
	t.Parallel()
	m, baskets := synthModel(t, 300, 4000, 1)
	rng := rand.New(rand.NewPCG(7, 7))
	for n := range 200 {
		query := baskets[rng.IntN(len(baskets))]
		exclude := baskets[rng.IntN(len(baskets))]
		exclude = append(slices.Clone(exclude), "unknown-product")
		got := m.Recommend(append(slices.Clone(query), "unknown-too"), exclude, 10, nil)
		require.Len(t, got, 10, "case %d", n)
		popular := false
		for _, s := range got {
			require.NotContains(t, query, s.ID)
			require.NotContains(t, exclude, s.ID)
			require.Greater(t, s.Score, 0.0)
			if s.Popular {
				popular = true
			} else {
				require.False(t, popular, "co-purchases come before the padding")
			}
		}
		require.Len(t, slices.Compact(slices.Sorted(slices.Values(ids(got)))), len(got), "no product twice")
	}
	require.Nil(t, m.Recommend([]string{productID(1)}, nil, 0, nil))
	require.Nil(t, m.Recommend([]string{productID(1)}, nil, -3, nil))
}

func TestKeepFiltersEveryCandidateOnce(t *testing.T) {
	t.Parallel()
	m, baskets := synthModel(t, 300, 4000, 2)
	inStock := func(id string) bool { return id[len(id)-1]%2 == 0 } // "in stock, with an image"
	for _, query := range baskets[:100] {
		asked := map[string]int{}
		got := m.Recommend(query, nil, 10, func(id string) bool {
			asked[id]++
			return inStock(id)
		})
		require.Len(t, got, 10)
		for _, s := range got {
			require.True(t, inStock(s.ID), s.ID)
		}
		for id, n := range asked {
			require.Equal(t, 1, n, "%s asked %d times", id, n)
		}
		// Without the filter, the kept products keep their order.
		all := m.Recommend(query, nil, 300, nil)
		var want []string
		for _, s := range all {
			if inStock(s.ID) && len(want) < 10 {
				want = append(want, s.ID)
			}
		}
		require.Equal(t, want, ids(got))
	}
	require.Empty(t, m.Recommend(baskets[0], nil, 10, func(string) bool { return false }))
}

func TestPaddingWithPopularity(t *testing.T) {
	t.Parallel()
	m := newModel(t, recommend.Config{})
	addN(m, 5, day0, "top")
	addN(m, 3, day0, "second")
	addN(m, 2, day0, "q", "pal")
	addN(m, 2, day0, "zeta")
	addN(m, 2, day0, "alpha") // ties with zeta: the smaller id first
	// 14 orders in the window.
	got := m.Recommend([]string{"q"}, nil, 4, nil)
	require.Equal(t, []string{"pal", "top", "second", "alpha"}, ids(got))
	require.False(t, got[0].Popular)
	for i, share := range []float64{5.0 / 14, 3.0 / 14, 2.0 / 14} {
		require.True(t, got[i+1].Popular)
		require.InDelta(t, share, got[i+1].Score, 1e-12)
	}
	// No query: the best sellers, excluding what the customer bought.
	require.Equal(t, []string{"second", "alpha", "pal", "q"}, ids(m.Recommend(nil, []string{"top", "zeta"}, 10, nil)))
	// k above what is left: everything eligible.
	require.Equal(t, []string{"pal", "top", "second", "alpha", "zeta"}, ids(m.Recommend([]string{"q"}, nil, 100, nil)))
	// An empty model recommends nothing.
	require.Empty(t, newModel(t, recommend.Config{}).Recommend([]string{"q"}, nil, 10, nil))
}

func TestPopularityWindow(t *testing.T) {
	t.Parallel()
	m := newModel(t, recommend.Config{})
	addN(m, 10, day0, "old")
	addN(m, 5, day0.AddDate(0, 0, 50), "mid")
	addN(m, 3, day0.AddDate(0, 0, 100), "new")
	require.Equal(t, day0.AddDate(0, 0, 100), m.Newest())
	// The window is the 90 days ending on the newest order's day: old is out.
	got := m.Recommend(nil, nil, 3, nil)
	require.Equal(t, []string{"mid", "new", "old"}, ids(got))
	require.InDelta(t, 5.0/8, got[0].Score, 1e-12)
	require.InDelta(t, 0.0, got[2].Score, 0)
	// An explicit now moves the window: on day 150 only new is in it, then
	// the rest by orders ever.
	got = m.RecommendAt(day0.AddDate(0, 0, 150), nil, nil, 3, nil)
	require.Equal(t, []string{"new", "old", "mid"}, ids(got))
	require.InDelta(t, 1.0, got[0].Score, 1e-12)
	// On day 60, new is in the future and old's day is no longer kept.
	require.Equal(t, []string{"mid", "old", "new"}, ids(m.RecommendAt(day0.AddDate(0, 0, 60), nil, nil, 3, nil)))
	// A late order older than the window counts for co-purchase only.
	addN(m, 9, day0.AddDate(0, 0, 1), "old", "mid")
	require.Equal(t, []string{"mid", "new", "old"}, ids(m.Recommend(nil, nil, 3, nil)))
	require.Equal(t, []string{"mid"}, ids(m.Similar("old")))
	require.Equal(t, 27, m.Orders())
	require.Equal(t, 3, m.Products())
}

func TestTiesGoToTheSmallerID(t *testing.T) {
	t.Parallel()
	for _, order := range [][]string{{"z", "x", "y"}, {"y", "z", "x"}, {"x", "y", "z"}} {
		m := newModel(t, recommend.Config{})
		for _, id := range order {
			addN(m, 2, day0, "q", id)
		}
		require.Equal(t, []string{"x", "y", "z"}, ids(m.Recommend([]string{"q"}, nil, 3, nil)))
		require.Equal(t, []string{"x", "y", "z"}, ids(m.Similar("q")))
	}
}

func TestRecommendIsDeterministic(t *testing.T) {
	t.Parallel()
	m, baskets := synthModel(t, 500, 5000, 3)
	rng := rand.New(rand.NewPCG(3, 3))
	for _, b := range baskets[:300] {
		want := m.Recommend(b, nil, 10, nil)
		shuffled := slices.Clone(b)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		require.Equal(t, want, m.Recommend(append(shuffled, shuffled...), nil, 10, nil), "query order and repeats do not matter")
	}
}

func TestIncrementalAddEqualsBatchBuild(t *testing.T) {
	t.Parallel()
	baskets, at := newShop(400, 4).orders(6000)
	batch := newModel(t, recommend.Config{})
	for i, b := range baskets {
		batch.Add(b, at[i])
	}
	want, err := batch.MarshalBinary()
	require.NoError(t, err)

	// The same orders with reads in between: the same model.
	inc := newModel(t, recommend.Config{})
	for i, b := range baskets {
		inc.Add(b, at[i])
		if i%700 == 0 {
			_ = inc.Recommend(b, nil, 10, nil)
			_, err := inc.MarshalBinary()
			require.NoError(t, err)
		}
	}
	got, err := inc.MarshalBinary()
	require.NoError(t, err)
	require.Equal(t, want, got)

	// The same orders in another order: the same recommendations.
	perm := rand.New(rand.NewPCG(4, 4)).Perm(len(baskets))
	shuffled := newModel(t, recommend.Config{})
	for _, i := range perm {
		shuffled.Add(baskets[i], at[i])
	}
	for _, b := range baskets[:300] {
		require.Equal(t, batch.Recommend(b[:1], b[1:], 10, nil), shuffled.Recommend(b[:1], b[1:], 10, nil))
	}
	require.Equal(t, batch.Orders(), shuffled.Orders())
	require.Equal(t, batch.Newest(), shuffled.Newest())
}

func TestBinaryRoundTrip(t *testing.T) {
	t.Parallel()
	m, baskets := synthModel(t, 800, 8000, 5)
	b, err := m.MarshalBinary()
	require.NoError(t, err)
	back := roundTrip(t, m)
	again, err := back.MarshalBinary()
	require.NoError(t, err)
	require.Equal(t, b, again, "equal models, equal bytes")
	require.Equal(t, m.Config(), back.Config())
	require.Equal(t, m.Orders(), back.Orders())
	require.Equal(t, m.Products(), back.Products())
	require.True(t, m.Newest().Equal(back.Newest()))
	later := m.Newest().AddDate(0, 0, 45)
	for _, q := range baskets[:400] {
		require.Equal(t, m.Recommend(q, nil, 10, nil), back.Recommend(q, nil, 10, nil))
		require.Equal(t, m.RecommendAt(later, q[:1], q[1:], 5, nil), back.RecommendAt(later, q[:1], q[1:], 5, nil))
		require.Equal(t, m.Similar(q[0]), back.Similar(q[0]))
	}
	// A read-back model keeps learning.
	back.Add([]string{"brand-new", productID(1)}, m.Newest().AddDate(1, 0, 0))
	require.Equal(t, m.Orders()+1, back.Orders())
	require.Equal(t, m.Products()+1, back.Products())
	require.Contains(t, ids(back.Recommend(nil, nil, 3, nil)), "brand-new", "the only product in the new window")

	// Every truncation (of a small model's bytes) and a wrong magic are
	// refused, and the model is kept.
	small, _ := synthModel(t, 40, 400, 5)
	sb, err := small.MarshalBinary()
	require.NoError(t, err)
	for n := range sb {
		require.ErrorIs(t, back.UnmarshalBinary(sb[:n]), recommend.ErrBadModel, "truncated at %d", n)
	}
	bad := slices.Clone(b)
	bad[0] = 'X'
	require.ErrorIs(t, back.UnmarshalBinary(bad), recommend.ErrBadModel)
	bad = slices.Clone(b)
	bad[3] = 9
	require.ErrorContains(t, back.UnmarshalBinary(bad), "format version 9")
	require.ErrorIs(t, back.UnmarshalBinary(append(slices.Clone(b), 0)), recommend.ErrBadModel)
	require.Equal(t, m.Products()+1, back.Products())
}

func TestZeroModel(t *testing.T) {
	t.Parallel()
	var m recommend.Model
	require.Equal(t, 50, m.Config().Neighbours)
	require.Empty(t, m.Recommend([]string{"a"}, nil, 5, nil))
	addN(&m, 2, day0, "a", "b")
	require.Equal(t, []string{"b"}, ids(m.Recommend([]string{"a"}, nil, 5, nil)))
	empty, err := newModel(t, recommend.Config{}).MarshalBinary()
	require.NoError(t, err)
	var back recommend.Model
	require.NoError(t, back.UnmarshalBinary(empty))
	require.Zero(t, back.Orders())
	require.True(t, back.Newest().IsZero())
}

func TestConcurrentReadsAndAdds(t *testing.T) {
	t.Parallel()
	baskets, at := newShop(300, 6).orders(3000)
	m := newModel(t, recommend.Config{})
	for i, b := range baskets[:1000] {
		m.Add(b, at[i])
	}
	var wg sync.WaitGroup
	for r := range 4 {
		wg.Go(func() {
			for i := range 300 {
				q := baskets[(r*300+i)%len(baskets)]
				for _, s := range m.Recommend(q, nil, 10, nil) {
					if slices.Contains(q, s.ID) {
						t.Errorf("recommended %s from the query", s.ID)
					}
				}
				if i%50 == 0 {
					if _, err := m.MarshalBinary(); err != nil {
						t.Error(err)
					}
				}
			}
		})
	}
	wg.Go(func() {
		for i, b := range baskets[1000:] {
			m.Add(b, at[1000+i])
		}
	})
	wg.Wait()
	batch := newModel(t, recommend.Config{})
	for i, b := range baskets {
		batch.Add(b, at[i])
	}
	want, err := batch.MarshalBinary()
	require.NoError(t, err)
	got, err := m.MarshalBinary()
	require.NoError(t, err)
	require.Equal(t, want, got)
}

func TestAddIgnoresRepeatsAndEmptyIDs(t *testing.T) {
	t.Parallel()
	m := newModel(t, recommend.Config{})
	m.Add([]string{"a", "b", "a", "", "b"}, day0)
	m.Add([]string{"a", "b"}, day0)
	m.Add(nil, day0.AddDate(1, 0, 0))
	m.Add([]string{""}, day0.AddDate(1, 0, 0))
	require.Equal(t, 2, m.Orders())
	require.Equal(t, 2, m.Products())
	require.Equal(t, day0, m.Newest(), "empty orders do not move the window")
	sim := m.Similar("a")
	require.Len(t, sim, 1)
	require.InEpsilon(t, 2.0/2/math.Pow(2, 0.6)*(2.0/102), sim[0].Score, 1e-12)
}

func TestEvalProtocol(t *testing.T) {
	t.Parallel()
	train := [][]string{{"a", "b"}, {"a", "b"}, {"c", "d"}, {"c", "d"}, {"e"}, {"e"}, {"e"}}
	// Popularity: e (3 orders), then a, b, c, d (2 each, by id).
	test := [][]string{
		{"a", "b"},      // model [b e], popularity [e b]: two hits
		{"c", "d"},      // model [d e]: a hit; popularity [e a]: a miss
		{"e"},           // one item: no case
		{},              // no case
		{"a", "zz"},     // an unknown held-out item: two misses
		{"q", "r", "e"}, // an unknown query: both pad with e first, two hits
	}
	res := recommend.Eval(train, test, 2)
	require.Equal(t, recommend.Result{Cases: 4, K: 2, HR: recommend.HitRates{Popularity: 2.0 / 4, Model: 3.0 / 4}}, res)
	require.Equal(t, 10, recommend.Eval(train, test, 0).K)
	require.Equal(t, recommend.Result{K: 10}, recommend.Eval(train, nil, -1))
}

func TestReadBaskets(t *testing.T) {
	t.Parallel()
	got, err := recommend.ReadBaskets(strings.NewReader("\ufeffwhole milk,cream cheese ,yogurt\r\n\nsoda\nx,y"))
	require.NoError(t, err)
	require.Equal(t, [][]string{{"whole milk", "cream cheese ", "yogurt"}, nil, {"soda"}, {"x", "y"}}, got)

	for in, want := range map[string]string{
		"a,,b\n":        "line 1: item 2 is empty",
		"a\nb,\n":       "line 2: item 2 is empty",
		"a\n,b\n":       "line 2: item 1 is empty",
		"a\n\nb,c,b\n":  `line 3: item "b" appears twice`,
		"a\n\xff\xfe\n": "line 2: not valid UTF-8",
		"a\tb\n":        "line 1: item 1 has a control character",
		"a\n" + strings.Repeat("x", recommend.MaxLineBytes+1) + "\n": "line 2: longer than 1048576 bytes",
		"a\n" + strings.Repeat("x", recommend.MaxLineBytes+9) + "\n": "line 2: longer than 1048576 bytes",
	} {
		_, err := recommend.ReadBaskets(strings.NewReader(in))
		var le *recommend.LineError
		require.ErrorAs(t, err, &le, "%.40q", in)
		require.EqualError(t, err, want)
	}
}

func FuzzReadBaskets(f *testing.F) {
	f.Add("citrus fruit,semi-finished bread,margarine,ready soups\ntropical fruit,yogurt,coffee\nwhole milk\n")
	f.Add("\ufeff85123A,71053\r\n\r\n22728,22727,22726\r\n")
	f.Add("a,,b\n")
	f.Add("a,b,a")
	f.Add("cream cheese ,roll products \n\xff\n")
	f.Fuzz(func(t *testing.T, in string) {
		baskets, err := recommend.ReadBaskets(strings.NewReader(in))
		if err != nil {
			var le *recommend.LineError
			require.ErrorAs(t, err, &le)
			require.GreaterOrEqual(t, le.Line, 1)
			require.LessOrEqual(t, le.Line, strings.Count(in, "\n")+1)
			return
		}
		lines := make([]string, len(baskets))
		for i, b := range baskets {
			require.Len(t, slices.Compact(slices.Sorted(slices.Values(b))), len(b), "no repeats")
			for _, id := range b {
				require.NotEmpty(t, id)
				require.NotContains(t, id, ",")
				require.NotContains(t, id, "\n")
			}
			lines[i] = strings.Join(b, ",")
		}
		again, err := recommend.ReadBaskets(strings.NewReader(strings.Join(lines, "\n")))
		require.NoError(t, err)
		if len(baskets) > 0 && len(baskets[len(baskets)-1]) == 0 {
			again = append(again, nil) // a final empty line leaves no trace when joined
		}
		require.Equal(t, baskets, again)
	})
}
