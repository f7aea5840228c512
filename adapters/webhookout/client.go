package webhookout

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"go.uber.org/zap"
)

// maxResponseBody is how much of an answer's body is read (and discarded)
// so the connection can be reused; the rest is dropped with the connection.
const maxResponseBody = 64 << 10

// Client delivers webhooks. It is safe for concurrent use.
type Client struct {
	cfg Config
}

// New returns a Client; unset fields of cfg take their defaults.
func New(cfg Config) *Client {
	return &Client{cfg: cfg.withDefaults()}
}

// Deliver POSTs d.Body to d.URL, signed with d.Secret (and
// d.PreviousSecret), and returns nil once the receiver answers 2xx.
//
// Network errors, timeouts, 408, 429 and 5xx are retried up to
// Config.MaxAttempts with backoff (see Config.Sleep); when the last attempt
// failed that way, or ctx ended between attempts, the error wraps
// ErrTemporary, and for a 429 or 503 RetryAfter(err) reports the receiver's
// Retry-After. Any other status, a 3xx included (redirects are never
// followed), and a Delivery that cannot be sent (see Delivery) give an error
// wrapping ErrPermanent, without retry. Errors are *Error.
//
// Every attempt carries the same Boomerang-Webhook-Id and a fresh timestamp
// and signature. ctx bounds the whole call, waits included; each attempt is
// further bounded by Config.HTTPClient's Timeout. A timeout does not tell
// whether the receiver acted: it is retried all the same, and receivers
// deduplicate on the id.
func (c *Client) Deliver(ctx context.Context, d Delivery) error {
	target, err := d.target()
	if err != nil {
		c.cfg.Logger.Info("webhook not sent", zap.String("delivery_id", d.ID), zap.String("shop", d.Shop), zap.Error(err))
		return err
	}
	log := c.cfg.Logger.With(zap.String("delivery_id", d.ID), zap.String("shop", d.Shop), zap.String("host", target.Host))
	secrets := d.secrets()
	var last outcome
	for attempt := 1; ; attempt++ {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return c.stopped(&d, target, last, attempt-1, ctxErr, log)
		}
		start := c.cfg.Now()
		last = c.attempt(ctx, target, &d, secrets)
		fields := []zap.Field{zap.Int("attempt", attempt), zap.Int("status", last.status), zap.Duration("took", c.cfg.Now().Sub(start))}
		switch {
		case last.ok():
			log.Debug("webhook delivered", fields...)
			return nil
		case !last.retry:
			err := last.asError(&d, target, attempt, ErrPermanent)
			log.Info("webhook refused", append(fields, zap.Error(err))...)
			return err
		case ctx.Err() != nil:
			return c.stopped(&d, target, last, attempt, ctx.Err(), log)
		case attempt >= c.cfg.MaxAttempts:
			err := last.asError(&d, target, attempt, ErrTemporary)
			log.Info("webhook failed on every attempt", append(fields, zap.Error(err))...)
			return err
		case last.retryAfter > c.cfg.MaxWait:
			err := last.asError(&d, target, attempt, ErrTemporary)
			log.Info("webhook receiver asked to wait longer than the retry window", append(fields, zap.Error(err))...)
			return err
		}
		wait := min(backoff(attempt, jitter()), c.cfg.MaxWait)
		wait = max(wait, last.retryAfter)
		log.Debug("webhook attempt failed, retrying", append(fields, zap.Duration("wait", wait), zap.String("reason", last.describe()))...)
		if sleepErr := c.cfg.Sleep(ctx, wait); sleepErr != nil {
			return c.stopped(&d, target, last, attempt, sleepErr, log)
		}
	}
}

// stopped is the error when ctx ends the call after attempts requests.
func (c *Client) stopped(d *Delivery, target *url.URL, last outcome, attempts int, ctxErr error, log *zap.Logger) error {
	cause := fmt.Errorf("stopped: %w", ctxErr)
	if last.cause != nil && !errors.Is(last.cause, ctxErr) {
		cause = fmt.Errorf("%w; stopped: %w", last.cause, ctxErr)
	}
	last.cause = cause
	err := last.asError(d, target, attempts, ErrTemporary)
	log.Info("webhook delivery stopped", zap.Int("attempts", attempts), zap.Error(err))
	return err
}

// outcome is one attempt's result.
type outcome struct {
	status     int           // HTTP status, 0 without an answer
	retry      bool          // worth another attempt
	retryAfter time.Duration // the answer's Retry-After (429, 503)
	detail     string        // what went wrong beyond the status
	cause      error         // transport error
}

func (o outcome) ok() bool { return o.status >= 200 && o.status < 300 }

// describe is the outcome for logs.
func (o outcome) describe() string {
	return summary(o.status, o.detail, o.cause)
}

// asError turns a failed outcome into the *Error Deliver returns.
func (o outcome) asError(d *Delivery, target *url.URL, attempts int, kind error) *Error {
	return &Error{
		ID: d.ID, Host: target.Host, Status: o.status, Attempts: attempts, RetryAfter: o.retryAfter,
		kind: kind, detail: o.detail, err: o.cause,
	}
}

// attempt makes one signed request and classifies the answer.
func (c *Client) attempt(ctx context.Context, target *url.URL, d *Delivery, secrets []string) outcome {
	unix := c.cfg.Now().Unix()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target.String(), bytes.NewReader(d.Body))
	if err != nil {
		return outcome{detail: "building request", cause: stripURL(err)}
	}
	req.Header.Set(headerContentType, "application/json")
	req.Header.Set(headerUserAgent, c.cfg.UserAgent)
	req.Header.Set(HeaderID, d.ID)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(unix, 10))
	req.Header.Set(HeaderSignature, signHeader(unix, d.Body, secrets...))

	res, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return outcome{retry: true, detail: "request failed", cause: stripURL(err)}
	}
	defer func() {
		_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, maxResponseBody))
		_ = res.Body.Close()
	}()
	o := outcome{status: res.StatusCode}
	switch code := res.StatusCode; {
	case code >= 200 && code < 300:
	case code >= 300 && code < 400:
		o.detail = redirectDetail(target, res.Header.Get(headerLocation))
	case code == http.StatusRequestTimeout, code == http.StatusTooManyRequests, code >= 500 && code < 600:
		o.retry = true
		if code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable {
			o.retryAfter, _ = parseRetryAfter(res.Header.Get(headerRetryAfter), c.cfg.Now())
		}
	}
	return o
}

// redirectDetail explains a 3xx, naming where it pointed by scheme and host
// only.
func redirectDetail(target *url.URL, location string) string {
	const advice = "redirects are not followed; set the step's URL to the final address"
	if location == "" {
		return advice
	}
	loc, err := target.Parse(location)
	if err != nil || loc.Host == "" {
		return advice
	}
	return fmt.Sprintf("redirect to %s://%s not followed; set the step's URL to the final address", loc.Scheme, loc.Host)
}

// stripURL drops the *url.Error wrapper, whose message quotes the whole
// URL (path and query may be a credential), keeping its cause.
func stripURL(err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok && ue.Err != nil {
		return ue.Err
	}
	return err
}
