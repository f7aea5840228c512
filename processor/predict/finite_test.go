package predict_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/processor/predict"
)

// FuzzPredictionsStayFinite checks that every prediction is finite and in
// range for any sufficient statistics, including the large-x cases of
// Hardie's note 027 and lifetimes' underflow tests.
func FuzzPredictionsStayFinite(f *testing.F) {
	f.Add(uint16(1000), 10.0, 100.0, 52.0)
	f.Add(uint16(200), 38.0, 40.0, 39.0)
	f.Add(uint16(133), 200.0, 200.0, 10.0)
	f.Add(uint16(0), 0.0, 0.0, 0.0)
	f.Add(uint16(2), 30.43, 38.86, 39.0)
	f.Fuzz(func(t *testing.T, xi uint16, tx, tt, horizon float64) {
		if isBadInput(tx) || isBadInput(tt) || isBadInput(horizon) || tx > tt || tt > 1e5 || horizon > 1e5 {
			return
		}
		x := float64(xi % 2000)
		if x == 0 {
			tx = 0
		}
		c := predict.Summary{X: x, TX: tx, T: tt, MeanSpend: 35}
		for _, v := range []float64{
			bgPublished.PAlive(x, tx, tt),
			pnbdBTYD.PAlive(x, tx, tt),
		} {
			require.True(t, v >= 0 && v <= 1, "P(alive) %v for %v", v, c)
		}
		for _, v := range []float64{
			bgPublished.ConditionalExpectedPurchases(horizon, x, tx, tt),
			pnbdBTYD.ConditionalExpectedPurchases(horizon, x, tx, tt),
			predict.CLV(bgPublished, ggPublished, c, 12, horizon/12, 0.01),
			bgPublished.LogLikelihood(x, tx, tt),
		} {
			require.False(t, math.IsNaN(v) || math.IsInf(v, 0), "%v for %v", v, c)
		}
	})
}

func isBadInput(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) || v < 0 }
