package predict

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/optimize"
)

// ErrNoData is returned when there are too few customers to fit a model.
var ErrNoData = errors.New("not enough customers to fit")

// ErrNoConvergence is returned, wrapped, when the optimiser fails.
var ErrNoConvergence = errors.New("fit did not converge")

// group is a distinct (x, t_x, T) and how many customers share it.
type group struct {
	x, tx, t float64
	n        float64
}

// groupSummaries collapses identical (x, t_x, T) so the likelihood costs one
// term per distinct triple, not per customer.
func groupSummaries(s []Summary) []group {
	type key struct{ x, tx, t float64 }
	idx := map[key]int{}
	var gs []group
	for _, c := range s {
		k := key{c.X, c.TX, c.T}
		if i, ok := idx[k]; ok {
			gs[i].n++
			continue
		}
		idx[k] = len(gs)
		gs = append(gs, group{x: c.X, tx: c.TX, t: c.T, n: 1})
	}
	return gs
}

// minimizeLog maximises ll over positive parameters by minimising −ll on their
// logarithms with Nelder-Mead, then polishing with BFGS on a numerical
// gradient. It returns the parameters and the maximised log-likelihood.
func minimizeLog(ll func(p []float64) float64, start []float64) ([]float64, float64, error) {
	n := len(start)
	p := make([]float64, n)
	f := func(lp []float64) float64 {
		for i, v := range lp {
			if v > 30 || v < -30 {
				return math.Inf(1)
			}
			p[i] = math.Exp(v)
		}
		v := ll(p)
		if isBad(v) {
			return math.Inf(1)
		}
		return -v
	}
	x0 := make([]float64, n)
	for i, v := range start {
		x0[i] = math.Log(v)
	}
	prob := optimize.Problem{Func: f}
	settings := &optimize.Settings{
		MajorIterations: 5000,
		Converger:       &optimize.FunctionConverge{Absolute: 1e-10, Relative: 1e-12, Iterations: 50},
	}
	res, err := optimize.Minimize(prob, x0, settings, &optimize.NelderMead{})
	if err != nil && res == nil {
		return nil, 0, fmt.Errorf("%w: %w", ErrNoConvergence, err)
	}
	// Restart once from the result: Nelder-Mead's simplex can collapse early.
	res2, err2 := optimize.Minimize(prob, res.X, settings, &optimize.NelderMead{})
	if err2 == nil || res2 != nil {
		if res2.F <= res.F {
			res = res2
		}
	}
	if isBad(res.F) {
		return nil, 0, fmt.Errorf("%w: likelihood not finite", ErrNoConvergence)
	}
	out := make([]float64, n)
	for i, v := range res.X {
		out[i] = math.Exp(v)
	}
	return out, -res.F, nil
}

// minimizeLogGrad is minimizeLog for a log-likelihood with an analytic
// gradient: llg returns ll(p) and, when grad is not nil, fills it with
// ∂ll/∂p. It runs BFGS on the log-parameters and falls back to minimizeLog
// when BFGS fails. n is the number of customers: the objective is the mean
// log-likelihood per customer, so the convergence thresholds do not depend on
// the population's size.
func minimizeLogGrad(llg func(p, grad []float64) float64, start []float64, n float64) ([]float64, float64, error) {
	k := len(start)
	p, g := make([]float64, k), make([]float64, k)
	var lastX []float64
	var lastF float64
	eval := func(lp []float64) float64 {
		if lastX != nil && floatsEqual(lastX, lp) {
			return lastF
		}
		lastX = append(lastX[:0], lp...)
		for i, v := range lp {
			if v > 30 || v < -30 {
				lastF = math.Inf(1)
				return lastF
			}
			p[i] = math.Exp(v)
		}
		v := llg(p, g) / n
		lastF = -v
		if isBad(v) {
			lastF = math.Inf(1)
		}
		return lastF
	}
	prob := optimize.Problem{
		Func: eval,
		Grad: func(grad, lp []float64) {
			eval(lp)
			for i := range grad {
				grad[i] = -g[i] * p[i] / n
			}
		},
	}
	x0 := make([]float64, k)
	for i, v := range start {
		x0[i] = math.Log(v)
	}
	settings := &optimize.Settings{
		MajorIterations:   1000,
		GradientThreshold: 1e-7,
		Converger:         &optimize.FunctionConverge{Absolute: 1e-10, Relative: 1e-13, Iterations: 20},
	}
	res, err := optimize.Minimize(prob, x0, settings, &optimize.BFGS{})
	if res == nil || isBad(res.F) || (err != nil && !converged(res.Status) && !flat(prob, res.X)) {
		return minimizeLog(func(q []float64) float64 { return llg(q, nil) }, start)
	}
	out := make([]float64, k)
	for i, v := range res.X {
		out[i] = math.Exp(v)
	}
	return out, llg(out, nil), nil
}

// flat reports whether the gradient at x is small enough to call a failed
// line search (it fails at the optimum when the objective's rounding error
// dominates) a converged fit.
func flat(prob optimize.Problem, x []float64) bool {
	g := make([]float64, len(x))
	prob.Grad(g, x)
	for _, v := range g {
		if math.Abs(v) > 1e-5 {
			return false
		}
	}
	return true
}

func converged(s optimize.Status) bool {
	return s == optimize.GradientThreshold || s == optimize.FunctionConvergence
}

func floatsEqual(a, b []float64) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// logSumExp returns log(exp(a) + exp(b)) without overflow.
func logSumExp(a, b float64) float64 {
	if math.IsInf(a, -1) {
		return b
	}
	if math.IsInf(b, -1) {
		return a
	}
	m := math.Max(a, b)
	return m + math.Log(math.Exp(a-m)+math.Exp(b-m))
}

// logDiffExp returns log(exp(a) − exp(b)) for a ≥ b.
func logDiffExp(a, b float64) float64 {
	if math.IsInf(b, -1) {
		return a
	}
	return a + math.Log(-math.Expm1(b-a))
}

func lgamma(x float64) float64 {
	v, _ := math.Lgamma(x)
	return v
}

// sigmoidNeg returns 1 / (1 + exp(z)) without overflow: 0 for huge z.
func sigmoidNeg(z float64) float64 {
	if z > 0 {
		e := math.Exp(-z)
		return e / (1 + e)
	}
	return 1 / (1 + math.Exp(z))
}
