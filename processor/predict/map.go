package predict

import (
	"fmt"
	"math"
)

// PriorSigma is the spread of the weakly informative prior that FitBGNBDMAP
// and FitParetoNBDMAP put on each parameter: log p ~ Normal(0, PriorSigma²),
// so a parameter between e⁻⁴ ≈ 0.02 and e⁴ ≈ 55 costs little and one running
// off towards infinity — what a maximum-likelihood fit on a small shop does
// with a and b (docs/predictions.md) — costs more the further it goes.
const PriorSigma = 2.0

// logPrior is the prior's log density (up to a constant) of parameters p
// and, when grad is not nil, adds its gradient with respect to p.
func logPrior(p, grad []float64) float64 {
	var lp float64
	s2 := PriorSigma * PriorSigma
	for i, v := range p {
		l := math.Log(v)
		lp -= l * l / (2 * s2)
		if grad != nil {
			grad[i] -= l / (s2 * v)
		}
	}
	return lp
}

// FitBGNBDMAP fits BG/NBD by maximum a posteriori under the prior of
// PriorSigma: the fit shops with a few hundred customers get. LL is the
// log-likelihood at the estimate (without the prior).
func FitBGNBDMAP(s []Summary) (BGNBD, error) {
	if len(s) < 2 {
		return BGNBD{}, ErrNoData
	}
	gs := groupSummaries(s)
	p, _, err := minimizeLogGrad(func(p, grad []float64) float64 {
		ll := BGNBD{R: p[0], Alpha: p[1], A: p[2], B: p[3]}.groupedLLGrad(gs, grad)
		return ll + logPrior(p, grad)
	}, []float64{1, meanT(s), 1, 1}, float64(len(s)))
	if err != nil {
		return BGNBD{}, fmt.Errorf("fitting BG/NBD: %w", err)
	}
	m := BGNBD{R: p[0], Alpha: p[1], A: p[2], B: p[3]}
	m.LL = m.groupedLL(gs)
	return m, nil
}

// FitParetoNBDMAP fits Pareto/NBD by maximum a posteriori under the same
// prior.
func FitParetoNBDMAP(s []Summary) (ParetoNBD, error) {
	if len(s) < 2 {
		return ParetoNBD{}, ErrNoData
	}
	gs := newParetoGroups(groupSummaries(s))
	mt := meanT(s)
	p, _, err := minimizeLog(func(p []float64) float64 {
		return ParetoNBD{R: p[0], Alpha: p[1], S: p[2], Beta: p[3]}.groupedLL(gs) + logPrior(p, nil)
	}, []float64{1, mt, 1, mt})
	if err != nil {
		return ParetoNBD{}, fmt.Errorf("fitting Pareto/NBD: %w", err)
	}
	m := ParetoNBD{R: p[0], Alpha: p[1], S: p[2], Beta: p[3]}
	m.LL = m.groupedLL(gs)
	return m, nil
}
