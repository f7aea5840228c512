package predict

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mathext"
)

// GammaGamma holds the parameters of the Gamma-Gamma spend model (Fader &
// Hardie 2013): P and Q shape the per-transaction spend and its mean, Gamma
// scales it. LL is the log-likelihood of the fit that produced them.
type GammaGamma struct {
	P     float64 `json:"p"`
	Q     float64 `json:"q"`
	Gamma float64 `json:"gamma"`
	LL    float64 `json:"ll"`
}

// LogLikelihood is the log-density of a mean repeat spend m over x > 0
// repeat purchases.
func (g GammaGamma) LogLikelihood(x, m float64) float64 {
	px := g.P * x
	return lgamma(px+g.Q) - lgamma(px) - lgamma(g.Q) + g.Q*math.Log(g.Gamma) +
		(px-1)*math.Log(m) + px*math.Log(x) - (px+g.Q)*math.Log(g.Gamma+m*x)
}

// TotalLogLikelihood is the log-likelihood of the repeaters (X > 0 and
// MeanSpend > 0) among the customers.
func (g GammaGamma) TotalLogLikelihood(s []Summary) float64 {
	var ll float64
	for _, c := range s {
		if c.X > 0 && c.MeanSpend > 0 {
			ll += g.LogLikelihood(c.X, c.MeanSpend)
		}
	}
	return ll
}

// FitGammaGamma fits the Gamma-Gamma model to the repeaters (X > 0 and
// MeanSpend > 0) by maximum likelihood.
func FitGammaGamma(s []Summary) (GammaGamma, error) {
	var rep []Summary
	for _, c := range s {
		if c.X > 0 && c.MeanSpend > 0 {
			rep = append(rep, c)
		}
	}
	if len(rep) < 2 {
		return GammaGamma{}, ErrNoData
	}
	byX := groupSpend(rep)
	p, ll, err := minimizeLogGrad(func(p, grad []float64) float64 {
		return GammaGamma{P: p[0], Q: p[1], Gamma: p[2]}.groupedLLGrad(byX, grad)
	}, []float64{1, 1, 1}, float64(len(rep)))
	if err != nil {
		return GammaGamma{}, fmt.Errorf("fitting Gamma-Gamma: %w", err)
	}
	return GammaGamma{P: p[0], Q: p[1], Gamma: p[2], LL: ll}, nil
}

// spendGroup is the repeaters sharing one x.
type spendGroup struct {
	x, n, sumLogM float64
	m             []float64
}

func groupSpend(rep []Summary) []spendGroup {
	idx := map[float64]int{}
	var gs []spendGroup
	for _, c := range rep {
		i, ok := idx[c.X]
		if !ok {
			i = len(gs)
			idx[c.X] = i
			gs = append(gs, spendGroup{x: c.X})
		}
		gs[i].n++
		gs[i].sumLogM += math.Log(c.MeanSpend)
		gs[i].m = append(gs[i].m, c.MeanSpend)
	}
	return gs
}

// groupedLLGrad is TotalLogLikelihood over the groups and, when grad is not
// nil, its gradient in (p, q, γ).
func (g GammaGamma) groupedLLGrad(gs []spendGroup, grad []float64) float64 {
	lgq, lnG := lgamma(g.Q), math.Log(g.Gamma)
	psiQ := 0.0
	if grad != nil {
		psiQ = mathext.Digamma(g.Q)
	}
	var ll, gp, gq, gg float64
	for _, s := range gs {
		px := g.P * s.x
		var sumLog, sumInv float64
		for _, m := range s.m {
			v := g.Gamma + m*s.x
			sumLog += math.Log(v)
			if grad != nil {
				sumInv += 1 / v
			}
		}
		lnX := math.Log(s.x)
		ll += s.n*(lgamma(px+g.Q)-lgamma(px)-lgq+g.Q*lnG+px*lnX) + (px-1)*s.sumLogM - (px+g.Q)*sumLog
		if grad != nil {
			psiPQ := mathext.Digamma(px + g.Q)
			gp += s.x * (s.n*(psiPQ-mathext.Digamma(px)+lnX) + s.sumLogM - sumLog)
			gq += s.n*(psiPQ-psiQ+lnG) - sumLog
			gg += s.n*g.Q/g.Gamma - (px+g.Q)*sumInv
		}
	}
	if grad != nil {
		grad[0], grad[1], grad[2] = gp, gq, gg
	}
	return ll
}

// ExpectedSpend is E[M | x, m]: a customer's expected spend per transaction,
// shrunk from the observed mean m over x repeat purchases towards the
// population mean p·γ/(q−1), which is what x = 0 gives.
func (g GammaGamma) ExpectedSpend(x, m float64) float64 {
	if x == 0 {
		m = 0
	}
	v := g.P * (g.Gamma + x*m) / (g.P*x + g.Q - 1)
	if isBad(v) || v < 0 {
		return 0
	}
	return v
}
