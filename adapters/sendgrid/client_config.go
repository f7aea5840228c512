package sendgrid

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"go.uber.org/zap"
)

// DefaultBaseURL is SendGrid's API host.
const DefaultBaseURL = "https://api.sendgrid.com"

// Config configures a Client.
type Config struct {
	// APIKey is the SendGrid API key, sent as a bearer token. Required.
	APIKey string
	// BaseURL is the API host, without a path. Default DefaultBaseURL
	// (https://api.sendgrid.com); EU subusers use https://api.eu.sendgrid.com;
	// tests point it at a local server.
	BaseURL string
	// HTTPClient sends the requests. Default: a client of our own with a
	// 10 s timeout (never sendgrid-go's shared DefaultClient, which has none).
	HTTPClient *http.Client
	// MaxAttempts bounds the requests per Send, the first included.
	// Default 4.
	MaxAttempts int
	// Backoff is the wait before the first retry; each later retry doubles
	// it, and each wait is jittered to between half and all of its value.
	// Default 500 ms.
	Backoff time.Duration
	// MaxWait bounds the total time one Send spends waiting between
	// attempts. A wait that would exceed it (such as a far X-RateLimit-Reset)
	// ends the Send with ErrTemporary instead. Default 30 s.
	MaxWait time.Duration
	// Sleep waits d or until ctx ends, returning ctx's error then.
	// Default: a timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock, used for X-RateLimit-Reset. Default time.Now.
	Now func() time.Time
	// Logger. Default zap.NewNop().
	Logger *zap.Logger
}

// DefaultHTTPTimeout is the timeout of the default HTTP client.
const DefaultHTTPTimeout = 10 * time.Second

func (c *Config) fill() error {
	if strings.TrimSpace(c.APIKey) == "" {
		return errors.New("sendgrid: APIKey is required")
	}
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("sendgrid: BaseURL must be an absolute http(s) URL")
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: DefaultHTTPTimeout}
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = 4
	}
	if c.MaxAttempts < 0 {
		return errors.New("sendgrid: MaxAttempts cannot be negative")
	}
	if c.Backoff == 0 {
		c.Backoff = 500 * time.Millisecond
	}
	if c.Backoff < 0 {
		return errors.New("sendgrid: Backoff cannot be negative")
	}
	if c.MaxWait == 0 {
		c.MaxWait = 30 * time.Second
	}
	if c.MaxWait < 0 {
		return errors.New("sendgrid: MaxWait cannot be negative")
	}
	if c.Sleep == nil {
		c.Sleep = sleep
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = zap.NewNop()
	}
	return nil
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
