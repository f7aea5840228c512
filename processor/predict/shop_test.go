package predict_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/processor/predict"
)

func TestScoreShopSmallShopsGetRecencyBands(t *testing.T) {
	t.Parallel()
	asOf := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	day := func(n int) time.Time { return asOf.AddDate(0, 0, -n) }
	hs := []predict.History{
		{CustomerID: "regular", Orders: []time.Time{day(90), day(60), day(30), day(5)}, MeanSpend: 20},
		{CustomerID: "slipping", Orders: []time.Time{day(100), day(70), day(45)}, MeanSpend: 20},
		{CustomerID: "gone", Orders: []time.Time{day(400), day(370)}, MeanSpend: 20},
		{CustomerID: "never-bought"},
	}
	got := map[string]predict.ShopScore{}
	for _, s := range predict.ScoreShop(hs, asOf) {
		got[s.CustomerID] = s
	}
	require.Len(t, got, 3, "customers without an order are not scored")
	require.Equal(t, predict.ModelRFM, got["regular"].Model, "under 100 customers: recency bands")
	require.Equal(t, predict.BandLow, got["regular"].ChurnBand)
	require.Equal(t, predict.BandMedium, got["slipping"].ChurnBand)
	require.Equal(t, predict.BandHigh, got["gone"].ChurnBand)
	require.Equal(t, asOf.AddDate(0, 0, 24), got["regular"].NextOrderAt, "the usual interval (the median, 28⅓ days) after the last order")
}

func TestScoreShopFitsTheModelsFromAHundredCustomers(t *testing.T) {
	t.Parallel()
	asOf := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	r := rand.New(rand.NewPCG(1, 2))
	var hs []predict.History
	for i := range 120 {
		start := asOf.AddDate(0, 0, -30-r.IntN(300))
		h := predict.History{CustomerID: fmt.Sprint(i), Orders: []time.Time{start}, MeanSpend: 20 + float64(r.IntN(30))}
		alive := r.Float64() < 0.6
		for t := start; alive; {
			t = t.AddDate(0, 0, 10+r.IntN(60))
			if t.After(asOf) || r.Float64() < 0.15 {
				break
			}
			h.Orders = append(h.Orders, t)
		}
		hs = append(hs, h)
	}
	scores := predict.ScoreShop(hs, asOf)
	require.Len(t, scores, 120)
	bands := map[predict.Band]int{}
	for _, s := range scores {
		require.NotEqual(t, predict.ModelRFM, s.Model)
		for _, f := range []float64{s.PAlive, s.ChurnRisk, s.ExpectedOrders365, s.CLV365} {
			require.False(t, math.IsNaN(f) || math.IsInf(f, 0), "%+v", s)
		}
		bands[s.ChurnBand]++
	}
	require.Len(t, bands, 3, "every band is used: %v", bands)
}

// A small shop's maximum-likelihood BG/NBD runs off (a, b → ∞); the prior
// keeps the estimate sensible at almost the same likelihood.
func TestMAPKeepsASmallShopsFitSensible(t *testing.T) {
	t.Parallel()
	asOf := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	r := rand.New(rand.NewPCG(1, 2))
	var sums []predict.Summary
	for i := range 120 {
		start := asOf.AddDate(0, 0, -30-r.IntN(300))
		orders := []time.Time{start}
		alive := r.Float64() < 0.6
		for d := start; alive; {
			d = d.AddDate(0, 0, 10+r.IntN(60))
			if d.After(asOf) || r.Float64() < 0.15 {
				break
			}
			orders = append(orders, d)
		}
		last := orders[len(orders)-1]
		sums = append(sums, predict.Summary{
			CustomerID: fmt.Sprint(i), X: float64(len(orders) - 1),
			TX: last.Sub(start).Hours() / 168, T: asOf.Sub(start).Hours() / 168, MeanSpend: 20,
		})
	}
	mle, err := predict.FitBGNBD(sums)
	require.NoError(t, err)
	require.Greater(t, mle.A, 1000.0, "the MLE runs off on this shop")
	mapFit, err := predict.FitBGNBDMAP(sums)
	require.NoError(t, err)
	require.Less(t, mapFit.A, 10.0)
	require.Less(t, mapFit.B, 100.0)
	require.InDelta(t, mle.LL, mapFit.LL, 2, "at almost the same likelihood")
}
