package predict

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mathext"
)

// ParetoNBD holds the parameters of the Pareto/NBD model: R and Alpha shape
// and scale the gamma-distributed purchase rates, S and Beta the
// gamma-distributed dropout rates. LL is the log-likelihood of the fit that
// produced them.
type ParetoNBD struct {
	R     float64 `json:"r"`
	Alpha float64 `json:"alpha"`
	S     float64 `json:"s"`
	Beta  float64 `json:"beta"`
	LL    float64 `json:"ll"`
}

// logA0 is log of A0 in Fader & Hardie's "A Note on Deriving the Pareto/NBD
// Model and Related Expressions" (2005), eq. 22, computed in log space.
func (m ParetoNBD) logA0(x, tx, t float64) float64 {
	rsx := m.R + m.S + x
	maxAB, absAB, b := m.Alpha, m.Alpha-m.Beta, m.S+1
	if m.Alpha < m.Beta {
		maxAB, absAB, b = m.Beta, m.Beta-m.Alpha, m.R+x
	}
	term := func(u float64) float64 {
		return math.Log(mathext.Hypergeo(rsx, b, rsx+1, absAB/(maxAB+u))) - rsx*math.Log(maxAB+u)
	}
	return logDiffExp(term(tx), term(t))
}

// LogLikelihood is one customer's Pareto/NBD log-likelihood.
func (m ParetoNBD) LogLikelihood(x, tx, t float64) float64 {
	head := lgamma(m.R+x) - lgamma(m.R) + m.R*math.Log(m.Alpha) + m.S*math.Log(m.Beta)
	alive := -(m.R+x)*math.Log(m.Alpha+t) - m.S*math.Log(m.Beta+t)
	if tx >= t {
		return head + alive
	}
	return head + logSumExp(alive, math.Log(m.S/(m.R+m.S+x))+m.logA0(x, tx, t))
}

// TotalLogLikelihood is the log-likelihood of the customers.
func (m ParetoNBD) TotalLogLikelihood(s []Summary) float64 {
	return m.groupedLL(groupSummaries(s))
}

func (m ParetoNBD) groupedLL(gs []group) float64 {
	var ll float64
	for _, g := range gs {
		ll += g.n * m.LogLikelihood(g.x, g.tx, g.t)
	}
	return ll
}

// FitParetoNBD fits Pareto/NBD to the customers by maximum likelihood.
func FitParetoNBD(s []Summary) (ParetoNBD, error) {
	if len(s) < 2 {
		return ParetoNBD{}, ErrNoData
	}
	gs := groupSummaries(s)
	mt := meanT(s)
	p, ll, err := minimizeLog(func(p []float64) float64 {
		return ParetoNBD{R: p[0], Alpha: p[1], S: p[2], Beta: p[3]}.groupedLL(gs)
	}, []float64{1, mt, 1, mt})
	if err != nil {
		return ParetoNBD{}, fmt.Errorf("fitting Pareto/NBD: %w", err)
	}
	return ParetoNBD{R: p[0], Alpha: p[1], S: p[2], Beta: p[3], LL: ll}, nil
}

// PAlive is the probability that a customer with (x, t_x, T) is still active at T.
func (m ParetoNBD) PAlive(x, tx, t float64) float64 {
	if tx >= t {
		return 1
	}
	z := math.Log(m.S/(m.R+m.S+x)) + (m.R+x)*math.Log(m.Alpha+t) + m.S*math.Log(m.Beta+t) + m.logA0(x, tx, t)
	if math.IsNaN(z) {
		return 0
	}
	return sigmoidNeg(z)
}

// ExpectedPurchases is the unconditional E[X(t)] of a new customer.
func (m ParetoNBD) ExpectedPurchases(t float64) float64 {
	if t <= 0 {
		return 0
	}
	return m.R * m.Beta / (m.Alpha * (m.S - 1)) * (1 - math.Pow(m.Beta/(m.Beta+t), m.S-1))
}

// ConditionalExpectedPurchases is E[Y(t) | x, t_x, T].
func (m ParetoNBD) ConditionalExpectedPurchases(t, x, tx, tt float64) float64 {
	if t <= 0 {
		return 0
	}
	v := (m.R + x) * (m.Beta + tt) / ((m.Alpha + tt) * (m.S - 1)) *
		(1 - math.Pow((m.Beta+tt)/(m.Beta+tt+t), m.S-1)) * m.PAlive(x, tx, tt)
	if isBad(v) || v < 0 {
		return 0
	}
	return v
}
