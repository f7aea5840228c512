package discount

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"go.uber.org/zap"
)

// WooCommerceConfig configures a WooCommerce Maker for one site.
type WooCommerceConfig struct {
	// SiteURL is the WordPress home URL, exactly as WordPress has it
	// (https://shop.example, or with its sub-directory); the REST API is
	// under {SiteURL}/wp-json/. Required. Over plain http the requests are
	// signed with OAuth 1.0a, whose signature covers this URL.
	SiteURL string
	// ConsumerKey and ConsumerSecret are the REST API keys (ck_…, cs_…)
	// with read/write permission. Required; never logged.
	ConsumerKey    string
	ConsumerSecret string
	// QueryStringAuth, over HTTPS, sends the keys as the consumer_key and
	// consumer_secret query parameters instead of HTTP Basic, for hosts
	// that strip the Authorization header. Ignored over plain http, where
	// WooCommerce accepts only OAuth 1.0a. Default false.
	QueryStringAuth bool
	// HTTPClient sends the requests. Default: a client with a 10 s timeout.
	// The Maker uses a copy that never follows redirects.
	HTTPClient *http.Client
	// Now is the clock: OAuth timestamps (WooCommerce accepts 15 minutes
	// of skew) and Retry-After dates. Default time.Now.
	Now func() time.Time
	// Logger. Default zap.NewNop().
	Logger *zap.Logger
}

func (c *WooCommerceConfig) fill() error {
	u, err := checkBaseURL(c.SiteURL)
	if err != nil {
		return fmt.Errorf("discount: woocommerce SiteURL: %w", err)
	}
	c.SiteURL = u.String()
	if strings.TrimSpace(c.ConsumerKey) == "" || strings.TrimSpace(c.ConsumerSecret) == "" {
		return errors.New("discount: woocommerce ConsumerKey and ConsumerSecret are required")
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = zap.NewNop()
	}
	return nil
}
