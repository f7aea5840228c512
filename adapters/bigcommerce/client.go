package bigcommerce

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// API request and rate-limit headers.
const (
	// HeaderAuthToken carries the shop's API token.
	HeaderAuthToken = "X-Auth-Token" //nolint:gosec // a header name, not a credential
	// headerRateLimitReset is the milliseconds until the rate-limit window
	// resets.
	headerRateLimitReset = "X-Rate-Limit-Time-Reset-Ms"
	// headerXRetryAfter is BigCommerce's seconds to wait after a 429.
	headerXRetryAfter = "X-Retry-After"
	// headerRetryAfter is the standard Retry-After (seconds or an HTTP date).
	headerRetryAfter = "Retry-After"
	headerAccept     = "Accept"
	mediaJSON        = "application/json"
)

const (
	// maxResponseBytes bounds an API answer read into memory.
	maxResponseBytes = 8 << 20
	// defaultRateWait is waited after a 429 that says nothing: BigCommerce
	// sends 429 without headers under platform-wide load.
	defaultRateWait = time.Second
	// maxRateWait caps what one 429 may ask for.
	maxRateWait = time.Hour
	// max429 bounds the attempts of one request, whatever the waits.
	max429 = 20
)

// session is one Resolve's conversation with one store's API. It counts the
// rate-limit wait so far; it is not safe for concurrent use.
type session struct {
	f      *Fetcher
	base   string
	token  string
	waited time.Duration
}

// get fetches base+path into out. It retries 429s as the package comment
// describes; a 204 leaves out untouched.
func (c *session) get(ctx context.Context, path string, out any) error {
	for attempt := 1; ; attempt++ {
		code, header, body, err := c.do(ctx, path)
		if err != nil {
			return err
		}
		switch {
		case code == http.StatusTooManyRequests:
			wait := rateWait(header, c.f.cfg.Now())
			if attempt >= max429 || c.waited+wait > c.f.cfg.MaxWait {
				return &RetryAfterError{After: wait}
			}
			if err := c.f.cfg.Sleep(ctx, wait); err != nil {
				return fmt.Errorf("bigcommerce: waiting %s for the rate limit: %w", wait, err)
			}
			c.waited += wait
		case code == http.StatusNoContent:
			return nil
		case code >= 200 && code < 300:
			if len(body) > maxResponseBytes {
				return fmt.Errorf("%w: GET %s: answer larger than %d bytes", ErrPermanent, path, maxResponseBytes)
			}
			if err := json.Unmarshal(body, out); err != nil {
				return fmt.Errorf("%w: decoding GET %s: %w", ErrPermanent, path, err)
			}
			return nil
		default:
			return &statusError{path: path, code: code}
		}
	}
}

// do makes one request and reads the answer.
func (c *session) do(ctx context.Context, path string) (int, http.Header, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("%w: building GET %s: %w", ErrPermanent, path, err)
	}
	req.Header.Set(HeaderAuthToken, c.token)
	req.Header.Set(headerAccept, mediaJSON)
	resp, err := c.f.cfg.HTTPClient.Do(req)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("bigcommerce: GET %s: %w", path, err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return 0, nil, nil, fmt.Errorf("bigcommerce: reading GET %s: %w", path, err)
	}
	return resp.StatusCode, resp.Header, body, nil
}

// rateWait is how long a 429 asks to wait: the longest of
// X-Rate-Limit-Time-Reset-Ms, X-Retry-After and Retry-After (seconds or an
// HTTP date), defaultRateWait when none is given, capped at maxRateWait.
func rateWait(h http.Header, now time.Time) time.Duration {
	wait, given := time.Duration(0), false
	consider := func(d time.Duration) {
		given = true
		wait = max(wait, d)
	}
	if ms, err := strconv.ParseInt(strings.TrimSpace(h.Get(headerRateLimitReset)), 10, 64); err == nil && ms >= 0 {
		consider(time.Duration(min(ms, maxRateWait.Milliseconds())) * time.Millisecond)
	}
	if s, err := strconv.ParseInt(strings.TrimSpace(h.Get(headerXRetryAfter)), 10, 64); err == nil && s >= 0 {
		consider(time.Duration(min(s, int64(maxRateWait/time.Second))) * time.Second)
	}
	if v := strings.TrimSpace(h.Get(headerRetryAfter)); v != "" {
		if s, err := strconv.ParseInt(v, 10, 64); err == nil && s >= 0 {
			consider(time.Duration(min(s, int64(maxRateWait/time.Second))) * time.Second)
		} else if t, err := http.ParseTime(v); err == nil {
			consider(max(t.Sub(now), 0))
		}
	}
	if !given {
		return defaultRateWait
	}
	return min(wait, maxRateWait)
}
