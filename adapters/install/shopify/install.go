package shopify

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"go.uber.org/zap"

	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// The paths Mount serves, and where the webhooks go by default.
const (
	InstallPath  = "/install/shopify"
	CallbackPath = "/install/shopify/callback"
	WebhookPath  = "/webhooks/shopify"
)

const (
	// stateNamespace prefixes this package's keys in a shared States.
	stateNamespace = "shopify:"
	// stateBytes is the entropy of a state.
	stateBytes = 32
	// maxQuery bounds the query string read.
	maxQuery = 4096
	// maxCode bounds an authorization code.
	maxCode = 512
)

// statePattern is what newState makes: 32 bytes, base64url without padding.
var statePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

// Saver saves a shop an install created. Implementations are safe for
// concurrent use; s is the caller's and may be kept.
type Saver interface {
	Save(ctx context.Context, s *shop.Shop) error
}

// Mount adds GET InstallPath and GET CallbackPath to mux. It fails when cfg
// is incomplete or invalid.
func Mount(mux *http.ServeMux, cfg Config) error {
	if mux == nil {
		return errors.New("shopify: Mount needs a mux")
	}
	if err := cfg.fill(); err != nil {
		return err
	}
	in := &installer{cfg: cfg, client: cfg.Client, log: cfg.Logger.Named("shopify_install")}
	mux.HandleFunc("GET "+InstallPath, in.install)
	mux.HandleFunc("GET "+CallbackPath, in.callback)
	return nil
}

// installer serves the two steps of an install.
type installer struct {
	cfg    Config
	client *Client
	log    *zap.Logger
}

// install answers Shopify's request to the app URL: it checks the query and
// redirects to the shop's authorize page with a fresh state.
func (in *installer) install(w http.ResponseWriter, r *http.Request) {
	_, domain, ok := in.verify(w, r)
	if !ok {
		return
	}
	state, err := newState()
	if err != nil {
		in.log.Error("making a state", zap.Error(err))
		page(w, http.StatusInternalServerError, "Installation failed", "Boomerang could not start the installation. Please try again.")
		return
	}
	if err := in.cfg.States.Put(r.Context(), stateNamespace+state, []byte(domain), in.cfg.StateTTL); err != nil {
		in.log.Error("storing the install state", zap.String("shop", domain), zap.Error(err))
		page(w, http.StatusServiceUnavailable, "Installation unavailable", "Boomerang could not start the installation right now. Please try again in a minute.")
		return
	}
	base, err := in.client.BaseURL(domain, "")
	if err != nil { // cannot happen: verify checked the domain
		page(w, http.StatusBadRequest, "Not a Shopify store", "The shop parameter is not a myshopify.com address.")
		return
	}
	authorize := base + "/admin/oauth/authorize?" + url.Values{
		"client_id":    {in.client.APIKey()},
		"scope":        {strings.Join(in.cfg.Scopes, ",")},
		"redirect_uri": {in.cfg.PublicURL + CallbackPath},
		paramState:     {state},
	}.Encode()
	in.log.Info("shopify install started", zap.String("shop", domain))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	//nolint:gosec // G710: the target is the configured shop URL with a checked myshopify domain
	http.Redirect(w, r, authorize, http.StatusFound)
}

// callback answers Shopify's redirect after the merchant approved: it checks
// the query and the state, exchanges the code, checks the scopes, stores the
// token and the shop and subscribes the webhooks.
func (in *installer) callback(w http.ResponseWriter, r *http.Request) {
	q, domain, ok := in.verify(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	state, okState := single(q, paramState)
	if !okState || !statePattern.MatchString(state) {
		page(w, http.StatusForbidden, "Installation link not recognised", "This link does not belong to an installation Boomerang started. Start the installation again from Shopify.")
		return
	}
	code, okCode := single(q, paramCode)
	if !okCode || code == "" || len(code) > maxCode {
		page(w, http.StatusBadRequest, "Installation link incomplete", "Shopify's answer carries no authorization code. Start the installation again from Shopify.")
		return
	}
	bound, err := in.cfg.States.Take(ctx, stateNamespace+state)
	if err != nil {
		in.log.Error("taking the install state", zap.String("shop", domain), zap.Error(err))
		page(w, http.StatusServiceUnavailable, "Installation unavailable", "Boomerang could not finish the installation right now. Start it again from Shopify in a minute.")
		return
	}
	switch {
	case bound == nil:
		in.log.Warn("shopify callback with an unknown or used state", zap.String("shop", domain))
		page(w, http.StatusForbidden, "Installation link already used", "This installation link was already used or has expired. Start the installation again from Shopify.")
		return
	case string(bound) != domain:
		in.log.Warn("shopify callback with the state of another shop", zap.String("shop", domain))
		page(w, http.StatusForbidden, "Installation link not recognised", "This installation was started for another store. Start the installation again from Shopify.")
		return
	}

	token, err := in.client.ExchangeCode(ctx, domain, code)
	if err != nil {
		in.log.Error("shopify code exchange failed", zap.String("shop", domain), zap.Error(err))
		page(w, http.StatusBadGateway, "Installation not confirmed", "Shopify did not confirm the installation. Start it again from Shopify.")
		return
	}
	if missing := MissingScopes(in.cfg.Scopes, token.Scopes); len(missing) > 0 {
		in.log.Warn("shopify install refused: scopes missing", zap.String("shop", domain), zap.Strings("missing", missing))
		page(w, http.StatusForbidden, "Permissions missing",
			"Boomerang was not granted every permission it needs, so it is not installed. Install it again and approve all of these:", missing...)
		return
	}
	if token.Refresh == "" {
		in.log.Warn("shopify gave a non-expiring offline token; public apps must use expiring ones", zap.String("shop", domain))
	}

	s := &shop.Shop{
		ID:            ShopID(domain),
		Platform:      event.PlatformShopify,
		Domain:        domain,
		APIToken:      token.Access,
		WebhookSecret: in.client.cfg.APISecret,
	}
	if err := in.cfg.Tokens.SaveToken(ctx, s.ID, token); err != nil {
		in.log.Error("storing the shopify token", zap.String("shop", domain), zap.Error(err))
		page(w, http.StatusInternalServerError, "Installation failed", "Boomerang could not store the store's access. Start the installation again from Shopify.")
		return
	}
	if err := in.client.fillShopInfo(ctx, s); err != nil {
		in.log.Warn("reading the shop's time zone and email", zap.String("shop", domain), zap.Error(err))
	}
	if err := in.cfg.Saver.Save(ctx, s); err != nil {
		in.log.Error("saving the installed shop", zap.String("shop", domain), zap.Error(err))
		page(w, http.StatusInternalServerError, "Installation failed", "Boomerang could not save the store. Start the installation again from Shopify.")
		return
	}
	if !in.cfg.SkipWebhooks {
		if _, err := in.client.EnsureWebhooks(ctx, s, in.cfg.WebhookURL); err != nil {
			in.log.Error("subscribing the shop's webhooks", zap.String("shop", domain), zap.Error(err))
			page(w, http.StatusBadGateway, "Installation incomplete",
				"Boomerang is installed but could not subscribe to the store's events yet. It retries on its next start; installing again from Shopify retries now.")
			return
		}
	}
	in.log.Info("shopify shop installed", zap.String("shop", domain), zap.String("shop_id", s.ID),
		zap.Strings("scopes", token.Scopes), zap.Time("expires", token.Expires))
	page(w, http.StatusOK, "Boomerang is installed",
		"Thank you! Boomerang now receives "+domain+"'s orders, checkouts and customers and starts its flows from the next events. You can close this page.")
}

// verify checks what both steps share: one shop, a myshopify domain (400),
// Shopify's HMAC (401) and a fresh timestamp (401). It answers the request
// itself when a check fails. The domain comes back in lower case.
func (in *installer) verify(w http.ResponseWriter, r *http.Request) (url.Values, string, bool) {
	if len(r.URL.RawQuery) > maxQuery {
		page(w, http.StatusRequestURITooLong, "Link too long", "This installation link is longer than any Shopify sends.")
		return nil, "", false
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		page(w, http.StatusBadRequest, "Malformed link", "This installation link cannot be read. Start the installation again from Shopify.")
		return nil, "", false
	}
	domain, ok := single(q, paramShop)
	if !ok || !ValidShopDomain(domain) {
		page(w, http.StatusBadRequest, "Not a Shopify store", "The shop parameter must be the store's myshopify.com address.")
		return nil, "", false
	}
	domain = strings.ToLower(domain)
	if !VerifyQuery(in.client.cfg.APISecret, q) {
		in.log.Warn("shopify install request with a bad hmac", zap.String("shop", domain), zap.String("path", r.URL.Path))
		page(w, http.StatusUnauthorized, "Link not signed by Shopify", "This installation link is not signed by Shopify. Start the installation from Shopify.")
		return nil, "", false
	}
	ts, _ := single(q, paramTimestamp)
	if !freshTimestamp(ts, in.client.cfg.Now(), in.cfg.Tolerance) {
		in.log.Warn("shopify install request with a stale timestamp", zap.String("shop", domain), zap.String("path", r.URL.Path))
		page(w, http.StatusUnauthorized, "Installation link expired", "This installation link has expired. Start the installation again from Shopify.")
		return nil, "", false
	}
	return q, domain, true
}

// single returns the parameter's value when it is given exactly once.
func single(q url.Values, key string) (string, bool) {
	v := q[key]
	if len(v) != 1 {
		return "", false
	}
	return v[0], true
}

// newState returns a random single-use state.
func newState() (string, error) {
	b := make([]byte, stateBytes)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
