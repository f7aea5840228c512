package predict

import (
	"testing"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/diff/fd"
)

func TestGradientsMatchFiniteDifferences(t *testing.T) {
	t.Parallel()
	gs := []group{{x: 0, tx: 0, t: 30, n: 3}, {x: 2, tx: 10, t: 30, n: 1}, {x: 7, tx: 29, t: 38, n: 2}, {x: 200, tx: 38, t: 40, n: 1}}
	bg := func(p []float64) float64 { return BGNBD{R: p[0], Alpha: p[1], A: p[2], B: p[3]}.groupedLL(gs) }
	p := []float64{0.243, 4.414, 0.793, 2.426}
	got := make([]float64, 4)
	BGNBD{R: p[0], Alpha: p[1], A: p[2], B: p[3]}.groupedLLGrad(gs, got)
	want := fd.Gradient(nil, bg, p, &fd.Settings{Formula: fd.Central})
	require.InDeltaSlice(t, want, got, 1e-5)

	ss := groupSpend([]Summary{{X: 1, MeanSpend: 10}, {X: 1, MeanSpend: 30}, {X: 4, MeanSpend: 22.5}, {X: 12, MeanSpend: 300}})
	gg := func(p []float64) float64 { return GammaGamma{P: p[0], Q: p[1], Gamma: p[2]}.groupedLLGrad(ss, nil) }
	q := []float64{6.25, 3.74, 15.44}
	got = make([]float64, 3)
	GammaGamma{P: q[0], Q: q[1], Gamma: q[2]}.groupedLLGrad(ss, got)
	want = fd.Gradient(nil, gg, q, &fd.Settings{Formula: fd.Central})
	require.InDeltaSlice(t, want, got, 1e-5)
}
