package predict_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/boomerang-dev/boomerang/processor/predict"
)

// simulate draws n customers from BG/NBD m (and Gamma-Gamma g for spend),
// observed for up to maxDays days, with whole-day timestamps measured in weeks.
func simulate(n int, m predict.BGNBD, g predict.GammaGamma, maxDays int, seed uint64) []predict.Summary {
	src := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	lambda := distuv.Gamma{Alpha: m.R, Beta: m.Alpha, Src: src}
	drop := distuv.Beta{Alpha: m.A, Beta: m.B, Src: src}
	nu := distuv.Gamma{Alpha: g.Q, Beta: g.Gamma, Src: src}
	out := make([]predict.Summary, n)
	for i := range out {
		T := float64(1+src.IntN(maxDays)) / 7
		l, p := lambda.Rand(), drop.Rand()
		spend := distuv.Gamma{Alpha: g.P, Beta: nu.Rand(), Src: src}
		var x, tx, total float64
		for t := 0.0; ; {
			t += src.ExpFloat64() / l
			if t > T {
				break
			}
			x++
			tx = math.Floor(t*7) / 7
			total += spend.Rand()
			if src.Float64() < p {
				break
			}
		}
		c := predict.Summary{X: x, TX: tx, T: T}
		if x > 0 {
			c.MeanSpend = total / x
		}
		out[i] = c
	}
	return out
}

func TestFitRecoversSimulatedParameters(t *testing.T) {
	t.Parallel()
	s := simulate(20000, bgPublished, ggPublished, 273, 1)
	m, err := predict.FitBGNBD(s)
	require.NoError(t, err)
	// 20,000 customers: the standard errors are about a third of CDNOW's (n = 2,357).
	require.InDelta(t, bgPublished.R, m.R, 0.03)
	require.InDelta(t, bgPublished.Alpha, m.Alpha, 1)
	require.InDelta(t, bgPublished.A, m.A, 0.25)
	require.InDelta(t, bgPublished.B, m.B, 1)
	g, err := predict.FitGammaGamma(s)
	require.NoError(t, err)
	require.InEpsilon(t, ggPublished.P*ggPublished.Gamma/(ggPublished.Q-1), g.P*g.Gamma/(g.Q-1), 0.1)
}

// BenchmarkFit fits BG/NBD and Gamma-Gamma to 1,000,000 simulated customers
// (the target: under 10 s).
func BenchmarkFit(b *testing.B) {
	s := simulate(1_000_000, bgPublished, ggPublished, 546, 2)
	b.ResetTimer()
	for b.Loop() {
		if _, err := predict.FitBGNBD(s); err != nil {
			b.Fatal(err)
		}
		if _, err := predict.FitGammaGamma(s); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScore scores simulated customers (the target: 1,000,000 a second).
func BenchmarkScore(b *testing.B) {
	s := simulate(10_000, bgPublished, ggPublished, 546, 3)
	m := predict.Models{BGNBD: bgPublished, GammaGamma: ggPublished, ParetoNBD: pnbdBTYD, HasParetoNBD: true}
	b.ResetTimer()
	i := 0
	for b.Loop() {
		_ = m.Score(s[i%len(s)], cdnowCalibrationEnd)
		i++
	}
}
