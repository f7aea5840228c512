package predict

import (
	"math"
	"sort"
	"time"
)

// MinCustomers is the fewest customers with an order a shop needs before
// its models are fitted: below it a maximum-likelihood fit runs off (a, b →
// ∞), so the shop gets recency bands (RFM) instead, and says so (Model
// "rfm").
const MinCustomers = 100

// Models' names in a ShopScore: the model churn risk came from, and
// Gamma-Gamma for spend.
const (
	ModelParetoNBD = "pareto_nbd+gamma_gamma"
	ModelMBGNBD    = "mbg_nbd+gamma_gamma"
	ModelBGNBD     = "bg_nbd+gamma_gamma"
	ModelRFM       = "rfm"
)

// History is what a shop's processor knows of one customer's orders: the
// order times (the profile keeps the newest 50) and the mean order value.
type History struct {
	CustomerID string
	Orders     []time.Time
	MeanSpend  float64
}

// ShopScore is one customer's predictions and the model that made them.
type ShopScore struct {
	Score
	Model string
}

// ScoreShop fits the shop's models on its customers' histories as of asOf
// and scores every customer with an order. With fewer than MinCustomers, or
// when a fit fails, churn comes from recency against the shop's usual
// interval between orders (RFM): risk = days since the last order / (3 ×
// the usual interval), capped at 1, so low within about one interval, medium
// within two, high after (the interval is the median over repeat buyers, 30
// days when there are none). P(alive) comes from the model ChooseShopModel
// picks: the shop's own holdout decides between MBG/NBD and Pareto/NBD when
// its history is long enough, else DefaultChurnModel; never BG/NBD, which
// keeps every one-time buyer alive forever (docs/predictions.md). Expected
// orders, CLV and the next order come from BG/NBD and Gamma-Gamma.
func ScoreShop(hs []History, asOf time.Time) []ShopScore {
	var sums []Summary
	for _, h := range hs {
		if s, ok := summarize(h, asOf); ok {
			sums = append(sums, s)
		}
	}
	if len(sums) == 0 {
		return nil
	}
	if len(sums) >= MinCustomers {
		if out, ok := fitted(sums, ChooseShopModel(hs, asOf).Model, asOf); ok {
			return out
		}
	}
	return rfm(sums, asOf)
}

// summarize turns a history into the models' sufficient statistics, in
// weeks: x distinct order days − 1, t_x first to last, T first to asOf.
func summarize(h History, asOf time.Time) (Summary, bool) {
	days := map[time.Time]bool{}
	var first, last time.Time
	for _, t := range h.Orders {
		d := truncDay(t)
		if d.After(truncDay(asOf)) {
			continue
		}
		days[d] = true
		if first.IsZero() || d.Before(first) {
			first = d
		}
		if d.After(last) {
			last = d
		}
	}
	if len(days) == 0 {
		return Summary{}, false
	}
	w := Week.Days() * 24
	s := Summary{
		CustomerID: h.CustomerID, X: float64(len(days) - 1),
		TX: last.Sub(first).Hours() / w, T: truncDay(asOf).Sub(first).Hours() / w,
		First: first, Last: last,
	}
	if s.X > 0 {
		s.MeanSpend = h.MeanSpend
	}
	return s, true
}

// fitted fits the models by maximum a posteriori and scores the customers,
// P(alive) from churn; when churn's model does not fit it falls back to
// MBG/NBD, then BG/NBD.
func fitted(sums []Summary, churn ChurnModel, asOf time.Time) ([]ShopScore, bool) {
	bg, err := FitBGNBDMAP(sums)
	if err != nil {
		return nil, false
	}
	gg, err := FitGammaGamma(sums)
	if err != nil {
		gg = GammaGamma{} // no repeat spend to fit: CLV counts no value
	}
	m := Models{BGNBD: bg, GammaGamma: gg, Unit: Week, Churn: churn}
	if m.Churn == ChurnParetoNBD {
		if m.ParetoNBD, err = FitParetoNBDMAP(sums); err == nil {
			m.HasParetoNBD = true
		} else {
			m.Churn = ChurnMBGNBD
		}
	}
	if m.Churn == ChurnMBGNBD {
		if m.MBGNBD, err = FitMBGNBDMAP(sums); err != nil {
			m.Churn = ChurnBGNBD
		}
	}
	name := map[ChurnModel]string{ChurnParetoNBD: ModelParetoNBD, ChurnMBGNBD: ModelMBGNBD, ChurnBGNBD: ModelBGNBD}[m.Churn]
	out := make([]ShopScore, len(sums))
	ok := true
	m.ScoreEach(sums, asOf, func(i int, sc *Score) {
		ok = ok && !bad(sc.PAlive) && !bad(sc.ExpectedOrders365) && !bad(sc.CLV365)
		out[i] = ShopScore{Score: *sc, Model: name}
	})
	if !ok {
		return nil, false
	}
	return out, true
}

func bad(f float64) bool { return math.IsNaN(f) || math.IsInf(f, 0) }

func rfm(sums []Summary, asOf time.Time) []ShopScore {
	var gaps []float64
	for _, s := range sums {
		if s.X > 0 {
			gaps = append(gaps, s.TX*Week.Days()/s.X)
		}
	}
	usual := 30.0
	if len(gaps) > 0 {
		sort.Float64s(gaps)
		usual = math.Max(1, gaps[len(gaps)/2])
	}
	out := make([]ShopScore, len(sums))
	for i, s := range sums {
		since := truncDay(asOf).Sub(s.Last).Hours() / 24
		// Risk grows with the usual intervals gone by: under one is low,
		// under two medium, from two on high.
		risk := math.Min(1, math.Max(0, since/(3*usual)))
		sc := Score{Summary: s, PAlive: 1 - risk, ChurnRisk: risk, ChurnBand: ChurnBand(risk)}
		next := s.Last.AddDate(0, 0, int(math.Ceil(usual)))
		if next.After(truncDay(asOf)) {
			sc.NextOrderAt = next
		}
		out[i] = ShopScore{Score: sc, Model: ModelRFM}
	}
	return out
}
