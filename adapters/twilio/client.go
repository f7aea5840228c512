package twilio

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/twilio/twilio-go/client"
	api "github.com/twilio/twilio-go/rest/api/v2010"
	"go.uber.org/zap"
)

// Client sends SMS through Twilio. It is safe for concurrent use.
type Client struct {
	cfg    Config
	target *url.URL
}

// New returns a Client, or an error when cfg is incomplete or invalid.
func New(cfg Config) (*Client, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	target, err := url.Parse(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("twilio: BaseURL: %w", err)
	}
	target.Path = trimSlash(target.Path)
	return &Client{cfg: cfg, target: target}, nil
}

// Send creates m at Twilio and returns once Twilio accepted it (201).
//
// Answers 429 (or code 20429) and 5xx, and connections that failed before
// the request was written, are retried up to Config.MaxAttempts with
// jittered exponential backoff (a 429's Retry-After, in seconds, lengthens
// the wait up to Config.MaxBackoff); when every attempt fails so the error
// wraps ErrTemporary. Code 21610 gives ErrUnsubscribed, 21211 and 21614
// ErrInvalidNumber, any other 4xx ErrPermanent; these wrap an *Error
// carrying Twilio's status, code and message. A transport failure after the
// request was written (a timeout, a reset, ctx cancelled mid-request) gives
// ErrAmbiguous and is not retried: Twilio has no idempotency key.
//
// ctx bounds the whole call, backoff waits included, and each attempt is
// further bounded by Config.HTTPClient's Timeout. ctx reaches the HTTP
// exchange itself (twilio-go has no context parameter; the client swaps the
// context in at the transport), so cancellation aborts a request in flight.
// What it cannot reach: twilio-go's own work around the request (building
// the form, decoding the JSON of a body already read), which does no I/O,
// and the server side, where a request already received may still create
// the message.
func (c *Client) Send(ctx context.Context, m *SMS) (*Result, error) {
	if m == nil {
		return nil, fmt.Errorf("twilio: nil sms: %w", ErrPermanent)
	}
	if err := m.validate(); err != nil {
		return nil, fmt.Errorf("twilio: message %s: %w", m.MessageID, err)
	}
	callback, err := m.statusCallback(c.cfg.StatusCallback)
	if err != nil {
		return nil, fmt.Errorf("twilio: message %s: %w: %w", m.MessageID, ErrPermanent, err)
	}
	params := &api.CreateMessageParams{}
	params.SetTo(m.To).SetBody(m.Body)
	if m.From != "" {
		params.SetFrom(m.From)
	}
	if m.MessagingServiceSID != "" {
		params.SetMessagingServiceSid(m.MessagingServiceSID)
	}
	if callback != "" {
		params.SetStatusCallback(callback)
	}

	log := c.cfg.Logger
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("twilio: message %s: not sent: %w: %w", m.MessageID, ErrTemporary, err)
		}
		start := c.cfg.Now()
		o := c.attempt(ctx, params)
		fields := []zap.Field{
			zap.String("message_id", m.MessageID), zap.Int("attempt", attempt),
			zap.Duration("took", c.cfg.Now().Sub(start)),
		}
		switch {
		case o.err == nil:
			o.res.Attempts = attempt
			if o.res.SID == "" {
				log.Warn("twilio answered 201 with an unreadable body; the message exists but its sid is unknown", fields...)
			}
			log.Debug("twilio accepted message", append(fields, zap.String("sid", o.res.SID), zap.String("status", o.res.Status))...)
			return o.res, nil
		case !o.retry:
			log.Info("twilio send failed", append(fields, zap.Error(o.err))...)
			return nil, fmt.Errorf("twilio: message %s: %w", m.MessageID, o.err)
		case attempt >= c.cfg.MaxAttempts:
			log.Info("twilio send failed on every attempt", append(fields, zap.Error(o.err))...)
			return nil, fmt.Errorf("twilio: message %s: %d attempts: %w: %w", m.MessageID, attempt, ErrTemporary, o.err)
		}
		wait := backoff(c.cfg.Backoff, c.cfg.MaxBackoff, attempt, c.cfg.Rand)
		wait = max(wait, min(o.retryAfter, c.cfg.MaxBackoff))
		log.Debug("twilio send retried", append(fields, zap.Duration("wait", wait), zap.Error(o.err))...)
		if err := c.cfg.Sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("twilio: message %s: not sent after %d attempts: %w: %w: %w", m.MessageID, attempt, ErrTemporary, err, o.err)
		}
	}
}

// outcome is one attempt's result.
type outcome struct {
	res        *Result
	err        error // nil on success
	retry      bool  // err is worth another attempt
	retryAfter time.Duration
}

// attempt makes one request and classifies what came back.
func (c *Client) attempt(ctx context.Context, params *api.CreateMessageParams) outcome {
	actx := ctx
	if t := c.cfg.HTTPClient.Timeout; t > 0 {
		var cancel context.CancelFunc
		actx, cancel = context.WithTimeout(ctx, t)
		defer cancel()
	}
	obs := &observation{}
	base := &client.Client{
		Credentials: client.NewCredentials(c.cfg.AccountSID, c.cfg.AuthToken),
		HTTPClient:  attemptClient(actx, c.cfg.HTTPClient, c.target, obs),
	}
	base.SetAccountSid(c.cfg.AccountSID)
	msg, err := api.NewApiServiceWithClient(base).CreateMessage(params)
	status, retryAfter := obs.answer()
	return classify(msg, err, status, obs.sent(), retryAfter)
}

// classify maps one attempt to an outcome. status is the HTTP status seen
// (0 for none), sent whether the request headers were written.
func classify(msg *api.ApiV2010Message, err error, status int, sent bool, retryAfter time.Duration) outcome {
	if err == nil {
		return outcome{res: resultOf(msg)}
	}
	if tre, ok := errors.AsType[*client.TwilioRestError](err); ok {
		e := &Error{Status: tre.Status, Code: tre.Code, Message: tre.Message}
		if e.Status == 0 {
			e.Status = status
		}
		return fromAPIError(e, retryAfter)
	}
	if status >= 200 && status < 300 {
		// Created, but the body could not be read: the message exists.
		return outcome{res: &Result{}}
	}
	if status != 0 {
		// An error answer twilio-go could not decode (an HTML 502 from a
		// proxy, say): classify by status alone.
		return fromAPIError(&Error{Status: status, Message: err.Error()}, retryAfter)
	}
	if sent {
		return outcome{err: fmt.Errorf("%w: %w", ErrAmbiguous, err)}
	}
	// The request never left: a refused connection, a DNS failure, or the
	// context ended first (Send then stops before the next attempt).
	return outcome{err: fmt.Errorf("not sent: %w", err), retry: true}
}

// fromAPIError turns an error answer into an outcome.
func fromAPIError(e *Error, retryAfter time.Duration) outcome {
	if e.retryable() {
		return outcome{err: e, retry: true, retryAfter: retryAfter}
	}
	return outcome{err: fmt.Errorf("%w: %w", e.sentinel(), e)}
}

// resultOf reads the fields Result keeps from Twilio's message.
func resultOf(msg *api.ApiV2010Message) *Result {
	r := &Result{}
	if msg == nil {
		return r
	}
	if msg.Sid != nil {
		r.SID = *msg.Sid
	}
	if msg.Status != nil {
		r.Status = *msg.Status
	}
	return r
}

// trimSlash drops trailing slashes from a path prefix.
func trimSlash(p string) string {
	for len(p) > 0 && p[len(p)-1] == '/' {
		p = p[:len(p)-1]
	}
	return p
}
