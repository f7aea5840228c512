package predict

import (
	"math"
	"sort"
	"time"
)

// Band is a churn-risk band.
type Band string

// The churn-risk bands: low < 0.33 ≤ medium < 0.66 ≤ high.
const (
	BandLow    Band = "low"
	BandMedium Band = "medium"
	BandHigh   Band = "high"
)

// ChurnBand is the band of a churn risk.
func ChurnBand(risk float64) Band {
	switch {
	case risk < 0.33:
		return BandLow
	case risk < 0.66:
		return BandMedium
	default:
		return BandHigh
	}
}

// Models are the fitted models a Score is computed from.
type Models struct {
	BGNBD      BGNBD
	GammaGamma GammaGamma
	// ParetoNBD gives P(alive) when HasParetoNBD: unlike BG/NBD it does not
	// keep every one-time buyer alive forever.
	ParetoNBD    ParetoNBD
	HasParetoNBD bool
	// Unit is the unit the models were fitted in. Default Week.
	Unit Unit
}

// Score is one customer's predictions as of the calibration end.
type Score struct {
	Summary
	PAlive    float64
	ChurnRisk float64
	ChurnBand Band
	// ExpectedOrders365 is the BG/NBD expected number of orders in the next 365 days.
	ExpectedOrders365 float64
	// CLV365 is the discounted predicted revenue of the next 365 days (see CLV365).
	CLV365 float64
	// NextOrderAt is the first day by which the expected number of orders
	// reaches one; zero when that is more than 365 days away.
	NextOrderAt time.Time
}

// Score computes a customer's predictions as of asOf, the calibration end.
func (m Models) Score(c Summary, asOf time.Time) Score {
	unit := m.Unit
	if unit == "" {
		unit = Week
	}
	pa := m.BGNBD.PAlive(c.X, c.TX, c.T)
	if m.HasParetoNBD {
		pa = m.ParetoNBD.PAlive(c.X, c.TX, c.T)
	}
	cum := cumulative(m.BGNBD, c, 12, month(unit))
	sc := Score{
		Summary:           c,
		PAlive:            pa,
		ChurnRisk:         1 - pa,
		ChurnBand:         ChurnBand(1 - pa),
		ExpectedOrders365: cum[11],
		CLV365:            clvFrom(cum, m.GammaGamma.ExpectedSpend(c.X, c.MeanSpend), monthlyDiscount),
	}
	if k := sort.SearchFloat64s(cum, 1); k < len(cum) {
		// The first order falls in month k+1: bisect it to half a day.
		days := 365.0 / 12
		lo, hi := float64(k)*days, float64(k+1)*days
		for hi-lo > 0.5 {
			mid := (lo + hi) / 2
			if m.BGNBD.ConditionalExpectedPurchases(mid/unit.Days(), c.X, c.TX, c.T) >= 1 {
				hi = mid
			} else {
				lo = mid
			}
		}
		sc.NextOrderAt = truncDay(asOf).AddDate(0, 0, int(math.Ceil(hi)))
	}
	return sc
}
