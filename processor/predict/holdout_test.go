package predict_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/boomerang-dev/boomerang/processor/predict"
)

// cdnowHoldout is CDNOW summarised as the CLI does (calibration to
// 1997-09-30, holdout to 1998-06-30, weeks) with the three models' MLEs.
func cdnowHoldout(t *testing.T) ([]predict.Summary, predict.Models) {
	t.Helper()
	txs, err := predict.ReadTransactions(strings.NewReader(cdnowTransactionsCSV(t)))
	require.NoError(t, err)
	s, err := predict.Summarize(txs, predict.SummaryConfig{CalibrationEnd: cdnowCalibrationEnd, HoldoutEnd: cdnowHoldoutEnd})
	require.NoError(t, err)
	m := predict.Models{HasParetoNBD: true}
	m.BGNBD, err = predict.FitBGNBD(s)
	require.NoError(t, err)
	m.MBGNBD, err = predict.FitMBGNBD(s)
	require.NoError(t, err)
	m.ParetoNBD, err = predict.FitParetoNBD(s)
	require.NoError(t, err)
	return s, m
}

func TestPredictHoldoutReproducesFHLOnCDNOW(t *testing.T) {
	t.Parallel()
	s, m := cdnowHoldout(t)
	// FHL 2005a §7: over the 39 holdout weeks the x = 0 customers' conditional expectation is 0.23 under
	// BG/NBD and 0.14 under Pareto/NBD against 0.24 actual (334 / 1,411); the predictions correlate with the
	// actual holdout order days at 0.626 and 0.630, and with each other at 0.996.
	var zero, bg0, pn0, act0 float64
	var act, bg, pn []float64
	for _, c := range s {
		e, p := m.BGNBD.ConditionalExpectedPurchases(39, c.X, c.TX, c.T), m.ParetoNBD.ConditionalExpectedPurchases(39, c.X, c.TX, c.T)
		act, bg, pn = append(act, c.HoldoutX), append(bg, e), append(pn, p)
		if c.X == 0 {
			zero++
			bg0, pn0, act0 = bg0+e, pn0+p, act0+c.HoldoutX
		}
	}
	require.InDelta(t, 1411.0, zero, 0)
	require.InDelta(t, 0.24, act0/zero, 0.005)
	require.InDelta(t, 0.23, bg0/zero, 0.005)
	require.InDelta(t, 0.14, pn0/zero, 0.005)
	require.InDelta(t, 0.626, stat.Correlation(act, bg, nil), 5e-4)
	require.InDelta(t, 0.630, stat.Correlation(act, pn, nil), 5e-4)
	require.InDelta(t, 0.996, stat.Correlation(bg, pn, nil), 5e-4)
}

func TestPredictHoldoutComparisonOnCDNOW(t *testing.T) {
	t.Parallel()
	s, m := cdnowHoldout(t)
	c := predict.Compare(m, s, 39)
	require.NotNil(t, c.ParetoNBD)
	// Own figures (docs/predictions.md's table).
	for _, w := range []struct {
		name                          string
		got                           predict.HoldoutFit
		predicted, mae, auc, loss, ll float64
	}{
		{"bgnbd", c.BGNBD, 1653.41, 0.78545, 0.31579, 0.50555, -9582.43},
		{"mbg_nbd", c.MBGNBD, 1576.73, 0.76478, 0.68665, 0.50530, -9582.14},
		{"pareto_nbd", *c.ParetoNBD, 1665.51, 0.75452, 0.72622, 0.50843, -9594.98},
	} {
		require.InDelta(t, 1882.0, w.got.Actual, 0, w.name)
		require.InDelta(t, w.predicted, w.got.Predicted, 0.01, w.name)
		require.InDelta(t, w.mae, w.got.MAE, 1e-5, w.name)
		require.InDelta(t, w.auc, w.got.AUC, 1e-5, w.name)
		require.InDelta(t, w.loss, w.got.LogLoss, 1e-5, w.name)
		require.InDelta(t, w.ll, w.got.LL, 0.01, w.name)
	}
	// BG/NBD's P(alive) ranks CDNOW's customers worse than a coin: every one-time buyer is "alive".
	require.Less(t, c.BGNBD.AUC, 0.5)
	require.Equal(t, predict.ChurnParetoNBD, c.Choose())
	require.Equal(t, predict.DefaultChurnModel, c.Choose(), "the default is CDNOW's choice")
}

func TestPredictEvaluateHoldoutByHand(t *testing.T) {
	t.Parallel()
	s := []predict.Summary{
		{X: 0, T: 1, HoldoutX: 0},
		{X: 1, T: 2, HoldoutX: 2},
		{X: 2, T: 3, HoldoutX: 0},
		{X: 3, T: 4, HoldoutX: 1},
		{X: 0, T: 1, HoldoutX: 1}, // same (x, t_x, T) as the first
	}
	m := fixedModel{
		pa:  map[float64]float64{0: 0.5, 1: 0.9, 2: 0.5, 3: 0.2},
		e:   map[float64]float64{0: 0.5, 1: 1, 2: 0.25, 3: 3},
		any: map[float64]float64{0: 0.25, 1: 0.75, 2: 0.5, 3: 0.5},
	}
	h := predict.EvaluateHoldout(m, s, 10, -42)
	require.InDelta(t, 0.5+1+0.25+3+0.5, h.Predicted, 1e-12)
	require.InDelta(t, 4.0, h.Actual, 0)
	require.InDelta(t, (0.5+1+0.25+2+0.5)/5, h.MAE, 1e-12)
	// Positives (ordered) score 0.9, 0.2, 0.5; negatives 0.5, 0.5. Pairs: 0.9 beats both (2), 0.2 loses both
	// (0), 0.5 ties both (1): 3 of 6.
	require.InDelta(t, 0.5, h.AUC, 1e-12)
	want := (-math.Log(0.75) - math.Log(0.75) - math.Log(0.5) - math.Log(0.5) - math.Log(0.25)) / 5
	require.InDelta(t, want, h.LogLoss, 1e-12)
	require.InDelta(t, -42.0, h.LL, 0)

	// Perfect and reversed rankings; one class only.
	s2 := []predict.Summary{{X: 0, T: 1}, {X: 1, T: 1, HoldoutX: 1}}
	require.InDelta(t, 1.0, predict.EvaluateHoldout(fixedModel{pa: map[float64]float64{0: 0.1, 1: 0.9}}, s2, 1, 0).AUC, 0)
	require.InDelta(t, 0.0, predict.EvaluateHoldout(fixedModel{pa: map[float64]float64{0: 0.9, 1: 0.1}}, s2, 1, 0).AUC, 0)
	require.InDelta(t, 0.5, predict.EvaluateHoldout(fixedModel{pa: map[float64]float64{0: 0.9, 1: 0.1}}, s2[:1], 1, 0).AUC, 0)
	// A certain wrong answer costs about 34.5, not infinity.
	h = predict.EvaluateHoldout(fixedModel{any: map[float64]float64{0: 1}}, s2[:1], 1, 0)
	require.InDelta(t, -math.Log(1e-15), h.LogLoss, 1e-3)
	require.InDelta(t, 0.5, predict.EvaluateHoldout(fixedModel{}, nil, 1, 0).AUC, 0)
}

// fixedModel answers by x from its maps (0 when absent).
type fixedModel struct{ pa, e, any map[float64]float64 }

func (f fixedModel) PAlive(x, _, _ float64) float64 { return f.pa[x] }
func (f fixedModel) ConditionalExpectedPurchases(_, x, _, _ float64) float64 {
	return f.e[x]
}
func (f fixedModel) ProbAnyPurchase(_, x, _, _ float64) float64 { return f.any[x] }

// simulatePareto draws n customers from Pareto/NBD m as simulateMBG does.
func simulatePareto(n int, m predict.ParetoNBD, maxDays, holdoutDays int, seed uint64) []predict.Summary {
	src := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	lambda := distuv.Gamma{Alpha: m.R, Beta: m.Alpha, Src: src}
	mu := distuv.Gamma{Alpha: m.S, Beta: m.Beta, Src: src}
	out := make([]predict.Summary, n)
	for i := range out {
		T := float64(1+src.IntN(maxDays)) / 7
		l, death := lambda.Rand(), src.ExpFloat64()/mu.Rand()
		end := math.Min(T+float64(holdoutDays)/7, death)
		c := predict.Summary{T: T}
		for t := src.ExpFloat64() / l; t <= end; t += src.ExpFloat64() / l {
			if t > T {
				c.HoldoutX++
			} else {
				c.X++
				c.TX = t
			}
		}
		out[i] = c
	}
	return out
}

// simulateBG draws n customers from BG/NBD m as simulateMBG does.
func simulateBG(n int, m predict.BGNBD, maxDays, holdoutDays int, seed uint64) []predict.Summary {
	// BG/NBD is MBG/NBD without the dropout point at the first order: draw
	// MBG/NBD's process and skip that point by starting alive.
	src := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	lambda := distuv.Gamma{Alpha: m.R, Beta: m.Alpha, Src: src}
	drop := distuv.Beta{Alpha: m.A, Beta: m.B, Src: src}
	out := make([]predict.Summary, n)
	for i := range out {
		T := float64(1+src.IntN(maxDays)) / 7
		end := T + float64(holdoutDays)/7
		l, p := lambda.Rand(), drop.Rand()
		c := predict.Summary{T: T}
		for t := 0.0; ; {
			t += src.ExpFloat64() / l
			if t > end {
				break
			}
			if t > T {
				c.HoldoutX++
			} else {
				c.X++
				c.TX = t
			}
			if src.Float64() < p {
				break
			}
		}
		out[i] = c
	}
	return out
}

// Each model's P(any order in the holdout) and conditional expectation
// match what customers simulated from the same model do.
func TestPredictHoldoutProbabilitiesMatchSimulation(t *testing.T) {
	t.Parallel()
	const n, days, holdout = 40000, 273, 273
	for _, tc := range []struct {
		name string
		m    predict.HoldoutModel
		s    []predict.Summary
	}{
		{"bgnbd", bgPublished, simulateBG(n, bgPublished, days, holdout, 21)},
		{"mbg_nbd", mbgLifetimes, simulateMBG(n, mbgLifetimes, days, holdout, 22)},
		{"pareto_nbd", pnbdBTYD, simulatePareto(n, pnbdBTYD, days, holdout, 23)},
	} {
		var pSum, pVar, ordered, eSum, ySum, resid2 float64
		for _, c := range tc.s {
			p := tc.m.ProbAnyPurchase(39, c.X, c.TX, c.T)
			e := tc.m.ConditionalExpectedPurchases(39, c.X, c.TX, c.T)
			pa := tc.m.PAlive(c.X, c.TX, c.T)
			require.True(t, p >= 0 && p <= pa+1e-12 && p <= e+1e-12, "%s %+v: P(any) %v, P(alive) %v, E %v", tc.name, c, p, pa, e)
			pSum += p
			pVar += p * (1 - p)
			eSum += e
			ySum += c.HoldoutX
			resid2 += (c.HoldoutX - e) * (c.HoldoutX - e)
			if c.HoldoutX > 0 {
				ordered++
			}
		}
		t.Logf("%s: P(any) %.1f against %.0f ordered; E %.1f against %.0f", tc.name, pSum, ordered, eSum, ySum)
		require.Less(t, math.Abs(pSum-ordered), 4*math.Sqrt(pVar), tc.name)
		require.Less(t, math.Abs(eSum-ySum), 4*math.Sqrt(resid2), tc.name)
	}
}

// At a short horizon h, P(any order) is P(alive) · E[λ] · h: the posterior
// mean rate (r+x)/(α+T) of an active customer.
func TestPredictProbAnyPurchaseAtShortHorizons(t *testing.T) {
	t.Parallel()
	const h = 1e-6
	for _, c := range [][3]float64{{0, 0, 10}, {2, 30.43, 38.86}, {7, 29.43, 38.86}, {26, 30.86, 31}} {
		x, tx, tt := c[0], c[1], c[2]
		require.InEpsilon(t, bgPublished.PAlive(x, tx, tt)*(bgPublished.R+x)/(bgPublished.Alpha+tt), bgPublished.ProbAnyPurchase(h, x, tx, tt)/h, 1e-5)
		require.InEpsilon(t, mbgLifetimes.PAlive(x, tx, tt)*(mbgLifetimes.R+x)/(mbgLifetimes.Alpha+tt), mbgLifetimes.ProbAnyPurchase(h, x, tx, tt)/h, 1e-5)
		require.InEpsilon(t, pnbdBTYD.PAlive(x, tx, tt)*(pnbdBTYD.R+x)/(pnbdBTYD.Alpha+tt), pnbdBTYD.ProbAnyPurchase(h, x, tx, tt)/h, 1e-5)
		// A Pareto/NBD customer may leave before ordering; BG/NBD's cannot: over a long horizon BG/NBD's tends to
		// P(alive), Pareto/NBD's stays below.
		require.InDelta(t, bgPublished.PAlive(x, tx, tt), bgPublished.ProbAnyPurchase(1e20, x, tx, tt), 1e-3)
		require.Less(t, pnbdBTYD.ProbAnyPurchase(1e20, x, tx, tt), 0.99*pnbdBTYD.PAlive(x, tx, tt))
	}
	// Pareto/NBD's integral against composite Simpson in u itself (not the w the code integrates over).
	for _, c := range [][4]float64{{39, 0, 0, 38.86}, {39, 2, 30.43, 38.86}, {520, 26, 30.86, 31}, {1, 1, 0.5, 1}} {
		tt, x, tx, tT := c[0], c[1], c[2], c[3]
		m := pnbdBTYD
		a, b, rx := m.Alpha+tT, m.Beta+tT, m.R+x
		f := func(u float64) float64 { return rx / a * math.Pow(a/(a+u), rx+1) * math.Pow(b/(b+u), m.S) }
		const k = 200000
		hs := tt / k
		sum := f(0) + f(tt)
		for i := 1; i < k; i++ {
			sum += float64(2+2*(i%2)) * f(float64(i)*hs)
		}
		require.InEpsilon(t, m.PAlive(x, tx, tT)*sum*hs/3, m.ProbAnyPurchase(tt, x, tx, tT), 1e-9, "%v", c)
	}
	require.Zero(t, pnbdBTYD.ProbAnyPurchase(0, 2, 10, 20))
	require.Zero(t, bgPublished.ProbAnyPurchase(52, 1000, 10, 100))
}
