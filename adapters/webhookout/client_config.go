package webhookout

import (
	"context"
	"net/http"
	"time"

	"go.uber.org/zap"
)

// DefaultUserAgent is the User-Agent of every request unless
// Config.UserAgent says otherwise.
const DefaultUserAgent = "Boomerang-Webhooks/1"

// Config configures a Client. The zero value is ready to use.
type Config struct {
	// HTTPClient makes the requests. Its Transport, Timeout and Jar are
	// used; its redirect policy is replaced by one that follows no redirect
	// at all (a 3xx answer is a permanent failure). Default: a client with a
	// 10 s timeout over http.DefaultTransport.
	HTTPClient *http.Client
	// MaxAttempts bounds the requests inside one Deliver call, counting the
	// first. Default 3.
	MaxAttempts int
	// Sleep waits d or until ctx is done, returning ctx's error then. The
	// waits between attempts are 1 s, 2 s, 4 s, … plus up to a quarter
	// more of jitter, capped at MaxWait, and stretched to a 429's or 503's
	// Retry-After. Default: a timer-based wait honouring ctx.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock: signature timestamps, HTTP-date Retry-After values
	// and log timings. Default time.Now.
	Now func() time.Time
	// UserAgent is sent on every request. Default DefaultUserAgent.
	UserAgent string
	// MaxWait is the longest wait between attempts. A Retry-After longer
	// than that ends Deliver at once with ErrTemporary, and RetryAfter(err)
	// reports it, so the caller waits outside the call. Default 30 s.
	MaxWait time.Duration
	// Logger. Default zap.NewNop().
	Logger *zap.Logger
}

// withDefaults returns c with every unset field filled; nonsensical values
// (a negative MaxAttempts, say) count as unset.
func (c Config) withDefaults() Config {
	hc := &http.Client{Timeout: 10 * time.Second}
	if c.HTTPClient != nil {
		copied := *c.HTTPClient
		hc = &copied
	}
	hc.CheckRedirect = noRedirect
	c.HTTPClient = hc
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 3
	}
	if c.Sleep == nil {
		c.Sleep = sleepCtx
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.UserAgent == "" {
		c.UserAgent = DefaultUserAgent
	}
	if c.MaxWait <= 0 {
		c.MaxWait = 30 * time.Second
	}
	if c.Logger == nil {
		c.Logger = zap.NewNop()
	}
	return c
}

// noRedirect hands the 3xx answer back instead of following it.
func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
