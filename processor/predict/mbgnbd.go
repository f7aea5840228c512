package predict

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mathext"
)

// MBGNBD holds the parameters of the MBG/NBD model (Batislam, Denizel &
// Filiztekin 2007, with Wagner & Hoppe's 2008 erratum): BG/NBD's gamma
// purchase rates (R, Alpha) and beta dropout probabilities (A, B), but a
// customer may also drop out right after the first order, not only after a
// repeat order. So a one-time buyer's P(alive) falls as time passes without
// an order, where BG/NBD keeps it at 1 for ever. LL is the log-likelihood of
// the fit that produced them.
type MBGNBD struct {
	R     float64 `json:"r"`
	Alpha float64 `json:"alpha"`
	A     float64 `json:"a"`
	B     float64 `json:"b"`
	LL    float64 `json:"ll"`
}

// LogLikelihood is one customer's MBG/NBD log-likelihood,
//
//	ln B(a, b+x+1)/B(a, b) + ln Γ(r+x)/Γ(r) + r ln α
//	  + ln[ (α+T)^−(r+x) + a/(b+x) · (α+t_x)^−(r+x) ],
//
// with the two terms of the last line combined in log space (as Hardie's
// note 027 does for BG/NBD), so it stays finite for any x.
func (m MBGNBD) LogLikelihood(x, tx, t float64) float64 {
	return m.xTerm(x) + m.groupTerm(x, tx, t)
}

// xTerm is the part of the log-likelihood that depends on x alone.
func (m MBGNBD) xTerm(x float64) float64 {
	return lgamma(m.R+x) - lgamma(m.R) + m.R*math.Log(m.Alpha) +
		lgamma(m.A+m.B) + lgamma(m.B+x+1) - lgamma(m.B) - lgamma(m.A+m.B+x+1)
}

func (m MBGNBD) groupTerm(x, tx, t float64) float64 {
	a3 := -(m.R + x) * math.Log(m.Alpha+t)
	a4 := math.Log(m.A) - math.Log(m.B+x) - (m.R+x)*math.Log(m.Alpha+tx)
	return logSumExp(a3, a4)
}

// TotalLogLikelihood is the log-likelihood of the customers.
func (m MBGNBD) TotalLogLikelihood(s []Summary) float64 {
	return m.groupedLLGrad(groupSummaries(s), nil)
}

// groupedLLGrad is the log-likelihood of the groups and, when grad is not
// nil, its gradient in (r, α, a, b). The terms that depend on x alone are
// computed once per distinct x.
func (m MBGNBD) groupedLLGrad(gs []group, grad []float64) float64 {
	type xCache struct{ ll, dr, da, db float64 }
	cache := map[float64]xCache{}
	var psiR, psiB, psiAB float64
	if grad != nil {
		psiR, psiB, psiAB = mathext.Digamma(m.R), mathext.Digamma(m.B), mathext.Digamma(m.A+m.B)
	}
	lnAlpha, lnA := math.Log(m.Alpha), math.Log(m.A)
	var ll, gr, gal, ga, gb float64
	for _, g := range gs {
		xc, ok := cache[g.x]
		if !ok {
			xc.ll = m.xTerm(g.x)
			if grad != nil {
				psiABX := mathext.Digamma(m.A + m.B + g.x + 1)
				xc.dr = mathext.Digamma(m.R+g.x) - psiR + lnAlpha
				xc.da = psiAB - psiABX
				xc.db = psiAB + mathext.Digamma(m.B+g.x+1) - psiB - psiABX
			}
			cache[g.x] = xc
		}
		rx := m.R + g.x
		lT, lTx := math.Log(m.Alpha+g.t), math.Log(m.Alpha+g.tx)
		a3 := -rx * lT
		a4 := lnA - math.Log(m.B+g.x) - rx*lTx
		lse := logSumExp(a3, a4)
		ll += g.n * (xc.ll + lse)
		if grad == nil {
			continue
		}
		w3, w4 := math.Exp(a3-lse), math.Exp(a4-lse)
		gr += g.n * (xc.dr - w3*lT - w4*lTx)
		gal += g.n * (m.R/m.Alpha - w3*rx/(m.Alpha+g.t) - w4*rx/(m.Alpha+g.tx))
		ga += g.n * (xc.da + w4/m.A)
		gb += g.n * (xc.db - w4/(m.B+g.x))
	}
	if grad != nil {
		grad[0], grad[1], grad[2], grad[3] = gr, gal, ga, gb
	}
	return ll
}

// FitMBGNBD fits MBG/NBD to the customers by maximum likelihood.
func FitMBGNBD(s []Summary) (MBGNBD, error) {
	return fitMBGNBD(s, false)
}

// FitMBGNBDMAP fits MBG/NBD by maximum a posteriori under the prior of
// PriorSigma, as FitBGNBDMAP does for BG/NBD. LL is the log-likelihood at the
// estimate (without the prior).
func FitMBGNBDMAP(s []Summary) (MBGNBD, error) {
	return fitMBGNBD(s, true)
}

func fitMBGNBD(s []Summary, prior bool) (MBGNBD, error) {
	if len(s) < 2 {
		return MBGNBD{}, ErrNoData
	}
	gs := groupSummaries(s)
	p, _, err := minimizeLogGrad(func(p, grad []float64) float64 {
		ll := MBGNBD{R: p[0], Alpha: p[1], A: p[2], B: p[3]}.groupedLLGrad(gs, grad)
		if prior {
			ll += logPrior(p, grad)
		}
		return ll
	}, []float64{1, meanT(s), 1, 1}, float64(len(s)))
	if err != nil {
		return MBGNBD{}, fmt.Errorf("fitting MBG/NBD: %w", err)
	}
	m := MBGNBD{R: p[0], Alpha: p[1], A: p[2], B: p[3]}
	m.LL = m.groupedLLGrad(gs, nil)
	return m, nil
}

// PAlive is the probability that a customer with (x, t_x, T) is still active
// at T:
//
//	1 / (1 + a/(b+x) · ((α+T)/(α+t_x))^(r+x)).
//
// Unlike BG/NBD's it is below 1 for x = 0 and falls as T grows; it
// underflows cleanly to 0 (x = 1000, t_x = 10, T = 100), never NaN.
func (m MBGNBD) PAlive(x, tx, t float64) float64 {
	return sigmoidNeg(m.logOddsDead(x, tx, t))
}

// logOddsDead is ln((1 − P(alive)) / P(alive)).
func (m MBGNBD) logOddsDead(x, tx, t float64) float64 {
	return math.Log(m.A) - math.Log(m.B+x) + (m.R+x)*(math.Log(m.Alpha+t)-math.Log(m.Alpha+tx))
}

// ExpectedPurchases is the unconditional E[X(t)]: the expected number of
// repeat purchases of a new customer in a period of length t,
//
//	b/(a−1) · [1 − (α/(α+t))^r · ₂F₁(r, b+1; a+b; t/(α+t))],
//
// evaluated through the Euler transform as ConditionalExpectedPurchases is.
func (m MBGNBD) ExpectedPurchases(t float64) float64 {
	if t <= 0 {
		return 0
	}
	v := m.B * m.growth(t, 0, 0)
	if isBad(v) || v < 0 {
		return 0
	}
	return v
}

// ConditionalExpectedPurchases is E[Y(t) | x, t_x, T]: the expected number of
// purchases in the next t after T,
//
//	(a+b+x)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) · ₂F₁(r+x, b+x+1; a+b+x; z)] · P(alive),
//
// with z = t/(α+T+t). The ₂F₁ goes through Euler's transform,
// ((α+T)/(α+T+t))^(r+x) · ₂F₁(r+x, b+x+1; a+b+x; z) = (1−z)^(a−1) · ₂F₁(a+b−r, a−1; a+b+x; z),
// whose parameters no longer grow with x, so large x neither overflows nor
// loses precision.
func (m MBGNBD) ConditionalExpectedPurchases(t, x, tx, tt float64) float64 {
	if t <= 0 {
		return 0
	}
	return m.condExpected(t, x, tt, m.PAlive(x, tx, tt))
}

// condExpected is ConditionalExpectedPurchases given P(alive) pa.
func (m MBGNBD) condExpected(t, x, tt, pa float64) float64 {
	if t <= 0 || pa == 0 {
		return 0
	}
	v := (m.A + m.B + x) * m.growth(t, x, tt) * pa
	if isBad(v) || v < 0 {
		return 0
	}
	return v
}

// growth is [1 − (1−z)^(a−1) · ₂F₁(a+b−r, a−1; a+b+x; z)] / (a−1) with
// z = t/(α+T+t): the conditional expectation of an active customer without
// its factor (a+b+x). At a = 1 the quotient is 0/0 with a finite limit, taken
// as the mean of a = 1 ± 10⁻⁴ (the function is smooth in a).
func (m MBGNBD) growth(t, x, tt float64) float64 {
	const eps = 1e-4
	if math.Abs(m.A-1) < eps {
		return (m.growthAt(1-eps, t, x, tt) + m.growthAt(1+eps, t, x, tt)) / 2
	}
	return m.growthAt(m.A, t, x, tt)
}

// growthAt is growth with a in place of m.A.
func (m MBGNBD) growthAt(a, t, x, tt float64) float64 {
	z := t / (m.Alpha + tt + t)
	h := math.Pow(1-z, a-1) * mathext.Hypergeo(a+m.B-m.R, a-1, a+m.B+x, z)
	return (1 - h) / (a - 1)
}

// ProbPurchases is P(X(t) = n): the probability that a new customer makes
// exactly n repeat purchases in a period of length t. For n = 0 it includes
// the customers who dropped out right after their first order.
func (m MBGNBD) ProbPurchases(t float64, n int) float64 {
	x := float64(n)
	lbeta := func(a, b float64) float64 { return lgamma(a) + lgamma(b) - lgamma(a+b) }
	lb := lbeta(m.A, m.B)
	lr := m.R * math.Log(m.Alpha/(m.Alpha+t))
	lz := math.Log(t / (m.Alpha + t))
	// Alive after n purchases, the n-th before t and no more: NBD(n).
	nbd := lgamma(m.R+x) - lgamma(m.R) - lgamma(x+1) + lr
	if n > 0 {
		nbd += x * lz
	}
	first := math.Exp(lbeta(m.A, m.B+x+1) - lb + nbd)
	// Dropped out right after the n-th purchase (after the first order for
	// n = 0), which needs at least n purchases by t.
	var sum float64
	for j := range n {
		fj := float64(j)
		term := lgamma(m.R+fj) - lgamma(m.R) - lgamma(fj+1)
		if j > 0 {
			term += fj * lz
		}
		sum += math.Exp(term)
	}
	// 1 − P(fewer than n purchases by t), never below 0 through rounding.
	second := math.Exp(lbeta(m.A+1, m.B+x)-lb) * math.Max(0, 1-math.Exp(lr)*sum)
	return first + second
}
