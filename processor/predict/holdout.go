package predict

import (
	"math"
	"sort"
	"sync"

	"gonum.org/v1/gonum/integrate/quad"
)

// HoldoutModel is what a holdout comparison needs of a fitted model. BGNBD,
// MBGNBD and ParetoNBD implement it; every method is safe for concurrent
// use (the models are values).
type HoldoutModel interface {
	// PAlive is the probability that a customer with (x, t_x, T) is active at T.
	PAlive(x, tx, t float64) float64
	// ConditionalExpectedPurchases is E[Y(t) | x, t_x, T].
	ConditionalExpectedPurchases(t, x, tx, tt float64) float64
	// ProbAnyPurchase is P(Y(t) > 0 | x, t_x, T).
	ProbAnyPurchase(t, x, tx, tt float64) float64
}

var (
	_ HoldoutModel = BGNBD{}
	_ HoldoutModel = MBGNBD{}
	_ HoldoutModel = ParetoNBD{}
)

// HoldoutFit is how one model's predictions for a holdout period compare
// with the orders the customers placed in it.
type HoldoutFit struct {
	// Predicted is the conditional expected repeat order days in the holdout,
	// summed over the customers.
	Predicted float64 `json:"predicted"`
	// Actual is the order days that happened in the holdout.
	Actual float64 `json:"actual"`
	// MAE is the mean absolute error of the conditional expectations per
	// customer.
	MAE float64 `json:"mae"`
	// AUC is the probability that P(alive) ranks a random customer who
	// ordered in the holdout above a random one who did not (ties count a
	// half): how well churn risk sorts the customers. 0.5 when every
	// customer, or none, ordered.
	AUC float64 `json:"auc"`
	// LogLoss is the mean log loss of the model's P(at least one order in
	// the holdout) against whether the customer ordered: the churn
	// classification, a proper score (lower is better).
	LogLoss float64 `json:"log_loss"`
	// LL is the model's log-likelihood on the calibration period.
	LL float64 `json:"ll"`
}

// EvaluateHoldout compares m's predictions for the holdout period of length
// horizon (in the summaries' unit, after each T) with the customers'
// HoldoutX. ll is copied into the result.
func EvaluateHoldout(m HoldoutModel, s []Summary, horizon, ll float64) HoldoutFit {
	h := HoldoutFit{LL: ll}
	if len(s) == 0 {
		h.AUC = 0.5
		return h
	}
	// Customers sharing (x, t_x, T) share every prediction: compute each once.
	type key struct{ x, tx, t float64 }
	type pred struct{ e, pa, any float64 }
	memo := map[key]pred{}
	pa := make([]float64, len(s))
	ordered := make([]bool, len(s))
	var loss, abs float64
	for i, c := range s {
		k := key{c.X, c.TX, c.T}
		p, ok := memo[k]
		if !ok {
			p = pred{
				e:   m.ConditionalExpectedPurchases(horizon, c.X, c.TX, c.T),
				pa:  m.PAlive(c.X, c.TX, c.T),
				any: m.ProbAnyPurchase(horizon, c.X, c.TX, c.T),
			}
			memo[k] = p
		}
		h.Predicted += p.e
		h.Actual += c.HoldoutX
		abs += math.Abs(p.e - c.HoldoutX)
		pa[i] = p.pa
		ordered[i] = c.HoldoutX > 0
		loss += logLoss(p.any, ordered[i])
	}
	n := float64(len(s))
	h.MAE, h.LogLoss, h.AUC = abs/n, loss/n, auc(pa, ordered)
	return h
}

// logLoss is −ln p when the event happened and −ln(1−p) when not, with p
// kept within [10⁻¹⁵, 1−10⁻¹⁵] so a certain wrong answer costs about 34.5,
// not infinity.
func logLoss(p float64, happened bool) float64 {
	const eps = 1e-15
	p = math.Min(math.Max(p, eps), 1-eps)
	if happened {
		return -math.Log(p)
	}
	return -math.Log1p(-p)
}

// auc is the Mann-Whitney estimate of the area under the ROC curve of score
// for the positives, with tied scores counted a half; 0.5 when either class is
// empty.
func auc(score []float64, positive []bool) float64 {
	idx := make([]int, len(score))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(i, j int) bool { return score[idx[i]] < score[idx[j]] })
	var rankSum, pos float64
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && score[idx[j]] == score[idx[i]] {
			j++
		}
		mid := float64(i+j+1) / 2 // mean of the ranks i+1 … j
		for k := i; k < j; k++ {
			if positive[idx[k]] {
				rankSum += mid
				pos++
			}
		}
		i = j
	}
	neg := float64(len(score)) - pos
	if pos == 0 || neg == 0 {
		return 0.5
	}
	return (rankSum - pos*(pos+1)/2) / (pos * neg)
}

// ProbAnyPurchase is P(Y(t) > 0 | x, t_x, T): the probability of at least
// one purchase in the next t. A BG/NBD customer drops out only right after a
// purchase, so an active one orders unless the gamma-posterior rate
// λ ~ Γ(r+x, α+T) gives no event in t:
// P(alive) · (1 − ((α+T)/(α+T+t))^(r+x)).
func (m BGNBD) ProbAnyPurchase(t, x, tx, tt float64) float64 {
	return anyPurchase(m.PAlive(x, tx, tt), m.R+x, m.Alpha+tt, t)
}

// ProbAnyPurchase is P(Y(t) > 0 | x, t_x, T), as for BG/NBD: MBG/NBD's
// extra dropout point is the first order, which lies before T.
func (m MBGNBD) ProbAnyPurchase(t, x, tx, tt float64) float64 {
	return anyPurchase(m.PAlive(x, tx, tt), m.R+x, m.Alpha+tt, t)
}

// anyPurchase is pa · (1 − (scale/(scale+t))^shape).
func anyPurchase(pa, shape, scale, t float64) float64 {
	if t <= 0 || pa == 0 {
		return 0
	}
	v := pa * -math.Expm1(-shape*math.Log1p(t/scale))
	if isBad(v) || v < 0 {
		return 0
	}
	return math.Min(v, 1)
}

// ProbAnyPurchase is P(Y(t) > 0 | x, t_x, T). An active Pareto/NBD customer
// may drop out before the next purchase, so it is P(alive) times
//
//	∫₀ᵗ E[λe^(−λu)] · E[e^(−μu)] du,  λ ~ Γ(r+x, α+T), μ ~ Γ(s, β+T),
//
// the probability that the next purchase comes at u < t with the customer
// still active then. With u = (α+T)(e^w − 1) the integrand is
// (r+x)·e^(−(r+x)w)·((β+T)/(β+T+u))^s, smooth on w ∈ [0, ln(1 + t/(α+T))],
// which 64-point Gauss-Legendre integrates to rounding error.
func (m ParetoNBD) ProbAnyPurchase(t, x, tx, tt float64) float64 {
	if t <= 0 {
		return 0
	}
	pa := m.PAlive(x, tx, tt)
	if pa == 0 {
		return 0
	}
	rx, a, b := m.R+x, m.Alpha+tt, m.Beta+tt
	f := func(w float64) float64 {
		u := a * math.Expm1(w)
		return rx * math.Exp(-rx*w-m.S*math.Log1p(u/b))
	}
	v := pa * legendre64(f, math.Log1p(t/a))
	if isBad(v) || v < 0 {
		return 0
	}
	return math.Min(v, 1)
}

// legendreNodes are the 64 Gauss-Legendre nodes and weights on [0, 1],
// computed once.
var legendreNodes = sync.OnceValues(func() ([]float64, []float64) {
	x, w := make([]float64, 64), make([]float64, 64)
	quad.Legendre{}.FixedLocations(x, w, 0, 1)
	return x, w
})

// legendre64 is ∫₀ᵇ f with 64-point Gauss-Legendre.
func legendre64(f func(float64) float64, b float64) float64 {
	x, w := legendreNodes()
	var sum float64
	for i := range x {
		sum += w[i] * f(b*x[i])
	}
	return sum * b
}
