package bigcommerce

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultAPIURL is the store API's base; {store_hash} is replaced by the
// shop's store hash.
const DefaultAPIURL = "https://api.bigcommerce.com/stores/{store_hash}"

// storeHashPlaceholder is replaced in API URL templates.
const storeHashPlaceholder = "{store_hash}"

// FetcherConfig configures a Fetcher. The zero value is usable.
type FetcherConfig struct {
	// HTTPClient makes the API calls. Default: a client with a 10 s
	// timeout. The Fetcher uses a copy that never follows redirects, so the
	// X-Auth-Token header never leaves the API host.
	HTTPClient *http.Client
	// APIURL is the API base template; "{store_hash}" in it is replaced by
	// the shop's store hash. A shop's own APIURL wins over it. Default
	// DefaultAPIURL; tests set "http://127.0.0.1:PORT/{store_hash}".
	APIURL string
	// MaxWait bounds the total time one Resolve waits in process for rate
	// limits; past it Resolve returns a *RetryAfterError. Default 30 s.
	MaxWait time.Duration
	// Sleep waits d or until ctx ends. Default: a timer that honours ctx.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock, used to read Retry-After dates. Default time.Now.
	Now func() time.Time
}

// fill applies the defaults and validates.
func (c *FetcherConfig) fill() error {
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if c.APIURL == "" {
		c.APIURL = DefaultAPIURL
	}
	if err := checkBaseURL(c.APIURL); err != nil {
		return fmt.Errorf("bigcommerce: APIURL: %w", err)
	}
	if c.MaxWait < 0 {
		return errors.New("bigcommerce: MaxWait cannot be negative")
	}
	if c.MaxWait == 0 {
		c.MaxWait = 30 * time.Second
	}
	if c.Sleep == nil {
		c.Sleep = sleep
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return nil
}

// checkBaseURL checks that a base URL template is an absolute http(s) URL.
func checkBaseURL(tmpl string) error {
	u, err := url.Parse(strings.ReplaceAll(tmpl, storeHashPlaceholder, "hash"))
	if err != nil {
		return err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an absolute http(s) URL", tmpl)
	}
	return nil
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
