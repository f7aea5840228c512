package shopify

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"go.uber.org/zap"
)

// Defaults of ClientConfig.
const (
	// DefaultShopURL is BOOMERANG_SHOPIFY_URL's default: the shop's own
	// host. Tests set http://127.0.0.1:PORT/{shop}.
	DefaultShopURL = "https://{shop}"
	// DefaultAPIVersion is the Admin API version of the GraphQL calls, and so
	// of the payloads of the webhooks they subscribe.
	DefaultAPIVersion = "2026-07"
	// DefaultPageSize is how many webhook subscriptions one list call asks
	// for (Shopify allows up to 250).
	DefaultPageSize = 100
	// DefaultHTTPTimeout bounds each call of the default HTTP client.
	DefaultHTTPTimeout = 10 * time.Second
	// shopPlaceholder is where the shop's domain goes in ShopURL.
	shopPlaceholder = "{shop}"
)

// apiVersionPattern is an Admin API version: 2026-07, or unstable.
var apiVersionPattern = regexp.MustCompile(`^(\d{4}-\d{2}|unstable)$`)

// ClientConfig configures a Client. The app's credentials are
// BOOMERANG_SHOPIFY_API_KEY and BOOMERANG_SHOPIFY_API_SECRET.
type ClientConfig struct {
	// APIKey is the app's client id. Required.
	APIKey string
	// APISecret is the app's client secret: it signs the install queries
	// and the webhooks and authenticates the token calls. Required; never
	// logged.
	APISecret string
	// ShopURL is BOOMERANG_SHOPIFY_URL, the base URL of a shop with {shop}
	// where its myshopify domain goes. Default DefaultShopURL
	// ("https://{shop}"). A shop's own APIURL wins over it.
	ShopURL string
	// APIVersion is the GraphQL Admin API version. Default
	// DefaultAPIVersion ("2026-07").
	APIVersion string
	// PageSize is the page size of the webhook subscription list, 1 to 250.
	// Default DefaultPageSize (100).
	PageSize int
	// HTTPClient sends the calls. Default: a client with a
	// DefaultHTTPTimeout timeout. The Client uses a copy that never follows
	// redirects, so the secret and the tokens never leave the shop's host.
	HTTPClient *http.Client
	// Now is the clock: token expiry times, install timestamps. Default
	// time.Now.
	Now func() time.Time
	// Logger. Default zap.NewNop().
	Logger *zap.Logger
	// AdminOnly builds a client without the app's credentials, for shops
	// that bring their own Admin API token (a custom app's, in the shops
	// file): it reads their Admin API (the reconciler) but cannot install,
	// exchange or refresh tokens, and Mount and the Refresher refuse it.
	AdminOnly bool
}

func (c *ClientConfig) fill() error {
	if c.AdminOnly {
		c.APIKey, c.APISecret = "", ""
	} else if strings.TrimSpace(c.APIKey) == "" {
		return errors.New("shopify: APIKey (BOOMERANG_SHOPIFY_API_KEY) is required")
	}
	if !c.AdminOnly && strings.TrimSpace(c.APISecret) == "" {
		return errors.New("shopify: APISecret (BOOMERANG_SHOPIFY_API_SECRET) is required")
	}
	if c.ShopURL == "" {
		c.ShopURL = DefaultShopURL
	}
	if err := checkShopURL(c.ShopURL); err != nil {
		return fmt.Errorf("shopify: ShopURL (BOOMERANG_SHOPIFY_URL) %q: %w", c.ShopURL, err)
	}
	if c.APIVersion == "" {
		c.APIVersion = DefaultAPIVersion
	}
	if !apiVersionPattern.MatchString(c.APIVersion) {
		return fmt.Errorf("shopify: APIVersion %q is not like 2026-07", c.APIVersion)
	}
	if c.PageSize == 0 {
		c.PageSize = DefaultPageSize
	}
	if c.PageSize < 1 || c.PageSize > 250 {
		return fmt.Errorf("shopify: PageSize %d is not within 1 to 250", c.PageSize)
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: DefaultHTTPTimeout}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = zap.NewNop()
	}
	return nil
}

// checkShopURL checks a ShopURL template: an absolute http(s) URL with
// {shop} in it, no user info, query or fragment.
func checkShopURL(tmpl string) error {
	if !strings.Contains(tmpl, shopPlaceholder) {
		return errors.New("has no {shop}")
	}
	_, err := checkBase(strings.ReplaceAll(tmpl, shopPlaceholder, "example.myshopify.com"))
	return err
}

// checkBase checks an absolute http(s) base URL and returns it without a
// trailing slash.
func checkBase(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	switch {
	case err != nil:
		return "", errors.New("not a URL")
	case u.Scheme != "http" && u.Scheme != "https":
		return "", errors.New("scheme must be http or https")
	case u.Host == "":
		return "", errors.New("host is missing")
	case u.User != nil:
		return "", errors.New("must not carry user info")
	case u.RawQuery != "" || u.Fragment != "":
		return "", errors.New("must not have a query or fragment")
	}
	return strings.TrimRight(u.String(), "/"), nil
}
