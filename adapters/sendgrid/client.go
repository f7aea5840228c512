package sendgrid

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/sendgrid/rest"
	"github.com/sendgrid/sendgrid-go"
	"go.uber.org/zap"
)

// mailSendPath is the Mail Send endpoint.
const mailSendPath = "/v3/mail/send"

// maxErrorBody bounds how much of an error answer is read.
const maxErrorBody = 64 << 10

// Client sends email through SendGrid's Mail Send API. It is safe for
// concurrent use: every Send builds its own request.
type Client struct {
	cfg Config
}

// Result is a successful send.
type Result struct {
	// ProviderID is SendGrid's message id (the X-Message-Id header). Event
	// Webhook events carry it as the prefix of sg_message_id.
	ProviderID string
	// Attempts is how many requests the send took.
	Attempts int
}

// New returns a Client, or an error when cfg is incomplete or invalid.
func New(cfg Config) (*Client, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	return &Client{cfg: cfg}, nil
}

// attempt is the outcome of one request.
type attempt struct {
	status   int
	header   http.Header
	messages []string
	// err is a transport error; written tells whether the whole request
	// had been written to the connection before it.
	err     error
	written bool
}

// Send delivers e. It returns the provider id on success (2xx: 202, or 200
// in sandbox mode) and otherwise a *SendError wrapping ErrPermanent,
// ErrTemporary or ErrAmbiguous. 429, 5xx and connections that failed before
// the request was written are retried with exponential backoff and jitter
// (or until X-RateLimit-Reset), within MaxAttempts and MaxWait; a failure
// after the request was written is ErrAmbiguous at once. When ctx ends while
// waiting to retry, the error wraps both ctx's error and ErrTemporary.
func (c *Client) Send(ctx context.Context, e *Email) (*Result, error) {
	if e == nil {
		return nil, &SendError{Kind: ErrPermanent, Err: errors.New("nil email")}
	}
	m, err := e.message()
	if err != nil {
		return nil, &SendError{Kind: ErrPermanent, Err: err}
	}
	// json.Marshal rather than mail.GetRequestBody, which logs and returns
	// nil on error (TemplateData holding a channel or NaN).
	body, err := json.Marshal(m)
	if err != nil {
		return nil, &SendError{Kind: ErrPermanent, Err: fmt.Errorf("encoding mail: %w", err)}
	}
	log := c.cfg.Logger.With(zap.String("message_id", e.MessageID))
	var waited time.Duration
	for n := 1; ; n++ {
		a := c.do(ctx, body)
		switch {
		case a.err == nil && a.status >= 200 && a.status < 300:
			return &Result{ProviderID: a.header.Get(HeaderMessageID), Attempts: n}, nil
		case a.err != nil && a.written:
			log.Warn("sendgrid request failed after it was written", zap.Int("attempt", n), zap.Error(a.err))
			return nil, &SendError{Kind: ErrAmbiguous, Attempts: n, Err: a.err}
		case a.err == nil && a.status != http.StatusTooManyRequests && a.status < 500:
			return nil, &SendError{Kind: ErrPermanent, StatusCode: a.status, Messages: a.messages, Attempts: n}
		}
		fail := &SendError{Kind: ErrTemporary, StatusCode: a.status, Messages: a.messages, Attempts: n, Err: a.err}
		if ctx.Err() != nil {
			fail.Err = errors.Join(a.err, ctx.Err())
			return nil, fail
		}
		if n >= c.cfg.MaxAttempts {
			return nil, fail
		}
		wait := c.wait(n, a.header)
		if waited+wait > c.cfg.MaxWait {
			fail.RetryAfter = wait
			return nil, fail
		}
		log.Debug("sendgrid send will be retried", zap.Int("attempt", n), zap.Int("status", a.status),
			zap.Duration("wait", wait), zap.Error(a.err))
		if err := c.cfg.Sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("waiting to retry: %w: %w", err, fail)
		}
		waited += wait
	}
}

// do makes one request: sendgrid-go builds it (URL, Authorization,
// User-Agent, Content-Type), our HTTP client sends it, and an httptrace hook
// records whether the request was fully written before any failure.
func (c *Client) do(ctx context.Context, body []byte) attempt {
	req := sendgrid.GetRequest(c.cfg.APIKey, mailSendPath, c.cfg.BaseURL)
	req.Method = rest.Post
	req.Body = body
	httpReq, err := rest.BuildRequestObject(req)
	if err != nil {
		return attempt{err: fmt.Errorf("building request: %w", err)}
	}
	var written atomic.Bool
	trace := &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err == nil {
				written.Store(true)
			}
		},
	}
	httpReq = httpReq.WithContext(httptrace.WithClientTrace(ctx, trace))
	resp, err := c.cfg.HTTPClient.Do(httpReq)
	if err != nil {
		return attempt{err: fmt.Errorf("posting %s: %w", mailSendPath, err), written: written.Load()}
	}
	defer resp.Body.Close()
	a := attempt{status: resp.StatusCode, header: resp.Header}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		// The answer is in; an unreadable (empty) body changes nothing.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
		return a
	}
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	a.messages = errorMessages(raw)
	return a
}

// apiErrors is SendGrid's error body.
type apiErrors struct {
	Errors []struct {
		Message string  `json:"message"`
		Field   *string `json:"field"`
	} `json:"errors"`
}

// errorMessages extracts SendGrid's messages from an error body, each
// "field: message" when a field is named. A body that is not SendGrid's
// shape yields its trimmed text, if any.
func errorMessages(raw []byte) []string {
	var body apiErrors
	if err := json.Unmarshal(raw, &body); err != nil || len(body.Errors) == 0 {
		if s := strings.TrimSpace(string(raw)); s != "" {
			const maxLen = 200
			if len(s) > maxLen {
				s = s[:maxLen] + "…"
			}
			return []string{s}
		}
		return nil
	}
	out := make([]string, 0, len(body.Errors))
	for _, e := range body.Errors {
		msg := e.Message
		if e.Field != nil && *e.Field != "" {
			msg = *e.Field + ": " + msg
		}
		out = append(out, msg)
	}
	return out
}

// wait is the pause before the retry after attempt n: until
// X-RateLimit-Reset when the header names a time ahead, else Backoff·2^(n-1)
// capped at MaxWait, jittered to between half and all of it.
func (c *Client) wait(n int, h http.Header) time.Duration {
	if h != nil {
		if v := strings.TrimSpace(h.Get(HeaderRateLimitReset)); v != "" {
			if reset, err := strconv.ParseInt(v, 10, 64); err == nil {
				if d := time.Unix(reset, 0).Sub(c.cfg.Now()); d > 0 {
					return d
				}
			}
		}
	}
	d := c.cfg.Backoff
	for i := 1; i < n && d < c.cfg.MaxWait; i++ {
		d *= 2
	}
	d = min(d, c.cfg.MaxWait)
	half := d / 2
	if half <= 0 {
		return d
	}
	return half + rand.N(d-half+1)
}
