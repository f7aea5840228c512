package cli

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/boomerang-dev/boomerang/adapters/sendgrid"
)

// Default per-account rate limits (docs/senders.md, "Per-shop accounts and
// rate limits"); a shop's email.sendgrid_rate and sms.throughput replace
// them for its own key and its own sender.
const (
	// defaultSendGridRate is the Mail Send requests per second one API key
	// takes. SendGrid publishes no Mail Send limit (its 600 requests a
	// minute is for the other endpoints, and Mail Send answers usually carry
	// no X-RateLimit headers, sendgrid-go#105), so this is a guard that
	// smooths bursts rather than a known quota; a 429 pauses the key until
	// the reset SendGrid gives, or backs off when it gives none.
	defaultSendGridRate = 100.0
	// defaultSMSThroughput is the message segments per second one Twilio
	// sender takes: a US long code's one segment a second, the slowest
	// common sender (toll-free numbers start at 3, short codes at 100, and a
	// Messaging Service has the sum of its senders').
	defaultSMSThroughput = 1.0
)

// Retry-After is the standard header; SendGrid's reset is
// sendgrid.HeaderRateLimitReset.
const headerRetryAfter = "Retry-After"

// maxRetryHint bounds the wait a header may ask for; the limiter clamps
// pauses further (send.LimiterConfig.MaxPause).
const maxRetryHint = 24 * time.Hour

// retryAt reads when a 429 answer says to come back: Retry-After (seconds,
// or an HTTP date) and X-RateLimit-Reset (SendGrid: unix seconds), the
// later of those that lie ahead of now, at most a day ahead. Zero when
// neither says anything usable: the limiter then backs off on its own.
func retryAt(h http.Header, now time.Time) time.Time {
	var at time.Time
	consider := func(t time.Time) {
		if t.After(now) && t.After(at) {
			at = t
		}
	}
	if v := strings.TrimSpace(h.Get(headerRetryAfter)); v != "" {
		if s, err := strconv.ParseInt(v, 10, 64); err == nil {
			if s > 0 {
				consider(now.Add(time.Duration(min(s, int64(maxRetryHint/time.Second))) * time.Second))
			}
		} else if t, err := http.ParseTime(v); err == nil {
			consider(t)
		}
	}
	if v := strings.TrimSpace(h.Get(sendgrid.HeaderRateLimitReset)); v != "" {
		if s, err := strconv.ParseInt(v, 10, 64); err == nil && s > now.Unix() {
			consider(time.Unix(min(s, now.Add(maxRetryHint).Unix()), 0))
		}
	}
	if at.Sub(now) > maxRetryHint {
		at = now.Add(maxRetryHint)
	}
	return at
}

// observation is what observingTransport saw of a provider call's last
// answer: its headers, which the adapters' errors do not carry (SendGrid's
// reset, Twilio's Retry-After).
type observation struct {
	mu     sync.Mutex
	header http.Header
}

// headers returns the last answer's headers, nil when none came.
func (o *observation) headers() http.Header {
	if o == nil {
		return nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.header
}

type observationKey struct{}

// observe returns a context whose provider requests are observed into the
// returned observation (when they go through observingTransport).
func observe(ctx context.Context) (context.Context, *observation) {
	o := &observation{}
	return context.WithValue(ctx, observationKey{}, o), o
}

// observingTransport records each answer into the observation its
// request's context carries. Both adapters hand the caller's context to
// their requests (twilio-go's own is swapped at the transport), so the
// value reaches here.
type observingTransport struct{ next http.RoundTripper }

func (t observingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	res, err := t.next.RoundTrip(r)
	if res != nil {
		if o, ok := r.Context().Value(observationKey{}).(*observation); ok {
			o.mu.Lock()
			o.header = res.Header.Clone()
			o.mu.Unlock()
		}
	}
	return res, err
}
