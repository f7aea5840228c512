package bigcommerce

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/boomerang-dev/boomerang/adapters/shop"
)

// Paths Mount registers.
const (
	pathAuth       = "/install/bigcommerce/auth"
	pathLoad       = "/install/bigcommerce/load"
	pathUninstall  = "/install/bigcommerce/uninstall"
	pathRemoveUser = "/install/bigcommerce/remove_user"
	// webhookPath is where ingest receives BigCommerce webhooks.
	webhookPath = "/webhooks/bigcommerce"
)

// Platform is the shop records' platform.
const Platform = "bigcommerce"

// ShopIDPrefix starts the id of every shop this package installs.
const ShopIDPrefix = "bc-"

// Query parameters of the callbacks.
const (
	paramCode    = "code"
	paramScope   = "scope"
	paramContext = "context"
	paramJWT     = "signed_payload_jwt"
)

// Bounds on the auth callback's parameters.
const (
	maxCodeLen  = 512
	maxScopeLen = 4096
)

// headerSecretBytes is the entropy of a new header secret.
const headerSecretBytes = 32

// installTimeout bounds the token exchange, the save and the hooks of one
// install.
const installTimeout = 45 * time.Second

type handler struct {
	cfg Config
}

// Mount registers the app's callbacks on mux: GET /install/bigcommerce/auth,
// /load, /uninstall and /remove_user. It fails when cfg lacks a required
// field or holds an invalid one.
func Mount(mux *http.ServeMux, cfg Config) error {
	if err := cfg.fill(); err != nil {
		return err
	}
	h := &handler{cfg: cfg}
	mux.HandleFunc("GET "+pathAuth, h.auth)
	mux.HandleFunc("GET "+pathLoad, h.load)
	mux.HandleFunc("GET "+pathUninstall, h.uninstall)
	mux.HandleFunc("GET "+pathRemoveUser, h.removeUser)
	return nil
}

// ShopID is the id of the shop installed for a store hash.
func ShopID(storeHash string) string { return ShopIDPrefix + storeHash }

// auth handles the install (and re-authorisation) callback.
func (h *handler) auth(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	code, scope, storeContext := q.Get(paramCode), q.Get(paramScope), q.Get(paramContext)
	if code == "" || len(code) > maxCodeLen || len(scope) > maxScopeLen {
		errorPage(w, http.StatusBadRequest, "This link is incomplete", "Install Boomerang again from the BigCommerce control panel.")
		return
	}
	hash, ok := strings.CutPrefix(storeContext, subjectPrefix)
	if !ok || !storeHashRE.MatchString(hash) {
		errorPage(w, http.StatusBadRequest, "This link is incomplete", "The store context is missing or malformed. Install Boomerang again from the BigCommerce control panel.")
		return
	}
	log := h.cfg.Logger.With(zap.String("shop", ShopID(hash)))
	if missing := missingScopes(scope, h.cfg.RequiredScopes); len(missing) > 0 {
		log.Warn("install refused: scopes missing from the grant", zap.Strings("missing", missing))
		errorPage(w, http.StatusForbidden, "Permissions missing", "Boomerang needs these permissions: "+strings.Join(missing, ", ")+".")
		return
	}
	// The install goes on if the browser leaves, within a bound.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), installTimeout)
	defer cancel()
	tok, err := h.exchange(ctx, code, scope, storeContext)
	if err != nil {
		log.Warn("install failed: code not exchanged", zap.Error(err))
		errorPage(w, http.StatusBadGateway, "BigCommerce did not confirm the install", "Boomerang could not obtain access to your store. Install the app again in a minute.")
		return
	}
	if missing := missingScopes(tok.Scope, h.cfg.RequiredScopes); len(missing) > 0 {
		log.Warn("install refused: scopes missing from the token", zap.Strings("missing", missing))
		errorPage(w, http.StatusForbidden, "Permissions missing", "Boomerang needs these permissions: "+strings.Join(missing, ", ")+".")
		return
	}
	s := &shop.Shop{
		ID:            ShopID(hash),
		Platform:      Platform,
		Domain:        hash,
		APIToken:      tok.AccessToken,
		WebhookSecret: h.cfg.ClientSecret,
		HeaderSecret:  newSecret(),
		Timezone:      h.storeTimezone(ctx, hash, tok.AccessToken),
		PublicKey:     publicKey(h.cfg.SecretKey, ShopID(hash)),
	}
	if err := h.cfg.Saver.Save(ctx, s); err != nil {
		log.Error("install failed: shop not saved", zap.Error(err))
		errorPage(w, http.StatusInternalServerError, "Boomerang could not save your store", "Nothing was changed in your store. Install the app again in a minute.")
		return
	}
	rep, err := h.ensureHooks(ctx, hash, tok.AccessToken, h.cfg.PublicURL+webhookPath, s.HeaderSecret)
	if err != nil {
		log.Error("install incomplete: hooks not registered", zap.Error(err),
			zap.Int("created", rep.Created), zap.Int("updated", rep.Updated), zap.Int("unchanged", rep.Unchanged))
		errorPage(w, http.StatusBadGateway, "Webhooks not registered",
			"Boomerang saved your store but BigCommerce refused some of its webhooks. Uninstall and install the app again to retry.")
		return
	}
	log.Info("installed", zap.Int("hooks_created", rep.Created), zap.Int("hooks_updated", rep.Updated),
		zap.Int("hooks_unchanged", rep.Unchanged))
	h.appPage(w, hash, true)
}

// verified reads and checks the request's signed_payload_jwt, answering
// 401 itself when it does not verify.
func (h *handler) verified(w http.ResponseWriter, r *http.Request) (*claims, bool) {
	c, err := verifyJWT(r.URL.Query().Get(paramJWT), h.cfg.ClientID, []byte(h.cfg.ClientSecret), h.cfg.Now(), h.cfg.Leeway)
	if err != nil {
		h.cfg.Logger.Info("app callback refused", zap.String("path", r.URL.Path), zap.Error(err))
		errorPage(w, http.StatusUnauthorized, "Not signed by BigCommerce", "Open Boomerang from your BigCommerce control panel.")
		return nil, false
	}
	return c, true
}

// load renders the app in the control panel.
func (h *handler) load(w http.ResponseWriter, r *http.Request) {
	c, ok := h.verified(w, r)
	if !ok {
		return
	}
	h.appPage(w, c.StoreHash, false)
}

// uninstall ends the shop's service.
func (h *handler) uninstall(w http.ResponseWriter, r *http.Request) {
	c, ok := h.verified(w, r)
	if !ok {
		return
	}
	id := ShopID(c.StoreHash)
	ctx := context.WithoutCancel(r.Context())
	if err := h.cfg.Uninstaller.Uninstall(ctx, id); err != nil {
		h.cfg.Logger.Error("uninstall failed", zap.String("shop", id), zap.Error(err))
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "uninstall failed"})
		return
	}
	h.cfg.Logger.Info("uninstalled", zap.String("shop", id))
	writeJSON(w, http.StatusOK, map[string]string{"status": "uninstalled"})
}

// removeUser acknowledges a user's removal: Boomerang keeps no per-user
// data, the store stays installed.
func (h *handler) removeUser(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.verified(w, r); !ok {
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// missingScopes lists the required scopes granted lacks. A
// "…_read_only" scope is also satisfied by its read-write form.
func missingScopes(granted string, required []string) []string {
	have := map[string]bool{}
	for s := range strings.FieldsSeq(granted) {
		have[s] = true
	}
	var missing []string
	for _, want := range required {
		if have[want] || have[strings.TrimSuffix(want, "_read_only")] {
			continue
		}
		missing = append(missing, want)
	}
	return missing
}

// newSecret returns 32 random bytes as base64url: a header secret.
func newSecret() string {
	b := make([]byte, headerSecretBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// publicKeyLabel separates public-key derivation from other uses of the
// secret key.
const publicKeyLabel = "boomerang/storefront-public-key/v1\x00"

// publicKey derives a shop's storefront key from the secret key: stable
// across reinstalls, not a secret, and revealing nothing of the key. Empty
// without a secret key.
func publicKey(secretKey []byte, shopID string) string {
	if len(secretKey) == 0 {
		return ""
	}
	m := hmac.New(sha256.New, secretKey)
	m.Write([]byte(publicKeyLabel + shopID))
	return "pk_" + base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
