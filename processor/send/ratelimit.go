package send

import (
	"math"
	"sync"
	"time"
)

// sweepEvery is how often, at most, Admit drops forgotten reservations.
const sweepEvery = time.Minute

// maxStrikes bounds the doubling of the pause after 429s without a hint.
const maxStrikes = 30

// Limiter is one provider account's rate limits: a token bucket per sender
// within the account (SendGrid: one for the account's key; Twilio: one per
// From number or Messaging Service, whose throughput is what Twilio
// limits), and the account-wide pause a 429 answer starts.
//
// It never sleeps. Admit says how long a message must wait; the caller
// hands the message back to its queue for that long (the sender through
// ThrottledError and JetStream's NakWithDelay) and takes the next one, so
// one account's limits never hold up another account's messages. A message
// that must wait gets a reservation: its place in the bucket is kept under
// its id, and when it comes back at its time it goes without queueing
// again behind messages that arrived meanwhile. A backlog is spread at the
// bucket's rate, each message handed back once, instead of every message
// retrying at every refill.
//
// The state is in memory, per process: with several sender replicas each
// keeps its own buckets (see docs/senders.md). Safe for concurrent use.
type Limiter struct {
	cfg LimiterConfig

	mu          sync.Mutex
	buckets     map[string]*bucket
	reserved    map[string]time.Time // message id → its slot
	pausedUntil time.Time
	strikes     int // 429s without a hint since the last success
	swept       time.Time
}

// NewLimiter returns a Limiter, or an error when cfg is invalid.
func NewLimiter(cfg LimiterConfig) (*Limiter, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	return &Limiter{cfg: cfg, buckets: map[string]*bucket{}, reserved: map[string]time.Time{}}, nil
}

// Admit asks whether message id may go to the provider now through sender,
// taking cost tokens (at least 1) from the sender's bucket, which follows
// lim (its limit may change from call to call; the last one given holds).
// Zero means go now. Otherwise the message is given a reservation and the
// answer is how long until it: call Admit again for id after that long and
// it is let through without taking tokens again. While the account is
// paused every answer reaches at least the pause's end. An invalid lim
// (Rate not above zero) is an error.
func (l *Limiter) Admit(sender, id string, cost float64, lim Limit, now time.Time) (time.Duration, error) {
	lim, err := lim.withDefaults()
	if err != nil {
		return 0, err
	}
	if !(cost >= 1) { // also NaN
		cost = 1
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	if slot, ok := l.reserved[id]; ok {
		if now.Before(slot) {
			return slot.Sub(now), nil // back early: keep its place
		}
		delete(l.reserved, id)
		return 0, nil
	}
	b := l.buckets[sender]
	if b == nil {
		b = &bucket{lim: lim, tokens: lim.Burst, at: now}
		if l.pausedUntil.After(now) {
			b.pause(l.pausedUntil)
		}
		l.buckets[sender] = b
	}
	b.setLimit(lim)
	wait := b.take(now, cost)
	if wait <= 0 {
		return 0, nil
	}
	l.reserved[id] = now.Add(wait)
	return wait, nil
}

// Pause stops the whole account until until, when the provider answered
// 429 and said when to come back; a zero until (or one not after now) means
// it did not say, and the pause is MinPause doubled for each such 429 since
// the last success, jittered, up to MaxPause. Every bucket restarts at the
// pause's end with one token, so the first message after it is a probe and
// the rest follow at the rate; reservations are dropped, as their slots
// fell inside the pause. A 429 to a request sent before a pause in force
// began changes nothing. Pause returns when the pause ends.
func (l *Limiter) Pause(until, now time.Time) time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case until.After(now):
	case now.Before(l.pausedUntil):
		// A request sent before the pause began met the same limit: the
		// pause in force stands, and it is no new strike.
		until = l.pausedUntil
	default:
		d := l.cfg.MinPause
		for i := 0; i < l.strikes && d < l.cfg.MaxPause; i++ {
			d *= 2
		}
		d = min(d, l.cfg.MaxPause)
		d = d/2 + time.Duration(l.cfg.Rand()*float64(d-d/2))
		until = now.Add(d)
		l.strikes = min(l.strikes+1, maxStrikes)
	}
	if until.Sub(now) > l.cfg.MaxPause {
		until = now.Add(l.cfg.MaxPause)
	}
	if !until.After(l.pausedUntil) {
		return l.pausedUntil // the pause in force already covers it
	}
	l.pausedUntil = until
	for _, b := range l.buckets {
		b.pause(until)
	}
	clear(l.reserved)
	return until
}

// Succeeded notes that a message went through: the next 429 without a hint
// pauses for MinPause again.
func (l *Limiter) Succeeded() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.strikes = 0
}

// PausedUntil returns when the account's current or last pause ends (zero
// when it was never paused).
func (l *Limiter) PausedUntil() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.pausedUntil
}

// sweep drops reservations whose message did not come back within
// ReservationTTL of its slot. Call with mu held.
func (l *Limiter) sweep(now time.Time) {
	if now.Sub(l.swept) < sweepEvery {
		return
	}
	l.swept = now
	for id, slot := range l.reserved {
		if now.Sub(slot) > l.cfg.ReservationTTL {
			delete(l.reserved, id)
		}
	}
}

// bucket is a token bucket whose balance may go negative: the debt is the
// reservations handed out, paid back at the rate.
type bucket struct {
	lim    Limit
	tokens float64
	// at is when tokens was counted; after a pause it lies ahead, and the
	// bucket refills only from then.
	at time.Time
}

// take charges cost tokens and returns how long until the message may go:
// until the bucket holds cost tokens, or a full bucket when cost is more
// than it holds (a long SMS does not wait for a bucket it can never fill;
// the debt it leaves holds back the messages after it instead, as the
// provider's own pacing would).
func (b *bucket) take(now time.Time, cost float64) time.Duration {
	if now.After(b.at) {
		b.tokens = min(b.lim.Burst, b.tokens+now.Sub(b.at).Seconds()*b.lim.Rate)
		b.at = now
	}
	need := min(cost, b.lim.Burst)
	wait := b.at.Sub(now)
	if b.tokens < need {
		wait += seconds((need - b.tokens) / b.lim.Rate)
	}
	b.tokens -= cost
	return wait
}

// pause restarts the bucket at until with one token and no debt (the
// reservations it stood for are dropped with the pause). until is never
// before at: pauses only grow and at never passes the clock.
func (b *bucket) pause(until time.Time) {
	b.at = until
	b.tokens = min(1, b.lim.Burst)
}

// setLimit changes the bucket's limit, keeping at most a full bucket.
func (b *bucket) setLimit(lim Limit) {
	if lim != b.lim {
		b.lim = lim
		b.tokens = min(b.tokens, lim.Burst)
	}
}

// maxWait bounds one wait, so that a tiny rate and a deep debt cannot
// overflow a Duration.
const maxWait = 365 * 24 * time.Hour

// seconds converts s seconds to a Duration, at most maxWait.
func seconds(s float64) time.Duration {
	if s >= maxWait.Seconds() || math.IsNaN(s) {
		return maxWait
	}
	return time.Duration(s * float64(time.Second))
}
