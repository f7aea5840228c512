package shopify

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"go.uber.org/zap"
)

// Defaults of Config.
const (
	// DefaultStateTTL is how long an install's state waits for its callback.
	DefaultStateTTL = 10 * time.Minute
	// DefaultTolerance is how far an install or callback timestamp may be
	// from the clock, either way.
	DefaultTolerance = 5 * time.Minute
)

// Config configures the install handlers Mount adds.
type Config struct {
	// Client calls the shops' token endpoint and Admin API; its APISecret
	// checks the query HMACs and its clock the timestamps. Required.
	Client *Client
	// PublicURL is BOOMERANG_PUBLIC_URL, the server's public base. The
	// redirect URI is PublicURL + CallbackPath; it must be listed in the
	// app's allowed redirection URLs. Required.
	PublicURL string
	// WebhookURL is where the shop's webhooks are delivered. Default
	// PublicURL + WebhookPath.
	WebhookURL string
	// Scopes are the access scopes asked for; a grant missing one is
	// refused. Default DefaultScopes.
	Scopes []string
	// States keeps the single-use states. Required.
	States States
	// Tokens stores the shop's token. Required.
	Tokens TokenStore
	// Saver saves the installed shop. Required.
	Saver Saver
	// SkipWebhooks leaves the webhook subscriptions alone at install (for
	// a deployment that subscribes them elsewhere). Default false.
	SkipWebhooks bool
	// StateTTL is how long a state lives. Default DefaultStateTTL (10 min).
	StateTTL time.Duration
	// Tolerance is how far the timestamp of a query may be from the clock.
	// Default DefaultTolerance (5 min).
	Tolerance time.Duration
	// Logger. Default the Client's.
	Logger *zap.Logger
}

func (c *Config) fill() error {
	switch {
	case c.Client == nil:
		return errors.New("shopify: Config.Client is required")
	case c.Client.cfg.AdminOnly:
		return errors.New("shopify: the install needs a Client with the app's credentials, not an AdminOnly one")
	case c.States == nil:
		return errors.New("shopify: Config.States is required")
	case c.Tokens == nil:
		return errors.New("shopify: Config.Tokens is required")
	case c.Saver == nil:
		return errors.New("shopify: Config.Saver is required")
	}
	base, err := checkBase(c.PublicURL)
	if err != nil {
		return fmt.Errorf("shopify: PublicURL (BOOMERANG_PUBLIC_URL) %q: %w", c.PublicURL, err)
	}
	c.PublicURL = base
	if c.WebhookURL == "" {
		c.WebhookURL = base + WebhookPath
	}
	if _, err := checkBase(c.WebhookURL); err != nil {
		return fmt.Errorf("shopify: WebhookURL %q: %w", c.WebhookURL, err)
	}
	if len(c.Scopes) == 0 {
		c.Scopes = DefaultScopes
	}
	for _, s := range c.Scopes {
		if s == "" || strings.ContainsAny(s, ", ") {
			return fmt.Errorf("shopify: scope %q is empty or holds a comma or space", s)
		}
	}
	if c.StateTTL == 0 {
		c.StateTTL = DefaultStateTTL
	}
	if c.Tolerance == 0 {
		c.Tolerance = DefaultTolerance
	}
	if c.StateTTL < 0 || c.Tolerance < 0 {
		return errors.New("shopify: StateTTL and Tolerance must be positive")
	}
	if c.Logger == nil {
		c.Logger = c.Client.cfg.Logger
	}
	return nil
}
