package send

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.uber.org/zap"
)

// Account is one provider account messages go through: a SendGrid API
// key, a Twilio account or subaccount. Accounts implementations build one
// per account and hand out the same one every time.
type Account struct {
	// Key names the account in logs and errors: a short hash of its
	// credentials, never the credentials.
	Key string
	// Provider delivers through this account. It reports a 429 answer as a
	// *RateLimitError.
	Provider Provider
	// Limiter holds the account's rate limits.
	Limiter *Limiter
}

// Route is where one delivery goes and what it costs.
type Route struct {
	Account *Account
	// Sender is the bucket within the account the delivery counts
	// against: for Twilio the From number or Messaging Service, whose
	// throughput is what Twilio limits; "" for SendGrid (one per key).
	Sender string
	// Limit is the sender's rate and burst.
	Limit Limit
	// Cost is the tokens the delivery takes: its segments for SMS, 1 for
	// email.
	Cost float64
}

// Accounts picks the account a delivery goes through, from its shop's
// record: the shop's own account when it names one, else the role's global
// one. Implementations are safe for concurrent use. An error fails the
// delivery; wrap ErrPermanent (no account, bad settings) or ErrTemporary to
// say which.
type Accounts interface {
	Route(d *Delivery) (Route, error)
}

// RateLimitError is an account's Provider saying the provider answered 429:
// the request was not processed. Until is when the provider said to come
// back (SendGrid's X-RateLimit-Reset or Retry-After, Twilio's
// Retry-After); zero when it did not say.
type RateLimitError struct {
	Until time.Time
	Err   error
}

func (e *RateLimitError) Error() string {
	if e.Err == nil {
		return "rate limited by the provider"
	}
	return "rate limited by the provider: " + e.Err.Error()
}

// Unwrap returns ErrTemporary and the provider's error.
func (e *RateLimitError) Unwrap() []error { return []error{ErrTemporary, e.Err} }

// ThrottledError hands a message back to its queue until its account may
// take it: it wraps ErrTemporary, so the Sender releases the ledger claim
// and nothing is recorded, and its RetryAfter is the JetStream worker's
// redelivery delay (NakWithDelay), so the worker goes on with other
// messages meanwhile.
type ThrottledError struct {
	// Account is the account's Key.
	Account string
	// After is how long until the message's reservation or the end of the
	// account's pause.
	After time.Duration
	// Err is the provider's 429, when that is the cause.
	Err error
}

func (e *ThrottledError) Error() string {
	msg := fmt.Sprintf("account %s is rate limited: retry in %s", e.Account, e.After)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns ErrTemporary and the cause, if any.
func (e *ThrottledError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrTemporary}
	}
	return []error{ErrTemporary, e.Err}
}

// RetryAfter implements the JetStream worker's retry contract.
func (e *ThrottledError) RetryAfter() time.Duration { return e.After }

// RouterConfig configures a Router.
type RouterConfig struct {
	// Accounts resolves each delivery's account. Required.
	Accounts Accounts
	// Now is the limiters' clock. Default time.Now.
	Now func() time.Time
	// Logger. Default zap.NewNop().
	Logger *zap.Logger
}

// Router is a Provider that delivers each message through its shop's
// provider account, within the account's rate limits. A message the
// account cannot take now (no token, or paused after a 429) fails at once
// with a *ThrottledError instead of waiting: the Sender releases its
// ledger claim and the worker hands it back to JetStream for that long.
// The claim is therefore never held across a wait, and a worker never
// sleeps for one account while other accounts' messages are queued.
type Router struct {
	cfg RouterConfig
}

var _ Provider = (*Router)(nil)

// NewRouter returns a Router, or an error when cfg is incomplete.
func NewRouter(cfg RouterConfig) (*Router, error) {
	if cfg.Accounts == nil {
		return nil, errors.New("router: Accounts is required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = zap.NewNop()
	}
	return &Router{cfg: cfg}, nil
}

// Deliver implements Provider.
func (r *Router) Deliver(ctx context.Context, d *Delivery) (string, error) {
	route, err := r.cfg.Accounts.Route(d)
	if err != nil {
		return "", err
	}
	acct := route.Account
	if acct == nil || acct.Provider == nil || acct.Limiter == nil {
		return "", fmt.Errorf("%w: shop %s: no %s account", ErrPermanent, d.Cmd.Shop, d.Cmd.Channel)
	}
	wait, err := acct.Limiter.Admit(route.Sender, d.Cmd.ID, route.Cost, route.Limit, r.cfg.Now())
	if err != nil {
		return "", fmt.Errorf("%w: shop %s: account %s: %w", ErrPermanent, d.Cmd.Shop, acct.Key, err)
	}
	if wait > 0 {
		return "", &ThrottledError{Account: acct.Key, After: wait}
	}
	id, err := acct.Provider.Deliver(ctx, d)
	if err == nil {
		acct.Limiter.Succeeded()
		return id, nil
	}
	if rl, ok := errors.AsType[*RateLimitError](err); ok {
		now := r.cfg.Now()
		until := acct.Limiter.Pause(rl.Until, now)
		r.cfg.Logger.Warn("provider account rate limited: paused",
			zap.String("account", acct.Key), zap.String("shop", d.Cmd.Shop), zap.String("channel", d.Cmd.Channel),
			zap.Time("until", until), zap.Bool("provider_said_when", !rl.Until.IsZero()))
		return "", &ThrottledError{Account: acct.Key, After: max(until.Sub(now), time.Millisecond), Err: err}
	}
	return "", err
}
