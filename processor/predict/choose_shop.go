package predict

import (
	"fmt"
	"time"
)

// The rule by which a shop's own history chooses its churn model
// (docs/predictions.md).
const (
	// ShopHoldoutDays is the holdout of a shop's own model choice: its last
	// 90 days. The models are fitted on the orders before and judged on
	// those 90 days.
	ShopHoldoutDays = 90
	// MinShopHistoryDays is how long ago a shop's first order must be before
	// its own holdout chooses: 180 days (the history Klaviyo asks before it
	// predicts), so the calibration period is at least as long as the
	// holdout.
	MinShopHistoryDays = 180
	// MinHoldoutClass is the fewest customers of the calibration period who
	// ordered in the holdout, and the fewest who did not, for the holdout's
	// AUC to decide.
	MinHoldoutClass = 20
)

// ShopChoice is the model a shop's churn risk comes from, and why.
type ShopChoice struct {
	Model ChurnModel
	// Holdout is the comparison that chose Model; nil when the shop's
	// history was too short and Model is DefaultChurnModel.
	Holdout *Comparison
	// Reason says how Model was chosen, for the logs.
	Reason string
}

// ChooseShopModel chooses the model a shop's churn risk comes from, as of
// asOf, by the shop's own holdout when its history allows: at least
// MinCustomers customers with an order ShopHoldoutDays before asOf, a first
// order MinShopHistoryDays before asOf, and MinHoldoutClass customers on each
// side of "ordered in the holdout". Then BG/NBD, MBG/NBD and Pareto/NBD are
// fitted by maximum a posteriori (as ScoreShop fits) on the orders before the
// holdout and Comparison.Choose decides. Otherwise DefaultChurnModel.
func ChooseShopModel(hs []History, asOf time.Time) ShopChoice {
	def := func(why string) ShopChoice {
		return ShopChoice{Model: DefaultChurnModel, Reason: "default: " + why}
	}
	day := truncDay(asOf)
	calEnd := day.AddDate(0, 0, -ShopHoldoutDays)
	var sums []Summary
	var first time.Time
	ordered := 0
	for _, h := range hs {
		s, ok := summarize(h, calEnd)
		if !ok {
			continue
		}
		s.HoldoutX = holdoutDays(h.Orders, calEnd, day)
		if s.HoldoutX > 0 {
			ordered++
		}
		if first.IsZero() || s.First.Before(first) {
			first = s.First
		}
		sums = append(sums, s)
	}
	switch {
	case len(sums) < MinCustomers:
		return def(fmt.Sprintf("%d customers before the %d-day holdout, under %d", len(sums), ShopHoldoutDays, MinCustomers))
	case first.After(day.AddDate(0, 0, -MinShopHistoryDays)):
		return def(fmt.Sprintf("history under %d days", MinShopHistoryDays))
	case ordered < MinHoldoutClass || len(sums)-ordered < MinHoldoutClass:
		return def(fmt.Sprintf("%d of %d customers ordered in the holdout; %d on each side needed", ordered, len(sums), MinHoldoutClass))
	}
	bg, err := FitBGNBDMAP(sums)
	if err != nil {
		return def(err.Error())
	}
	mbg, err := FitMBGNBDMAP(sums)
	if err != nil {
		return def(err.Error())
	}
	m := Models{BGNBD: bg, MBGNBD: mbg, Unit: Week}
	m.ParetoNBD, err = FitParetoNBDMAP(sums)
	m.HasParetoNBD = err == nil
	c := Compare(m, sums, float64(ShopHoldoutDays)/Week.Days())
	choice := ShopChoice{Model: c.Choose(), Holdout: &c}
	choice.Reason = fmt.Sprintf("holdout of %d days: AUC mbg_nbd %.3f", ShopHoldoutDays, c.MBGNBD.AUC)
	if c.ParetoNBD != nil {
		choice.Reason += fmt.Sprintf(", pareto_nbd %.3f", c.ParetoNBD.AUC)
	}
	return choice
}

// holdoutDays is the number of distinct order days in (from, to].
func holdoutDays(orders []time.Time, from, to time.Time) float64 {
	days := map[time.Time]bool{}
	for _, t := range orders {
		if d := truncDay(t); d.After(from) && !d.After(to) {
			days[d] = true
		}
	}
	return float64(len(days))
}
