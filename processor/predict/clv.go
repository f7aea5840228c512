package predict

import "math"

// DefaultAnnualDiscount is the yearly discount rate CLV365 applies: 10 %, a
// common cost of capital for small online shops.
const DefaultAnnualDiscount = 0.10

// CLV is the discounted expected revenue of a customer over steps periods of
// length step (in the unit), each period's expected purchases from BG/NBD
// times the expected spend from Gamma-Gamma, discounted by
// (1+discount)^k for period k. It has lifetimes' customer_lifetime_value
// semantics (step = 30, steps = 12 reproduces its documented values).
func CLV(bg BGNBD, gg GammaGamma, c Summary, steps int, step, discount float64) float64 {
	return clvFrom(cumulative(bg, c, steps, step), gg.ExpectedSpend(c.X, c.MeanSpend), discount)
}

// cumulative is E[Y(k·step)] for k = 1…steps.
func cumulative(bg BGNBD, c Summary, steps int, step float64) []float64 {
	out := make([]float64, steps)
	pa := bg.PAlive(c.X, c.TX, c.T)
	for k := range out {
		out[k] = bg.condExpected(float64(k+1)*step, c.X, c.T, pa)
	}
	return out
}

// clvFrom discounts the purchases between consecutive cumulative expectations.
func clvFrom(cum []float64, spend, discount float64) float64 {
	var clv, prev float64
	for k, cur := range cum {
		clv += (cur - prev) * spend / math.Pow(1+discount, float64(k+1))
		prev = cur
	}
	return clv
}

// CLV365 is the predicted CLV over the next 365 days in twelve monthly steps,
// discounted at DefaultAnnualDiscount a year (compounded monthly).
func CLV365(bg BGNBD, gg GammaGamma, c Summary, unit Unit) float64 {
	return CLV(bg, gg, c, 12, month(unit), monthlyDiscount)
}

// monthlyDiscount is DefaultAnnualDiscount compounded monthly.
var monthlyDiscount = math.Pow(1+DefaultAnnualDiscount, 1.0/12) - 1

// month is a twelfth of 365 days in the unit.
func month(unit Unit) float64 { return 365.0 / 12 / unit.Days() }
