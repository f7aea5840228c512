package recommend

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Defaults of Config.
const (
	DefaultNeighbours = 50
	DefaultMinSupport = 2
	DefaultShrink     = 100
	DefaultDamping    = 0.6
	DefaultWindow     = 90 * 24 * time.Hour
)

// maxNeighbours bounds Config.Neighbours (and what a binary model may claim).
const maxNeighbours = 10_000

// Config sets up a Model. The zero value gives the defaults, which beat the
// baselines of both reference data sets (docs/recommendations.md).
type Config struct {
	// Neighbours is how many most similar products each product keeps. The
	// recommender sums over these only and the binary form stores only these
	// pairs. Default 50.
	Neighbours int
	// MinSupport is the support floor: two products are neighbours only when
	// bought together in at least this many orders. Default 2.
	MinSupport int
	// Shrink is λ of the shrinkage factor c_ij/(c_ij+λ). Default 100.
	Shrink float64
	// Damping is δ, the exponent of the popularity damping 1/c_j^δ, in (0, 1].
	// Default 0.6.
	Damping float64
	// Window is the popularity window, in whole days, ending on the newest
	// order's day (UTC). Default 90 days.
	Window time.Duration
}

// withDefaults fills the zero fields and validates the result.
func (c Config) withDefaults() (Config, error) {
	if c.Neighbours == 0 {
		c.Neighbours = DefaultNeighbours
	}
	if c.MinSupport == 0 {
		c.MinSupport = DefaultMinSupport
	}
	if c.Shrink == 0 {
		c.Shrink = DefaultShrink
	}
	if c.Damping == 0 {
		c.Damping = DefaultDamping
	}
	if c.Window == 0 {
		c.Window = DefaultWindow
	}
	var errs []error
	if c.Neighbours < 1 || c.Neighbours > maxNeighbours {
		errs = append(errs, fmt.Errorf("neighbours %d: want 1 to %d", c.Neighbours, maxNeighbours))
	}
	if c.MinSupport < 1 || c.MinSupport > math.MaxUint32 {
		errs = append(errs, fmt.Errorf("min support %d: want at least 1", c.MinSupport))
	}
	if !(c.Shrink > 0) || math.IsInf(c.Shrink, 0) {
		errs = append(errs, fmt.Errorf("shrink %v: want a positive number", c.Shrink))
	}
	if !(c.Damping > 0 && c.Damping <= 1) {
		errs = append(errs, fmt.Errorf("damping %v: want (0, 1]", c.Damping))
	}
	if c.Window < 24*time.Hour || c.Window%(24*time.Hour) != 0 || c.Window > 3660*24*time.Hour {
		errs = append(errs, fmt.Errorf("window %v: want whole days, 1 to 3660", c.Window))
	}
	if err := errors.Join(errs...); err != nil {
		return c, fmt.Errorf("recommend config: %w", err)
	}
	return c, nil
}

// windowDays is the popularity window in days.
func (c Config) windowDays() int64 { return int64(c.Window / (24 * time.Hour)) }

// Weight is how strongly buying query recommends candidate: confidence
// (co / countQuery), damped by the candidate's own popularity
// (countCandidate^Damping) and shrunk for rare pairs (co / (co + Shrink)).
// Pairs under MinSupport weigh nothing. The engine's Redis-held counts use
// the same rule as Model.
func Weight(cfg Config, co, countQuery, countCandidate int64) float64 {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return 0
	}
	if co < int64(cfg.MinSupport) || countQuery <= 0 || countCandidate <= 0 {
		return 0
	}
	c := float64(co)
	return c / float64(countQuery) / math.Pow(float64(countCandidate), cfg.Damping) * (c / (c + cfg.Shrink))
}
