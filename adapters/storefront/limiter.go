package storefront

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// sweepEvery is how often idle limiters are dropped, at most.
const sweepEvery = time.Minute

// limiters holds one token bucket per key (a client IP, a public key) on
// the injected clock. A bucket idle long enough to have refilled is the
// same as a new one, so sweeping it changes nothing but memory.
type limiters struct {
	limit rate.Limit
	burst int
	// idle is how long a bucket takes to refill from empty.
	idle time.Duration

	mu        sync.Mutex
	buckets   map[string]*bucket
	lastSweep time.Time
}

type bucket struct {
	lim  *rate.Limiter
	last time.Time
}

func newLimiters(limit rate.Limit, burst int) *limiters {
	l := &limiters{limit: limit, burst: burst, buckets: map[string]*bucket{}}
	if limit != rate.Inf && limit > 0 {
		l.idle = time.Duration(float64(burst) / float64(limit) * float64(time.Second))
	}
	return l
}

// allow takes one token for key at now. When none is left it reports
// false and how long until one is.
func (l *limiters) allow(key string, now time.Time) (bool, time.Duration) {
	if l.limit == rate.Inf {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	b := l.buckets[key]
	if b == nil {
		b = &bucket{lim: rate.NewLimiter(l.limit, l.burst)}
		l.buckets[key] = b
	}
	b.last = now
	r := b.lim.ReserveN(now, 1)
	if !r.OK() {
		return false, time.Second
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// sweep drops buckets idle for longer than a refill, once a sweepEvery.
func (l *limiters) sweep(now time.Time) {
	if now.Sub(l.lastSweep) < sweepEvery {
		return
	}
	l.lastSweep = now
	for k, b := range l.buckets {
		if now.Sub(b.last) >= l.idle {
			delete(l.buckets, k)
		}
	}
}

// size is the number of buckets held (for tests).
func (l *limiters) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}
