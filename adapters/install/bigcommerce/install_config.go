package bigcommerce

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"go.uber.org/zap"

	bcadapter "github.com/boomerang-dev/boomerang/adapters/bigcommerce"
	"github.com/boomerang-dev/boomerang/adapters/shop"
)

// DefaultLoginURL is BigCommerce's login service, where codes become
// access tokens ({LoginURL}/oauth2/token).
const DefaultLoginURL = "https://login.bigcommerce.com"

// DefaultLeeway is how far exp, nbf and iat may be off by clock skew.
const DefaultLeeway = time.Minute

// Saver stores a shop created or renewed by an install. Save creates the
// record or replaces the fields an install owns (ID, Platform, Domain,
// APIURL, APIToken, WebhookSecret, HeaderSecret, Timezone, PublicKey when
// set), keeping the rest of an existing record. It must be safe for
// concurrent use and keep credentials out of logs.
type Saver interface {
	Save(ctx context.Context, s *shop.Shop) error
}

// Uninstaller ends a shop's service when its owner removes the app: it
// stops the shop's runs and timers and marks it uninstalled. It must be
// idempotent (BigCommerce may call twice) and safe for concurrent use.
type Uninstaller interface {
	Uninstall(ctx context.Context, shopID string) error
}

// Config configures the BigCommerce app callbacks.
type Config struct {
	// ClientID and ClientSecret are the app's credentials
	// (BOOMERANG_BIGCOMMERCE_CLIENT_ID, …_CLIENT_SECRET). Required; the
	// secret is never logged.
	ClientID     string
	ClientSecret string
	// PublicURL is Boomerang's address as BigCommerce reaches it
	// (BOOMERANG_PUBLIC_URL): hooks point at {PublicURL}/webhooks/bigcommerce
	// and the redirect_uri sent with the code is
	// {PublicURL}/install/bigcommerce/auth, which must be the Auth Callback
	// URL of the app profile. Required, absolute http(s).
	PublicURL string
	// LoginURL is the base of the token endpoint
	// (BOOMERANG_BIGCOMMERCE_LOGIN_URL). Default DefaultLoginURL.
	LoginURL string
	// APIURL is the store API's base template; "{store_hash}" is replaced
	// by the store hash (BOOMERANG_BIGCOMMERCE_API_URL). Default
	// bigcommerce.DefaultAPIURL; tests set "http://127.0.0.1:PORT/{store_hash}".
	APIURL string
	// Saver stores the installed shop. Required.
	Saver Saver
	// Uninstaller is called by the uninstall callback. Required.
	Uninstaller Uninstaller
	// SecretKey (BOOMERANG_SECRET_KEY), when set, derives each installed
	// shop's storefront public key (pk_…, stable across reinstalls), which
	// the app page shows in the snippet tag. Default: none, no public key.
	SecretKey []byte
	// RequiredScopes are OAuth scopes the grant must include, both in the
	// auth callback's scope and in the token's; a "…_read_only" scope is
	// also satisfied by its read-write form. Default: none checked
	// (BigCommerce makes the merchant accept every scope of the app
	// profile).
	RequiredScopes []string
	// Leeway is the clock skew allowed on the JWT's exp, nbf and iat.
	// Default DefaultLeeway; at most 5 minutes.
	Leeway time.Duration
	// HTTPClient calls the login service and the store API. Default: a
	// client with a 10 s timeout. A copy that never follows redirects is
	// used, so tokens never leave those hosts.
	HTTPClient *http.Client
	// Now is the clock for the JWT checks. Default time.Now.
	Now func() time.Time
	// Logger. Default zap.NewNop().
	Logger *zap.Logger
}

// maxLeeway bounds Config.Leeway.
const maxLeeway = 5 * time.Minute

// storeHashPlaceholder is replaced in APIURL.
const storeHashPlaceholder = "{store_hash}"

func (c *Config) fill() error {
	if strings.TrimSpace(c.ClientID) == "" || c.ClientSecret == "" {
		return errors.New("bigcommerce install: ClientID and ClientSecret are required")
	}
	pub, err := baseURL(c.PublicURL)
	if err != nil {
		return fmt.Errorf("bigcommerce install: PublicURL: %w", err)
	}
	c.PublicURL = pub
	if c.LoginURL == "" {
		c.LoginURL = DefaultLoginURL
	}
	if c.LoginURL, err = baseURL(c.LoginURL); err != nil {
		return fmt.Errorf("bigcommerce install: LoginURL: %w", err)
	}
	if c.APIURL == "" {
		c.APIURL = bcadapter.DefaultAPIURL
	}
	if _, err := baseURL(strings.ReplaceAll(c.APIURL, storeHashPlaceholder, "hash")); err != nil {
		return fmt.Errorf("bigcommerce install: APIURL: %w", err)
	}
	c.APIURL = strings.TrimRight(c.APIURL, "/")
	if c.Saver == nil {
		return errors.New("bigcommerce install: Saver is required")
	}
	if c.Uninstaller == nil {
		return errors.New("bigcommerce install: Uninstaller is required")
	}
	if c.Leeway < 0 || c.Leeway > maxLeeway {
		return fmt.Errorf("bigcommerce install: Leeway must be 0 to %s", maxLeeway)
	}
	if c.Leeway == 0 {
		c.Leeway = DefaultLeeway
	}
	hc := c.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	noRedirect := *hc
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.HTTPClient = &noRedirect
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = zap.NewNop()
	}
	c.Logger = c.Logger.Named("install.bigcommerce")
	return nil
}

// baseURL checks an absolute http(s) URL without query or fragment and
// returns it without a trailing slash.
func baseURL(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("%q is not a URL", s)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%q is not an absolute http(s) URL without credentials, query or fragment", s)
	}
	return strings.TrimRight(s, "/"), nil
}
