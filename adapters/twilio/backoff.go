package twilio

import (
	"context"
	"math/rand/v2"
	"time"
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

// randFloat is the default jitter source.
func randFloat() float64 { return rand.Float64() }

// backoff returns the wait before attempt n+1 after n failed attempts
// (n >= 1): base·2^(n-1), capped at limit, then jittered into [d/2, d).
func backoff(base, limit time.Duration, n int, rnd func() float64) time.Duration {
	d := base
	for i := 1; i < n && d < limit; i++ {
		d *= 2
	}
	d = min(d, limit)
	half := d / 2
	return half + time.Duration(rnd()*float64(d-half))
}
