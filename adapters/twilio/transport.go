package twilio

import (
	"context"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// roundTripFunc adapts a function to http.RoundTripper.
type roundTripFunc func(*http.Request) (*http.Response, error)

// RoundTrip implements http.RoundTripper.
func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// observation is what the transport saw of one attempt. twilio-go drops the
// HTTP status when an error body is not JSON and cannot tell "never sent"
// from "sent, no answer"; the transport records both.
type observation struct {
	mu         sync.Mutex
	wrote      bool          // request headers were written to a connection
	status     int           // HTTP status of the response, 0 without one
	retryAfter time.Duration // the response's Retry-After, when in seconds
}

func (o *observation) sent() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.wrote
}

func (o *observation) answer() (status int, retryAfter time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.status, o.retryAfter
}

// noRedirect keeps the last response instead of following a redirect, as
// twilio-go's default client does.
func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// attemptClient returns an http.Client for one attempt: every request goes
// to target (scheme, host and path prefix replaced), carries ctx, and is
// observed into obs. twilio-go builds its requests with
// context.Background(); replacing the context here is what lets ctx cancel
// the exchange. The returned client has no Timeout of its own (it would be
// lost with the replaced context): the caller bounds ctx with base.Timeout.
func attemptClient(ctx context.Context, base *http.Client, target *url.URL, obs *observation) *http.Client {
	next := base.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	trace := &httptrace.ClientTrace{
		WroteHeaders: func() {
			obs.mu.Lock()
			obs.wrote = true
			obs.mu.Unlock()
		},
	}
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		r2 := r.Clone(httptrace.WithClientTrace(ctx, trace))
		r2.URL.Scheme = target.Scheme
		r2.URL.Host = target.Host
		r2.Host = target.Host
		if target.Path != "" && target.Path != "/" {
			r2.URL.Path = target.Path + r2.URL.Path
			r2.URL.RawPath = ""
		}
		res, err := next.RoundTrip(r2)
		if res != nil {
			obs.mu.Lock()
			obs.status = res.StatusCode
			if s, convErr := strconv.Atoi(res.Header.Get(headerRetryAfter)); convErr == nil && s > 0 {
				obs.retryAfter = time.Duration(s) * time.Second
			}
			obs.mu.Unlock()
		}
		return res, err
	})
	return &http.Client{Transport: rt, CheckRedirect: noRedirect, Jar: base.Jar}
}
