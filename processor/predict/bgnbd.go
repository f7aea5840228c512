package predict

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mathext"
)

// BGNBD holds the parameters of the BG/NBD model: r and Alpha shape and scale
// the gamma-distributed purchase rates, A and B the beta-distributed dropout
// probabilities. LL is the log-likelihood of the fit that produced them.
type BGNBD struct {
	R     float64 `json:"r"`
	Alpha float64 `json:"alpha"`
	A     float64 `json:"a"`
	B     float64 `json:"b"`
	LL    float64 `json:"ll"`
}

// LogLikelihood is one customer's BG/NBD log-likelihood, in the numerically
// stable form of Hardie's note 027: the two terms are combined in log space.
func (m BGNBD) LogLikelihood(x, tx, t float64) float64 {
	return m.xTerm(x) + m.groupTerm(x, tx, t)
}

// xTerm is the part of the log-likelihood that depends on x alone.
func (m BGNBD) xTerm(x float64) float64 {
	return lgamma(m.R+x) - lgamma(m.R) + m.R*math.Log(m.Alpha) +
		lgamma(m.A+m.B) + lgamma(m.B+x) - lgamma(m.B) - lgamma(m.A+m.B+x)
}

func (m BGNBD) groupTerm(x, tx, t float64) float64 {
	a3 := -(m.R + x) * math.Log(m.Alpha+t)
	if x == 0 {
		return a3
	}
	a4 := math.Log(m.A) - math.Log(m.B+x-1) - (m.R+x)*math.Log(m.Alpha+tx)
	return logSumExp(a3, a4)
}

// TotalLogLikelihood is the log-likelihood of the customers.
func (m BGNBD) TotalLogLikelihood(s []Summary) float64 {
	return m.groupedLL(groupSummaries(s))
}

func (m BGNBD) groupedLL(gs []group) float64 {
	var ll float64
	xCache := map[float64]float64{}
	for _, g := range gs {
		xt, ok := xCache[g.x]
		if !ok {
			xt = m.xTerm(g.x)
			xCache[g.x] = xt
		}
		ll += g.n * (xt + m.groupTerm(g.x, g.tx, g.t))
	}
	return ll
}

// groupedLLGrad is groupedLL and, when grad is not nil, its gradient in
// (r, α, a, b).
func (m BGNBD) groupedLLGrad(gs []group, grad []float64) float64 {
	if grad == nil {
		return m.groupedLL(gs)
	}
	type xCache struct{ ll, dr, da, db float64 }
	cache := map[float64]xCache{}
	psiR, psiB, psiAB := mathext.Digamma(m.R), mathext.Digamma(m.B), mathext.Digamma(m.A+m.B)
	lnAlpha := math.Log(m.Alpha)
	var ll, gr, gal, ga, gb float64
	for _, g := range gs {
		xc, ok := cache[g.x]
		if !ok {
			psiABX := mathext.Digamma(m.A + m.B + g.x)
			xc = xCache{
				ll: m.xTerm(g.x),
				dr: mathext.Digamma(m.R+g.x) - psiR + lnAlpha,
				da: psiAB - psiABX,
				db: psiAB + mathext.Digamma(m.B+g.x) - psiB - psiABX,
			}
			cache[g.x] = xc
		}
		rx := m.R + g.x
		lT := math.Log(m.Alpha + g.t)
		a3 := -rx * lT
		dr, dal, da, db := -lT, -rx/(m.Alpha+g.t), 0.0, 0.0
		lse := a3
		if g.x > 0 {
			lTx := math.Log(m.Alpha + g.tx)
			a4 := math.Log(m.A) - math.Log(m.B+g.x-1) - rx*lTx
			lse = logSumExp(a3, a4)
			w3, w4 := math.Exp(a3-lse), math.Exp(a4-lse)
			dr = w3*dr - w4*lTx
			dal = w3*dal - w4*rx/(m.Alpha+g.tx)
			da = w4 / m.A
			db = -w4 / (m.B + g.x - 1)
		}
		ll += g.n * (xc.ll + lse)
		gr += g.n * (xc.dr + dr)
		gal += g.n * (m.R/m.Alpha + dal)
		ga += g.n * (xc.da + da)
		gb += g.n * (xc.db + db)
	}
	grad[0], grad[1], grad[2], grad[3] = gr, gal, ga, gb
	return ll
}

// FitBGNBD fits BG/NBD to the customers by maximum likelihood.
func FitBGNBD(s []Summary) (BGNBD, error) {
	if len(s) < 2 {
		return BGNBD{}, ErrNoData
	}
	gs := groupSummaries(s)
	p, ll, err := minimizeLogGrad(func(p, grad []float64) float64 {
		return BGNBD{R: p[0], Alpha: p[1], A: p[2], B: p[3]}.groupedLLGrad(gs, grad)
	}, []float64{1, meanT(s), 1, 1}, float64(len(s)))
	if err != nil {
		return BGNBD{}, fmt.Errorf("fitting BG/NBD: %w", err)
	}
	return BGNBD{R: p[0], Alpha: p[1], A: p[2], B: p[3], LL: ll}, nil
}

func meanT(s []Summary) float64 {
	var sum float64
	for _, c := range s {
		sum += c.T
	}
	if sum <= 0 {
		return 1
	}
	return sum / float64(len(s))
}

// PAlive is the probability that a customer with (x, t_x, T) is still active
// at T. It is 1 for x = 0 and underflows cleanly to 0, never NaN.
func (m BGNBD) PAlive(x, tx, t float64) float64 {
	if x == 0 {
		return 1
	}
	z := math.Log(m.A) - math.Log(m.B+x-1) + (m.R+x)*(math.Log(m.Alpha+t)-math.Log(m.Alpha+tx))
	return sigmoidNeg(z)
}

// ExpectedPurchases is the unconditional E[X(t)]: the expected number of
// repeat purchases of a new customer in a period of length t.
func (m BGNBD) ExpectedPurchases(t float64) float64 {
	if t <= 0 {
		return 0
	}
	z := t / (m.Alpha + t)
	h := mathext.Hypergeo(m.R, m.B, m.A+m.B-1, z)
	return (m.A + m.B - 1) / (m.A - 1) * (1 - math.Pow(m.Alpha/(m.Alpha+t), m.R)*h)
}

// ConditionalExpectedPurchases is E[Y(t) | x, t_x, T]: the expected number of
// purchases in the next t after T. It uses the Euler transform of the 2F1, so
// large x neither overflows nor loses precision.
func (m BGNBD) ConditionalExpectedPurchases(t, x, tx, tt float64) float64 {
	if t <= 0 {
		return 0
	}
	return m.condExpected(t, x, tt, m.PAlive(x, tx, tt))
}

// condExpected is ConditionalExpectedPurchases given P(alive) pa.
func (m BGNBD) condExpected(t, x, tt, pa float64) float64 {
	if t <= 0 || pa == 0 {
		return 0
	}
	return expectedGiven(m.growth(t, x, tt), pa)
}

// growth is the conditional expectation of an active customer,
// (a+b+x−1)/(a−1) · [1 − (1−z)^(a−1) · ₂F₁(a+b−1−r, a−1; a+b+x−1; z)] with
// z = t/(α+T+t): it depends on x and T but not on t_x, so customers sharing
// (x, T) share it (Models.ScoreAll).
func (m BGNBD) growth(t, x, tt float64) float64 {
	z := t / (m.Alpha + tt + t)
	c := m.A + m.B + x - 1
	// ((α+T)/(α+T+t))^(r+x) · 2F1(r+x, b+x; c; z) = (1−z)^(a−1) · 2F1(a+b−1−r, a−1; c; z)
	h := math.Pow(1-z, m.A-1) * mathext.Hypergeo(m.A+m.B-1-m.R, m.A-1, c, z)
	return c / (m.A - 1) * (1 - h)
}

// expectedGiven is an active customer's expectation g times P(alive) pa,
// 0 when that is not a finite non-negative number.
func expectedGiven(g, pa float64) float64 {
	v := g * pa
	if isBad(v) || v < 0 {
		return 0
	}
	return v
}

// ProbPurchases is P(X(t) = n): the probability that a new customer makes
// exactly n repeat purchases in a period of length t.
func (m BGNBD) ProbPurchases(t float64, n int) float64 {
	x := float64(n)
	lbeta := func(a, b float64) float64 { return lgamma(a) + lgamma(b) - lgamma(a+b) }
	lb := lbeta(m.A, m.B)
	lr := m.R * math.Log(m.Alpha/(m.Alpha+t))
	lz := math.Log(t / (m.Alpha + t))
	first := math.Exp(lbeta(m.A, m.B+x) - lb + lgamma(m.R+x) - lgamma(m.R) - lgamma(x+1) + lr + x*lz)
	if n == 0 {
		return first
	}
	var sum float64
	for j := range n {
		fj := float64(j)
		sum += math.Exp(lgamma(m.R+fj) - lgamma(m.R) - lgamma(fj+1) + fj*lz)
	}
	second := math.Exp(lbeta(m.A+1, m.B+x-1)-lb) * (1 - math.Exp(lr)*sum)
	return first + second
}
