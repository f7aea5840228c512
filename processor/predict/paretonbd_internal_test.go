package predict

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// The prepared likelihood that the fits use is LogLikelihood summed.
func TestParetoNBDGroupedLikelihoodIsTheSum(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(5, 6))
	var s []Summary
	for range 2000 {
		T := float64(r.IntN(300)) / 7
		x := float64(r.IntN(4) * r.IntN(5))
		tx := 0.0
		if x > 0 {
			tx = math.Floor(T*7*r.Float64()) / 7
		}
		s = append(s, Summary{X: x, TX: tx, T: T})
	}
	s = append(s, Summary{X: 3, TX: 5, T: 5}, Summary{X: 1000, TX: 10, T: 100})
	for _, m := range []ParetoNBD{{R: 0.553, Alpha: 10.578, S: 0.606, Beta: 11.669}, {R: 2, Alpha: 3, S: 0.1, Beta: 40}} {
		var want float64
		for _, c := range s {
			want += m.LogLikelihood(c.X, c.TX, c.T)
		}
		require.InEpsilon(t, want, m.TotalLogLikelihood(s), 1e-12)
	}
}
