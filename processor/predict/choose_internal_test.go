package predict

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fitted scores churn with the model it is given, fitted by MAP as the
// shop's other models are.
func TestFittedScoresChurnWithTheChosenModel(t *testing.T) {
	t.Parallel()
	asOf := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	r := rand.New(rand.NewPCG(3, 4))
	sums := make([]Summary, 300)
	for i := range sums {
		T := float64(1+r.IntN(400)) / 7
		x := float64(r.IntN(3) * r.IntN(4))
		tx := 0.0
		if x > 0 {
			tx = T * r.Float64()
		}
		sums[i] = Summary{X: x, TX: tx, T: T, MeanSpend: 30}
	}
	mbg, err := FitMBGNBDMAP(sums)
	require.NoError(t, err)
	pn, err := FitParetoNBDMAP(sums)
	require.NoError(t, err)
	for churn, want := range map[ChurnModel]struct {
		name string
		m    HoldoutModel
	}{ChurnMBGNBD: {ModelMBGNBD, mbg}, ChurnParetoNBD: {ModelParetoNBD, pn}} {
		out, ok := fitted(sums, churn, asOf)
		require.True(t, ok)
		for i, s := range out {
			require.Equal(t, want.name, s.Model)
			require.InDelta(t, want.m.PAlive(sums[i].X, sums[i].TX, sums[i].T), s.PAlive, 1e-12)
		}
	}
}
