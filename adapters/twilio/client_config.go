package twilio

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"time"

	"go.uber.org/zap"
)

// DefaultBaseURL is Twilio's REST API host.
const DefaultBaseURL = "https://api.twilio.com"

// credentialRe is what twilio-go accepts in Basic-auth credentials; anything
// else fails locally with codes 21222/21224 before a request is made.
var credentialRe = regexp.MustCompile(`^[A-Za-z0-9]+$`)

// Config configures a Client.
type Config struct {
	// AccountSID is the Twilio account (AC…), used as the Basic-auth user
	// and in the request path. Required; letters and digits only.
	AccountSID string
	// AuthToken is the account's auth token. Required; letters and digits
	// only. Never logged.
	AuthToken string
	// BaseURL is where requests go, scheme and host with an optional path
	// prefix. Default DefaultBaseURL; tests point it at an httptest server.
	BaseURL string
	// HTTPClient makes the requests. Its Transport (default
	// http.DefaultTransport) and Timeout are used; its redirect policy is
	// replaced by one that never follows redirects, as twilio-go's own.
	// Default: a client with a 10 s timeout.
	HTTPClient *http.Client
	// StatusCallback is the URL Twilio posts status changes to, normally
	// the public URL of the Webhook (https://app.example/webhooks/twilio).
	// The client appends the message's ids to it (see SMS). Optional: no
	// status callbacks when empty and the SMS names none.
	StatusCallback string
	// MaxAttempts bounds the attempts per message, counting the first.
	// Default 4.
	MaxAttempts int
	// Backoff is the base delay before the second attempt; later attempts
	// double it, up to MaxBackoff, each with jitter (a uniformly random
	// delay between half and all of it). Default 500 ms.
	Backoff time.Duration
	// MaxBackoff caps one delay. Default 8 s.
	MaxBackoff time.Duration
	// Sleep waits d or until ctx is done, returning ctx's error then.
	// Default: a timer-based wait.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock, used to time attempts in logs. Default time.Now.
	Now func() time.Time
	// Rand returns a pseudo-random number in [0, 1) for jitter. Default
	// math/rand/v2's Float64.
	Rand func() float64
	// Logger. Default zap.NewNop().
	Logger *zap.Logger
}

// fill applies defaults and validates c.
func (c *Config) fill() error {
	if c.AccountSID == "" {
		return errors.New("twilio: AccountSID is required")
	}
	if !credentialRe.MatchString(c.AccountSID) {
		return errors.New("twilio: AccountSID must be letters and digits only")
	}
	if c.AuthToken == "" {
		return errors.New("twilio: AuthToken is required")
	}
	if !credentialRe.MatchString(c.AuthToken) {
		return errors.New("twilio: AuthToken must be letters and digits only")
	}
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil {
		return fmt.Errorf("twilio: BaseURL: %w", err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("twilio: BaseURL %q needs an http or https scheme and a host", c.BaseURL)
	}
	if c.StatusCallback != "" {
		cb, err := url.Parse(c.StatusCallback)
		if err != nil {
			return fmt.Errorf("twilio: StatusCallback: %w", err)
		}
		if !cb.IsAbs() || cb.Host == "" {
			return fmt.Errorf("twilio: StatusCallback %q must be an absolute URL", c.StatusCallback)
		}
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = 4
	}
	if c.MaxAttempts < 0 {
		return errors.New("twilio: MaxAttempts cannot be negative")
	}
	if c.Backoff == 0 {
		c.Backoff = 500 * time.Millisecond
	}
	if c.MaxBackoff == 0 {
		c.MaxBackoff = 8 * time.Second
	}
	if c.Backoff < 0 || c.MaxBackoff < 0 {
		return errors.New("twilio: Backoff and MaxBackoff cannot be negative")
	}
	if c.Sleep == nil {
		c.Sleep = sleepCtx
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Rand == nil {
		c.Rand = randFloat
	}
	if c.Logger == nil {
		c.Logger = zap.NewNop()
	}
	return nil
}
