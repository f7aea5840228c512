package recommend_test

import (
	"cmp"
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/processor/recommend"
)

// pairWeight is one of SOURCE.md's own baseline similarities.
type pairWeight func(cij, ci, cj, n float64) float64

var (
	countWeight  pairWeight = func(cij, _, _, _ float64) float64 { return cij }
	cosineWeight pairWeight = func(cij, ci, cj, _ float64) float64 { return cij / math.Sqrt(ci*cj) }
	liftWeight   pairWeight = func(cij, ci, cj, n float64) float64 { return cij * n / (ci * cj) }
)

// referenceHR scores test lines as SOURCE.md's baselines do, independently of
// the package: Σ weight over the query's products with every co-purchased
// pair (no floor, no top-N), candidates outside the query, ties by id, padded
// with the most frequent products. It returns one hit rate per weight.
//
// It runs on one goroutine over a few hundred million array updates, so the
// race detector, which would add minutes and check nothing, skips it.
//
//go:norace
func referenceHR(train, test [][]string, k int, weights ...pairWeight) []float64 {
	ids := map[string]int{}
	var names []string
	var counts []float64
	for _, b := range train {
		for _, id := range b {
			if _, ok := ids[id]; !ok {
				ids[id] = len(names)
				names = append(names, id)
				counts = append(counts, 0)
			}
		}
	}
	// A dense co-purchase matrix: fast, and small enough for these data sets.
	n := len(names)
	co := make([]uint16, n*n)
	ix := make([]int, 0, 64)
	for _, b := range train {
		ix = ix[:0]
		for _, id := range b {
			ix = append(ix, ids[id])
		}
		for _, i := range ix {
			counts[i]++
			for _, j := range ix {
				if i != j {
					co[i*n+j]++
				}
			}
		}
	}
	pop := make([]int, n)
	for i := range pop {
		pop[i] = i
	}
	slices.SortFunc(pop, func(a, b int) int {
		if c := cmp.Compare(counts[b], counts[a]); c != 0 {
			return c
		}
		return cmp.Compare(names[a], names[b])
	})
	// Rows of the co-purchased products, as offsets into one slice.
	off := make([]int, n+1)
	for i := range n {
		off[i+1] = off[i]
		for _, c := range co[i*n : (i+1)*n] {
			if c > 0 {
				off[i+1]++
			}
		}
	}
	nbr := make([]int, 0, off[n])
	for i := range n {
		for j, c := range co[i*n : (i+1)*n] {
			if c > 0 {
				nbr = append(nbr, j)
			}
		}
	}
	w := make([]float64, len(nbr))
	out := make([]float64, 0, len(weights))
	var touched []int
	for _, weight := range weights {
		for i := range n {
			for e := off[i]; e < off[i+1]; e++ {
				j := nbr[e]
				w[e] = weight(float64(co[i*n+j]), counts[i], counts[j], float64(len(train)))
			}
		}
		better := func(a, b int, score []float64) bool {
			return score[a] > score[b] || score[a] == score[b] && names[a] < names[b]
		}
		score := make([]float64, n)
		stamp := make([]int, n) // case+1: touched; -(case+1): in the query
		hits, cases := 0, 0
		for c, line := range test {
			if len(line) < 2 {
				continue
			}
			cases++
			mark := c + 1
			query, held := line[:len(line)-1], line[len(line)-1]
			for _, id := range query {
				if i, ok := ids[id]; ok {
					stamp[i] = -mark
				}
			}
			touched = touched[:0]
			for _, id := range query {
				i, ok := ids[id]
				if !ok {
					continue
				}
				for e := off[i]; e < off[i+1]; e++ {
					j := nbr[e]
					switch stamp[j] {
					case -mark:
						continue
					case mark:
					default:
						stamp[j], score[j] = mark, 0
						touched = append(touched, j)
					}
					score[j] += w[e]
				}
			}
			top := make([]int, 0, k+1)
			for _, j := range touched {
				if len(top) == k && !better(j, top[k-1], score) {
					continue
				}
				at, _ := slices.BinarySearchFunc(top, j, func(x, y int) int {
					if better(x, y, score) {
						return -1
					}
					return 1
				})
				top = slices.Insert(top, at, j)
				if len(top) > k {
					top = top[:k]
				}
			}
			for _, j := range pop {
				if len(top) == k {
					break
				}
				if stamp[j] != -mark && stamp[j] != mark {
					top = append(top, j)
				}
			}
			for _, j := range top {
				if names[j] == held {
					hits++
					break
				}
			}
		}
		out = append(out, float64(hits)/float64(cases))
	}
	return out
}

// roundTrip returns m written with MarshalBinary and read back.
func roundTrip(t *testing.T, m *recommend.Model) *recommend.Model {
	t.Helper()
	b, err := m.MarshalBinary()
	require.NoError(t, err)
	var back recommend.Model
	require.NoError(t, back.UnmarshalBinary(b))
	return &back
}

func TestGroceriesProtocol(t *testing.T) {
	t.Parallel()
	s := groceriesSplit(t)
	require.Equal(t, 9835, s.baskets)
	require.Equal(t, 169, s.items)
	require.Equal(t, 43367, s.sizes) // mean 4.409 (SOURCE.md)
	require.Len(t, s.train, 7868)
	require.Len(t, s.test, 8359)

	res := recommend.Eval(s.train, s.test, 10)
	require.Equal(t, 8359, res.Cases)
	require.Equal(t, 10, res.K)
	require.InDelta(t, 0.3727, res.HR.Popularity, 0.0005)

	// SOURCE.md's own baselines, reproduced.
	ref := referenceHR(s.train, s.test, 10, countWeight, cosineWeight, liftWeight)
	count, cosine, lift := ref[0], ref[1], ref[2]
	require.InDelta(t, 0.3890, count, 0.001)
	require.InDelta(t, 0.3880, cosine, 0.001)
	require.InDelta(t, 0.0188, lift, 0.001)

	require.Greater(t, res.HR.Model, 0.3890, "the model must beat SOURCE.md's best baseline")
	require.Greater(t, res.HR.Model, max(count, cosine))
	t.Logf("Groceries HR@10 over %d cases: popularity %.4f, Σ counts %.4f, Σ cosine %.4f, Σ lift %.4f, model %.4f",
		res.Cases, res.HR.Popularity, count, cosine, lift, res.HR.Model)
}

func TestOnlineRetailProtocol(t *testing.T) {
	t.Parallel()
	s := retailSplit(t)
	require.Equal(t, 19773, s.baskets)
	require.Equal(t, 3900, s.items)
	require.InDelta(t, 26.16, float64(s.sizes)/float64(s.baskets), 0.005)
	require.Len(t, s.train, 15818)
	require.Len(t, s.test, 3674)

	m, err := recommend.New(recommend.Config{})
	require.NoError(t, err)
	for _, b := range s.train {
		m.Add(b, zeroTime)
	}
	res := recommend.EvalModel(m, s.test, 10)
	require.Equal(t, 3674, res.Cases)
	require.InDelta(t, 0.0446, res.HR.Popularity, 0.0005)

	ref := referenceHR(s.train, s.test, 10, countWeight, cosineWeight)
	count, cosine := ref[0], ref[1]
	require.InDelta(t, 0.1505, count, 0.001)
	require.InDelta(t, 0.2041, cosine, 0.001)

	require.Greater(t, res.HR.Model, 0.2041, "the model must beat SOURCE.md's best baseline")
	require.Greater(t, res.HR.Model, max(count, cosine))

	// The compact binary form recommends exactly as the model does.
	b, err := m.MarshalBinary()
	require.NoError(t, err)
	require.Less(t, len(b), 1<<20, "top-%d neighbours of %d products", m.Config().Neighbours, s.items)
	back := roundTrip(t, m)
	for _, line := range s.test[:500] {
		q := line[:len(line)-1]
		require.Equal(t, m.Recommend(q, nil, 10, nil), back.Recommend(q, nil, 10, nil))
	}
	t.Logf("binary model: %d bytes", len(b))
	t.Logf("Online Retail HR@10 over %d cases: popularity %.4f, Σ counts %.4f, Σ cosine %.4f, model %.4f",
		res.Cases, res.HR.Popularity, count, cosine, res.HR.Model)
}
