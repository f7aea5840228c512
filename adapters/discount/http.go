package discount

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Shared HTTP header names and values.
const (
	headerAccept        = "Accept"
	headerContentType   = "Content-Type"
	headerRetryAfter    = "Retry-After"
	headerLocation      = "Location"
	headerAuthorization = "Authorization"
	mediaJSON           = "application/json"
)

const (
	// DefaultHTTPTimeout is the timeout of the default HTTP client.
	DefaultHTTPTimeout = 10 * time.Second
	// maxBody bounds an answer read into memory.
	maxBody = 4 << 20
	// maxRetryAfter caps the wait a platform may ask for.
	maxRetryAfter = time.Hour
)

// answer is one HTTP answer, read whole.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// client is the HTTP plumbing the platforms share.
type client struct {
	platform string
	http     *http.Client
	now      func() time.Time
}

// newClient copies hc (or a default client) so that it never follows
// redirects: credentials must not leave the platform host, and a POST turned
// into a GET by a redirect would lose its body.
func newClient(platform string, hc *http.Client, now func() time.Time) client {
	if hc == nil {
		hc = &http.Client{Timeout: DefaultHTTPTimeout}
	}
	c := *hc
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if now == nil {
		now = time.Now
	}
	return client{platform: platform, http: &c, now: now}
}

// fail builds an *Error.
func (c client) fail(kind error, op, code string, cause error) *Error {
	return &Error{Kind: kind, Platform: c.platform, Op: op, Code: code, Err: cause}
}

// do sends req and reads the answer. what names the request in errors
// ("GET /v2/coupons") and must not hold credentials. A transport failure is
// an *Error wrapping ErrTemporary (and ctx's error when ctx ended); a
// redirect is an *Error wrapping ErrPermanent.
func (c client) do(req *http.Request, op, code, what string) (*answer, error) {
	resp, err := c.http.Do(req) //nolint:gosec // G704: requests go to the shop's configured API base, by design
	if err != nil {
		// *url.Error prints the full URL, query string included (where
		// WooCommerce's query-string credentials would sit): keep only its
		// cause.
		cause := err
		if ue, ok := errors.AsType[*url.Error](err); ok {
			cause = ue.Err
		}
		return nil, c.fail(ErrTemporary, op, code, fmt.Errorf("%s: %w", what, cause))
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		e := c.fail(ErrTemporary, op, code, fmt.Errorf("reading %s: %w", what, err))
		e.StatusCode = resp.StatusCode
		return nil, e
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		e := c.fail(ErrPermanent, op, code, fmt.Errorf("%s: redirected to %s; configure the final address", what, safeLocation(resp.Header.Get(headerLocation))))
		e.StatusCode = resp.StatusCode
		return nil, e
	}
	if len(body) > maxBody {
		e := c.fail(ErrPermanent, op, code, malformed("%s: answer larger than %d bytes", what, maxBody))
		e.StatusCode = resp.StatusCode
		return nil, e
	}
	return &answer{status: resp.StatusCode, header: resp.Header, body: body}, nil
}

// statusError is the *Error for a non-2xx answer: ErrTemporary for 408, 429
// and 5xx (with the wait the headers ask for), ErrPermanent otherwise.
func (c client) statusError(a *answer, op, code string, msgs []string, wait time.Duration) *Error {
	e := &Error{Kind: ErrPermanent, Platform: c.platform, Op: op, Code: code, StatusCode: a.status, Messages: msgs}
	if temporaryStatus(a.status) {
		e.Kind = ErrTemporary
		e.RetryAfter = wait
	}
	return e
}

// temporaryStatus reports whether an HTTP status is worth retrying.
func temporaryStatus(status int) bool {
	return status == http.StatusRequestTimeout || status == http.StatusTooManyRequests || status >= 500
}

// safeLocation keeps a redirect target's scheme, host and path: never its
// query or user info.
func safeLocation(loc string) string {
	u, err := url.Parse(loc)
	if err != nil || loc == "" {
		return "an unreadable location"
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
}

// retryAfter reads Retry-After: delay-seconds or an HTTP date. ok is false
// when the header is absent or unreadable.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get(headerRetryAfter))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs < 0 || secs != secs { // negative or NaN
			return 0, false
		}
		return capWait(secondsToDuration(secs)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return capWait(max(t.Sub(now), 0)), true
	}
	return 0, false
}

// secondsToDuration converts without overflowing.
func secondsToDuration(secs float64) time.Duration {
	if secs >= maxRetryAfter.Seconds() {
		return maxRetryAfter
	}
	return time.Duration(secs * float64(time.Second))
}

// capWait bounds a wait to [0, maxRetryAfter].
func capWait(d time.Duration) time.Duration {
	return min(max(d, 0), maxRetryAfter)
}

// checkBaseURL checks that raw is an absolute http(s) URL without user info,
// query or fragment, and returns it without a trailing slash.
func checkBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, errors.New("not a URL")
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, errors.New("scheme must be http or https")
	case u.Host == "":
		return nil, errors.New("host is missing")
	case u.User != nil:
		return nil, errors.New("must not carry user info; credentials have their own fields")
	case u.RawQuery != "" || u.Fragment != "":
		return nil, errors.New("must not have a query or fragment")
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// newRequest builds a request with the JSON headers set.
func newRequest(ctx context.Context, method, target string, body io.Reader) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set(headerAccept, mediaJSON)
	if body != nil {
		req.Header.Set(headerContentType, mediaJSON)
	}
	return req, nil
}

// sortedKeys returns m's keys in order, for deterministic messages.
func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
