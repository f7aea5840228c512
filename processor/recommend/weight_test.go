package recommend_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/processor/recommend"
)

// Weight is the rule Model ranks neighbours by: the engine's Redis-held
// counts and the evaluated model must agree.
func TestWeightRanksAsTheModelDoes(t *testing.T) {
	t.Parallel()
	var m recommend.Model
	at := time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC)
	baskets := [][]string{
		{"mug", "beans"},
		{"mug", "beans"},
		{"mug", "beans", "milk"},
		{"mug", "filter"},
		{"mug", "filter"},
		{"milk"},
		{"milk"},
		{"milk"},
		{"milk", "mug"},
		{"beans"},
		{"tea", "mug"},
	}
	count := map[string]int64{}
	co := map[string]int64{}
	for _, b := range baskets {
		m.Add(b, at)
		for _, x := range b {
			count[x]++
			if x != "mug" {
				for _, y := range b {
					if y == "mug" {
						co[x]++
					}
				}
			}
		}
	}
	var want []string
	for _, s := range m.Similar("mug") {
		want = append(want, s.ID)
		require.InDelta(t, recommend.Weight(recommend.Config{}, co[s.ID], count["mug"], count[s.ID]), s.Score, 1e-12, s.ID)
	}
	require.Equal(t, []string{"beans", "filter", "milk"}, want, "tea, bought with a mug once, is under the support floor")
	require.Zero(t, recommend.Weight(recommend.Config{}, 1, 7, 1))
}
