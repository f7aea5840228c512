package predict_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/boomerang-dev/boomerang/processor/predict"
)

func TestPredictChooseRule(t *testing.T) {
	t.Parallel()
	cmp := func(bg, mbg, pn float64) predict.Comparison {
		return predict.Comparison{
			BGNBD: predict.HoldoutFit{AUC: bg}, MBGNBD: predict.HoldoutFit{AUC: mbg},
			ParetoNBD: &predict.HoldoutFit{AUC: pn},
		}
	}
	require.Equal(t, predict.ChurnParetoNBD, predict.DefaultChurnModel)
	require.Equal(t, predict.ChurnParetoNBD, cmp(0.3, 0.68, 0.72).Choose(), "CDNOW")
	require.Equal(t, predict.ChurnParetoNBD, cmp(0.3, 0.73, 0.72).Choose(), "a lead within the margin keeps the default")
	require.Equal(t, predict.ChurnParetoNBD, cmp(0.3, 0.72+predict.ChoiceMargin, 0.72).Choose())
	require.Equal(t, predict.ChurnMBGNBD, cmp(0.3, 0.75, 0.72).Choose(), "a lead beyond the margin wins")
	require.Equal(t, predict.ChurnParetoNBD, cmp(0.99, 0.6, 0.62).Choose(), "BG/NBD is never chosen")
	require.Equal(t, predict.ChurnMBGNBD, predict.Comparison{MBGNBD: predict.HoldoutFit{AUC: 0.1}}.Choose(), "no Pareto/NBD fit")
}

// shopHistories simulates a shop's customers from MBG/NBD in days: first
// orders spread over the span days before asOf.
func shopHistories(n, span int, asOf time.Time, seed uint64) []predict.History {
	return shopHistoriesOf(predict.MBGNBD{R: 0.6, Alpha: 50, A: 0.9, B: 1.6}, n, span, asOf, seed)
}

// shopHistoriesOf is shopHistories from MBG/NBD m (in days).
func shopHistoriesOf(m predict.MBGNBD, n, span int, asOf time.Time, seed uint64) []predict.History {
	src := rand.New(rand.NewPCG(seed, seed+1))
	lambda := distuv.Gamma{Alpha: m.R, Beta: m.Alpha, Src: src}
	drop := distuv.Beta{Alpha: m.A, Beta: m.B, Src: src}
	hs := make([]predict.History, n)
	for i := range hs {
		first := asOf.AddDate(0, 0, -src.IntN(span))
		h := predict.History{CustomerID: fmt.Sprint(i), Orders: []time.Time{first}, MeanSpend: 20 + 40*src.Float64()}
		l, p := lambda.Rand(), drop.Rand()
		for d := 0.0; src.Float64() >= p; {
			d += src.ExpFloat64() / l
			if d*24 > asOf.Sub(first).Hours() {
				break
			}
			h.Orders = append(h.Orders, first.Add(time.Duration(d*24*float64(time.Hour))))
		}
		hs[i] = h
	}
	return hs
}

func TestPredictChooseShopModelByItsOwnHoldout(t *testing.T) {
	t.Parallel()
	asOf := time.Date(2026, 11, 1, 3, 0, 0, 0, time.UTC)
	hs := shopHistories(1500, 600, asOf, 9)
	c := predict.ChooseShopModel(hs, asOf)
	require.NotNil(t, c.Holdout, c.Reason)
	require.NotNil(t, c.Holdout.ParetoNBD)
	require.Equal(t, c.Holdout.Choose(), c.Model)
	require.Contains(t, c.Reason, "holdout of 90 days")
	t.Logf("%s -> %s; mbg_nbd %+v; pareto_nbd %+v", c.Reason, c.Model, c.Holdout.MBGNBD, *c.Holdout.ParetoNBD)
	// The holdout counts the 90 days' order days of the customers who had ordered before them.
	var actual float64
	for _, h := range hs {
		days := map[time.Time]bool{}
		first := h.Orders[0]
		for _, o := range h.Orders {
			if o.Before(first) {
				first = o
			}
		}
		if first.After(asOf.AddDate(0, 0, -90).Truncate(24 * time.Hour)) {
			continue
		}
		for _, o := range h.Orders {
			d := o.Truncate(24 * time.Hour)
			if d.After(asOf.AddDate(0, 0, -90).Truncate(24 * time.Hour)) {
				days[d] = true
			}
		}
		actual += float64(len(days))
	}
	require.InDelta(t, actual, c.Holdout.MBGNBD.Actual, 0)
	require.Positive(t, actual)
	// BG/NBD's P(alive) cannot rank one-time buyers, and the data has many.
	require.Less(t, c.Holdout.BGNBD.AUC, c.Holdout.MBGNBD.AUC)

	// ScoreShop scores churn with the model chosen.
	want := map[predict.ChurnModel]string{predict.ChurnMBGNBD: predict.ModelMBGNBD, predict.ChurnParetoNBD: predict.ModelParetoNBD}[c.Model]
	scores := predict.ScoreShop(hs, asOf)
	require.Len(t, scores, 1500)
	for _, s := range scores {
		require.Equal(t, want, s.Model)
	}
}

func TestPredictChooseShopModelDefaultsOnShortHistories(t *testing.T) {
	t.Parallel()
	asOf := time.Date(2026, 11, 1, 3, 0, 0, 0, time.UTC)
	for name, tc := range map[string]struct {
		hs     []predict.History
		reason string
	}{
		"few customers":  {shopHistories(110, 400, asOf, 1), "under 100"},
		"short history":  {shopHistories(1500, 170, asOf, 2), "history under 180 days"},
		"nobody returns": {oneTimeBuyers(300, 400, asOf), "0 of"},
	} {
		c := predict.ChooseShopModel(tc.hs, asOf)
		require.Equal(t, predict.DefaultChurnModel, c.Model, name)
		require.Nil(t, c.Holdout, name)
		require.Contains(t, c.Reason, tc.reason, name)
	}
	// A shop that chose nothing gets the default's name on its scores.
	for _, s := range predict.ScoreShop(shopHistories(1500, 170, asOf, 2), asOf) {
		require.Equal(t, predict.ModelParetoNBD, s.Model)
	}
}

func oneTimeBuyers(n, span int, asOf time.Time) []predict.History {
	hs := make([]predict.History, n)
	for i := range hs {
		hs[i] = predict.History{CustomerID: fmt.Sprint(i), Orders: []time.Time{asOf.AddDate(0, 0, -1-i%span)}}
	}
	return hs
}
