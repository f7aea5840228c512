package discount

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"go.uber.org/zap"
)

// DefaultShopifyAPIVersion is the Admin API version used when
// ShopifyConfig.APIVersion is empty.
const DefaultShopifyAPIVersion = "2026-07"

// ShopifyConfig configures a Shopify Maker for one shop.
type ShopifyConfig struct {
	// BaseURL is the shop's admin base, https://{shop}.myshopify.com (tests
	// point it at a local server). Required.
	BaseURL string
	// AccessToken is the shop's Admin API access token, sent as
	// X-Shopify-Access-Token. Required; never logged.
	AccessToken string
	// APIVersion is the Admin API version in the request path. Default
	// DefaultShopifyAPIVersion ("2026-07").
	APIVersion string
	// HTTPClient sends the requests. Default: a client with a 10 s timeout.
	// The Maker uses a copy that never follows redirects.
	HTTPClient *http.Client
	// Now is the clock: the start of a Code without StartsAt, and
	// Retry-After dates. Default time.Now.
	Now func() time.Time
	// Logger. Default zap.NewNop().
	Logger *zap.Logger
}

// shopifyVersion is the shape of an Admin API version: 2026-07, unstable.
var shopifyVersion = regexp.MustCompile(`^(\d{4}-\d{2}|unstable)$`)

func (c *ShopifyConfig) fill() error {
	u, err := checkBaseURL(c.BaseURL)
	if err != nil {
		return fmt.Errorf("discount: shopify BaseURL: %w", err)
	}
	c.BaseURL = u.String()
	if strings.TrimSpace(c.AccessToken) == "" {
		return fmt.Errorf("discount: shopify AccessToken is required")
	}
	if c.APIVersion == "" {
		c.APIVersion = DefaultShopifyAPIVersion
	}
	if !shopifyVersion.MatchString(c.APIVersion) {
		return fmt.Errorf("discount: shopify APIVersion %q is not like 2026-07", c.APIVersion)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = zap.NewNop()
	}
	return nil
}
