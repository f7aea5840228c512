package predict_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/processor/predict"
)

func TestBGNBDFitReproducesCDNOW(t *testing.T) {
	t.Parallel()
	s := cdnowSummaries(t)
	// FHL 2005a §7 to its 3 decimals, and the MLE lifetimes' docs print to 1e-4 relative.
	require.InDelta(t, -9582.4268, bgPublished.TotalLogLikelihood(s), 1e-3)
	m, err := predict.FitBGNBD(s)
	require.NoError(t, err)
	require.InDelta(t, 0.2426, m.R, 5e-5)
	require.InDelta(t, 4.4135, m.Alpha, 5e-4)
	require.InDelta(t, 0.7929, m.A, 5e-4)
	require.InDelta(t, 2.4258, m.B, 5e-4)
	require.InDelta(t, -9582.43, m.LL, 5e-3)
	t.Logf("BG/NBD MLE r=%.6f alpha=%.6f a=%.6f b=%.6f LL=%.4f", m.R, m.Alpha, m.A, m.B, m.LL)
}

func TestBGNBDPredictionsReproduceCDNOW(t *testing.T) {
	t.Parallel()
	// Customer 1 at the published parameters (SOURCE.md own check; lifetimes test_estimation.py:530 to 1e-3).
	require.InDelta(t, 0.726579, bgPublished.PAlive(2, 30.43, 38.86), 1e-6)
	require.InDelta(t, 1.226028, bgPublished.ConditionalExpectedPurchases(39, 2, 30.43, 38.86), 1e-6)
	require.InDelta(t, -9.4586, bgPublished.LogLikelihood(2, 30.43, 38.86), 1e-4)
	require.InDelta(t, 0.641756, bgPublished.PAlive(7, 29.43, 38.86), 1e-6)
	require.InDelta(t, 3.337053, bgPublished.ConditionalExpectedPurchases(39, 7, 29.43, 38.86), 1e-6)

	// Hardie's sheet at the MLE (lifetimes test_estimation.py:541), to 1e-5 against SOURCE.md's values.
	for i, tt := range []float64{0.1429, 1, 3, 31.8571, 32, 78} {
		want := []float64{0.007816, 0.053185, 0.150632, 1.040495, 1.043737, 1.857972}[i]
		require.InDelta(t, want, bgMLE.ExpectedPurchases(tt), 1e-5, "t=%v", tt)
	}

	// P(X(t)=n) against R BTYD (lifetimes test_estimation.py:591), to 1e-9.
	require.InDelta(t, 1.07869e-07, bgPublished.ProbPurchases(2, 10), 1e-11)
	require.InDelta(t, 0.5737864, bgPublished.ProbPurchases(39, 0), 1e-7)
	for i, want := range []float64{
		0.0019995214, 0.0015170236, 0.0011633150, 0.0009003148, 0.0007023638,
		0.0005517902, 0.0004361913, 0.0003467171, 0.0002769613, 0.0002222260,
	} {
		require.InDelta(t, want, bgPublished.ProbPurchases(30, 11+i), 1e-9, "n=%d", 11+i)
	}

	// lifetimes docs/Quickstart.md, fitted, t=1, top 5; the docs print 6 decimals.
	for i, c := range [][3]float64{{18, 35.14, 35.86}, {19, 34.00, 34.14}, {17, 28.43, 28.86}, {29, 37.71, 38.00}, {26, 30.86, 31.00}} {
		want := []float64{0.424877, 0.474738, 0.486526, 0.662396, 0.710623}[i]
		require.InDelta(t, want, bgMLE.ConditionalExpectedPurchases(1, c[0], c[1], c[2]), 2e-6)
	}
}

func TestBGNBDHoldoutOfNonRepeaters(t *testing.T) {
	t.Parallel()
	// FHL 2005a: x = 0 customers, conditional expectation 0.23 over the 39-week holdout (SOURCE.md: 0.2255).
	var sum, n float64
	for _, c := range cdnowSummaries(t) {
		if c.X == 0 {
			sum += bgPublished.ConditionalExpectedPurchases(39, 0, 0, c.T)
			n++
		}
	}
	require.InDelta(t, 0.2255, sum/n, 5e-4)
}

func TestBGNBDPymcLogLikelihood(t *testing.T) {
	t.Parallel()
	// pymc-marketing test_beta_geo.py, to 5 decimals; the second is Hardie's note 027 hard case.
	m := predict.BGNBD{R: 0.25, Alpha: 4, A: 0.8, B: 2.5}
	require.InDelta(t, -0.59947382, m.LogLikelihood(0, 0, 40), 1e-5)
	require.InDelta(t, 100.7957, m.LogLikelihood(200, 38, 40), 1e-4)
}

func TestBGNBDStaysFinite(t *testing.T) {
	t.Parallel()
	m := bgPublished
	require.Zero(t, m.PAlive(1000, 10, 100)) // exactly 0, not NaN
	require.Zero(t, m.ConditionalExpectedPurchases(52, 1000, 10, 100))
	require.InDelta(t, 1.0, m.PAlive(0, 0, 100), 0)
	for _, c := range [][3]float64{{0, 0, 0}, {1, 0, 0}, {1, 1, 1}, {5000, 99, 100}, {300, 1, 1e4}, {1, 1e-9, 1e6}} {
		for _, f := range []float64{m.PAlive(c[0], c[1], c[2]), m.ConditionalExpectedPurchases(365, c[0], c[1], c[2]), m.LogLikelihood(c[0], c[1], c[2])} {
			require.False(t, math.IsNaN(f) || math.IsInf(f, 0), "%v -> %v", c, f)
		}
		p := m.PAlive(c[0], c[1], c[2])
		require.True(t, p >= 0 && p <= 1)
	}
}
