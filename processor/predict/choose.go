package predict

// ChurnModel names the model that P(alive), and so churn risk, comes from.
type ChurnModel string

// The models churn risk can come from. Their values are the keys of the
// models in `boomerang predict fit`'s JSON.
const (
	// ChurnBGNBD keeps every one-time buyer alive for ever (P(alive) = 1
	// for x = 0), so Choose never picks it; it is there for comparison and
	// as the last fallback when neither other model fits.
	ChurnBGNBD     ChurnModel = "bgnbd"
	ChurnMBGNBD    ChurnModel = "mbg_nbd"
	ChurnParetoNBD ChurnModel = "pareto_nbd"
)

// DefaultChurnModel is the model churn risk comes from when no holdout
// chooses: Pareto/NBD, which ranked CDNOW's holdout best (AUC 0.726 against
// MBG/NBD's 0.687 and BG/NBD's 0.316; docs/predictions.md).
const DefaultChurnModel = ChurnParetoNBD

// ChoiceMargin is how much higher a holdout AUC the other candidate needs
// before it replaces DefaultChurnModel. A holdout of a thousand customers
// measures an AUC to about ±0.015, so a smaller lead is noise, and a shop's
// churn bands should not swing between models from night to night on it.
const ChoiceMargin = 0.02

// Comparison is how the three models' predictions for a holdout period
// compare with what happened in it (EvaluateHoldout for each).
type Comparison struct {
	BGNBD  HoldoutFit `json:"bgnbd"`
	MBGNBD HoldoutFit `json:"mbg_nbd"`
	// ParetoNBD is nil when Pareto/NBD did not fit.
	ParetoNBD *HoldoutFit `json:"pareto_nbd,omitempty"`
}

// Compare evaluates m's BG/NBD, MBG/NBD and (when m.HasParetoNBD)
// Pareto/NBD on the customers' holdout of length horizon, in m's unit.
func Compare(m Models, s []Summary, horizon float64) Comparison {
	c := Comparison{
		BGNBD:  EvaluateHoldout(m.BGNBD, s, horizon, m.BGNBD.LL),
		MBGNBD: EvaluateHoldout(m.MBGNBD, s, horizon, m.MBGNBD.LL),
	}
	if m.HasParetoNBD {
		p := EvaluateHoldout(m.ParetoNBD, s, horizon, m.ParetoNBD.LL)
		c.ParetoNBD = &p
	}
	return c
}

// Choose is the model churn risk should come from, by the rule of
// docs/predictions.md: BG/NBD is never a candidate (it keeps every one-time
// buyer alive for ever); of MBG/NBD and Pareto/NBD, the one whose P(alive)
// ranks the holdout better (AUC) — but DefaultChurnModel stays unless the
// other beats it by more than ChoiceMargin. Without a Pareto/NBD fit it is
// MBG/NBD.
func (c Comparison) Choose() ChurnModel {
	if c.ParetoNBD == nil {
		return ChurnMBGNBD
	}
	auc := map[ChurnModel]float64{ChurnMBGNBD: c.MBGNBD.AUC, ChurnParetoNBD: c.ParetoNBD.AUC}
	other := ChurnMBGNBD
	if DefaultChurnModel == ChurnMBGNBD {
		other = ChurnParetoNBD
	}
	if auc[other] > auc[DefaultChurnModel]+ChoiceMargin {
		return other
	}
	return DefaultChurnModel
}
