package predict

import (
	"testing"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/diff/fd"
)

func TestMBGNBDGradientMatchesFiniteDifferences(t *testing.T) {
	t.Parallel()
	gs := []group{{x: 0, tx: 0, t: 30, n: 3}, {x: 2, tx: 10, t: 30, n: 1}, {x: 7, tx: 29, t: 38, n: 2}, {x: 200, tx: 38, t: 40, n: 1}, {x: 1000, tx: 10, t: 100, n: 1}}
	ll := func(p []float64) float64 {
		return MBGNBD{R: p[0], Alpha: p[1], A: p[2], B: p[3]}.groupedLLGrad(gs, nil)
	}
	for _, p := range [][]float64{{0.525, 6.183, 0.891, 1.614}, {2, 0.5, 3, 0.2}} {
		got := make([]float64, 4)
		v := MBGNBD{R: p[0], Alpha: p[1], A: p[2], B: p[3]}.groupedLLGrad(gs, got)
		require.InDelta(t, ll(p), v, 1e-12)
		want := fd.Gradient(nil, ll, p, &fd.Settings{Formula: fd.Central})
		require.InDeltaSlice(t, want, got, 1e-5)
	}
	// The prior's gradient, which FitMBGNBDMAP adds.
	p := []float64{0.525, 6.183, 0.891, 1.614}
	got := make([]float64, 4)
	logPrior(p, got)
	want := fd.Gradient(nil, func(q []float64) float64 { return logPrior(q, nil) }, p, &fd.Settings{Formula: fd.Central})
	require.InDeltaSlice(t, want, got, 1e-7)
}
