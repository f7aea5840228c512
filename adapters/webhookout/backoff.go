package webhookout

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Backoff shape: the wait after attempt n is firstBackoff·2^(n-1) plus up to
// jitterFraction of it, capped at Config.MaxWait.
const (
	firstBackoff   = time.Second
	jitterFraction = 0.25
	// maxRetryAfter caps a Retry-After value: a receiver asking for more
	// than a day is treated as asking for a day.
	maxRetryAfter = 24 * time.Hour
)

// sleepCtx waits d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// backoff returns the wait after n failed attempts (n >= 1), before the cap.
// rnd is in [0, 1).
func backoff(n int, rnd float64) time.Duration {
	d := firstBackoff
	for i := 1; i < n && d < maxRetryAfter; i++ {
		d *= 2
	}
	return d + time.Duration(rnd*jitterFraction*float64(d))
}

// jitter is the default random source of backoff.
func jitter() float64 { return rand.Float64() }

// parseRetryAfter reads a Retry-After value (RFC 9110 10.2.3): delay-seconds
// or an HTTP-date, relative to now. It reports false for a missing,
// malformed, zero or past value; it caps the delay at maxRetryAfter.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if isDigits(v) {
		s, err := strconv.ParseUint(v, 10, 64)
		if err != nil || s > uint64(maxRetryAfter/time.Second) {
			// All digits but too large for uint64, or beyond the cap.
			return maxRetryAfter, true
		}
		if s == 0 {
			return 0, false
		}
		return time.Duration(s) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d := t.Sub(now)
	if d <= 0 {
		return 0, false
	}
	return min(d, maxRetryAfter), true
}

// isDigits reports whether s is one or more ASCII digits.
func isDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
