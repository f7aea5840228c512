// Package abtest decides split tests. The rule (docs/flows.md): once every
// arm has at least MinSample sends, the arm with the best conversion rate
// wins when the probability that it beats each other arm is at least
// Confidence — Klaviyo's bar, 500 per arm and 90 %, by default. Each arm's
// rate is a Beta(1 + conversions, 1 + sends − conversions) posterior,
// approximated by a normal distribution (the arms are large by then), so
// P(A beats B) = Φ((μA − μB) / √(σA² + σB²)). Looking again after every
// conversion is peeking; the high sample floor and the 90 % bar on every
// pairwise comparison keep the false-winner rate low, and a decision, once
// made, stands.
package abtest

import (
	"math"
	"sort"
)

// Defaults of the rule.
const (
	DefaultMinSample  = 500
	DefaultConfidence = 0.9
)

// Arm is one path's figures.
type Arm struct {
	Name        string  `json:"name"`
	Sends       int64   `json:"sends"`
	Conversions int64   `json:"conversions"`
	Rate        float64 `json:"rate"`
	// PBest is the smallest probability that this arm beats another.
	PBest float64 `json:"p_best"`
}

// Decision is the rule's outcome.
type Decision struct {
	Winner string  `json:"winner"`
	Arms   []Arm   `json:"arms"`
	Rule   string  `json:"rule"`
	PBest  float64 `json:"p_best"`
}

// Decide applies the rule to the arms. ok is false while it cannot decide.
func Decide(arms []Arm, minSample int64, confidence float64) (Decision, bool) {
	if minSample <= 0 {
		minSample = DefaultMinSample
	}
	if confidence <= 0 || confidence >= 1 {
		confidence = DefaultConfidence
	}
	d := Decision{Rule: ruleText(minSample, confidence)}
	if len(arms) < 2 {
		return d, false
	}
	out := make([]Arm, len(arms))
	copy(out, arms)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	for i := range out {
		if out[i].Sends < minSample {
			d.Arms = out
			return d, false
		}
		out[i].Rate = float64(out[i].Conversions) / float64(out[i].Sends)
	}
	for i := range out {
		pmin := 1.0
		for j := range out {
			if i != j {
				pmin = math.Min(pmin, beats(out[i], out[j]))
			}
		}
		out[i].PBest = pmin
	}
	d.Arms = out
	best := 0
	for i := range out {
		if out[i].PBest > out[best].PBest {
			best = i
		}
	}
	d.PBest = out[best].PBest
	if out[best].PBest < confidence {
		return d, false
	}
	d.Winner = out[best].Name
	return d, true
}

// beats is P(rate a > rate b) under the normal approximation of the Beta
// posteriors.
func beats(a, b Arm) float64 {
	ma, va := beta(a)
	mb, vb := beta(b)
	return 0.5 * math.Erfc(-(ma-mb)/math.Sqrt(2*(va+vb)))
}

// beta is the mean and variance of Beta(1 + c, 1 + n − c).
func beta(a Arm) (mean, variance float64) {
	al := 1 + float64(a.Conversions)
	be := 1 + float64(a.Sends-a.Conversions)
	s := al + be
	return al / s, al * be / (s * s * (s + 1))
}

func ruleText(minSample int64, confidence float64) string {
	return "every arm has at least " + itoa(minSample) + " sends and the best beats each other arm with probability ≥ " +
		ftoa(confidence) + " (Beta posteriors, normal approximation)"
}

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

func ftoa(f float64) string {
	pct := int64(math.Round(f * 100))
	return itoa(pct) + " %"
}
