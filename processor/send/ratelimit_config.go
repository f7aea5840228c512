package send

import (
	"errors"
	"math/rand/v2"
	"time"
)

// Limit is a token bucket's rate and size.
type Limit struct {
	// Rate is the tokens added per second: Mail Send requests for SendGrid,
	// message segments for a Twilio sender. Must be above zero.
	Rate float64
	// Burst is the bucket's size: how many tokens may go at once after a
	// quiet spell. Default (zero): one second's worth, Rate, and at least 1.
	Burst float64
}

// withDefaults returns l with Burst filled in, or an error when Rate is not
// above zero.
func (l Limit) withDefaults() (Limit, error) {
	if !(l.Rate > 0) { // also refuses NaN
		return l, errors.New("rate limit: Rate must be above zero")
	}
	if l.Burst < 0 {
		return l, errors.New("rate limit: Burst cannot be negative")
	}
	if l.Burst == 0 {
		l.Burst = max(1, l.Rate)
	}
	return l, nil
}

// LimiterConfig configures a Limiter.
type LimiterConfig struct {
	// MinPause is how long an account is paused after a 429 that says
	// nothing about when to come back; each following 429 without a hint
	// doubles it (jittered to between half and all of it), up to MaxPause,
	// until a message goes through. Default 1 s.
	MinPause time.Duration
	// MaxPause caps any pause, a provider's far-off reset included.
	// Default 15 min.
	MaxPause time.Duration
	// ReservationTTL is how long past its slot a reservation waits for its
	// message before the limiter forgets it (the message went to another
	// replica, or was skipped on its return): the message, if it comes
	// back later, takes a new place. Default 10 min.
	ReservationTTL time.Duration
	// Rand returns a pseudo-random number in [0, 1) for jitter. Default
	// math/rand/v2's Float64.
	Rand func() float64
}

// fill applies the defaults and validates c.
func (c *LimiterConfig) fill() error {
	if c.MinPause == 0 {
		c.MinPause = time.Second
	}
	if c.MaxPause == 0 {
		c.MaxPause = 15 * time.Minute
	}
	if c.ReservationTTL == 0 {
		c.ReservationTTL = 10 * time.Minute
	}
	if c.MinPause < 0 || c.MaxPause < 0 || c.ReservationTTL < 0 {
		return errors.New("rate limiter: MinPause, MaxPause and ReservationTTL cannot be negative")
	}
	if c.MaxPause < c.MinPause {
		return errors.New("rate limiter: MaxPause cannot be shorter than MinPause")
	}
	if c.Rand == nil {
		c.Rand = rand.Float64
	}
	return nil
}
