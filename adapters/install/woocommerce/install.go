package woocommerce

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"time"

	"go.uber.org/zap"

	"github.com/boomerang-dev/boomerang/adapters/shop"
)

// Paths Mount registers, and the ones it points others at.
const (
	pathStart     = "/install/woocommerce"
	pathCallback  = "/install/woocommerce/callback"
	pathReturn    = "/install/woocommerce/return"
	webhookPath   = "/webhooks/woocommerce"
	authorizePath = "/wc-auth/v1/authorize"
)

// Platform is the shop records' platform.
const Platform = "woocommerce"

// ShopIDPrefix starts the id of every shop this package installs.
const ShopIDPrefix = "woo-"

// Key-grant names.
const (
	paramStoreURL  = "store_url"
	paramUserID    = "user_id"
	paramSuccess   = "success"
	scopeReadWrite = "read_write"
	// discoverTimeout bounds the look at the site's REST index.
	discoverTimeout = 10 * time.Second
)

// States keys.
const (
	stateKeyPrefix  = "woocommerce:state:"
	resultKeyPrefix = "woocommerce:result:"
)

// pending is what a one-time token stands for until the callback.
type pending struct {
	StoreURL string `json:"store_url"`
	Timezone string `json:"timezone,omitempty"`
}

// outcome is what the callback did, for the return page.
type outcome struct {
	Site         string `json:"site"`
	ShopID       string `json:"shop_id"`
	PublicKey    string `json:"public_key"`
	Webhooks     int    `json:"webhooks"`
	WebhookError bool   `json:"webhook_error"`
}

type handler struct {
	cfg Config
}

// Mount registers GET /install/woocommerce, POST
// /install/woocommerce/callback and GET /install/woocommerce/return on mux.
// It fails when cfg lacks a required field or holds an invalid one.
func Mount(mux *http.ServeMux, cfg Config) error {
	if err := cfg.fill(); err != nil {
		return err
	}
	h := &handler{cfg: cfg}
	mux.HandleFunc("GET "+pathStart, h.start)
	mux.HandleFunc("POST "+pathCallback, h.callback)
	mux.HandleFunc("GET "+pathReturn, h.done)
	return nil
}

// start checks the store URL, keeps a one-time token for it and sends the
// browser to the store's grant screen.
func (h *handler) start(w http.ResponseWriter, r *http.Request) {
	raw := r.URL.Query().Get(paramStoreURL)
	if raw == "" {
		h.formPage(w, http.StatusOK, "")
		return
	}
	site, err := cleanStoreURL(raw, h.cfg.AllowPrivateHosts)
	if err != nil {
		h.formPage(w, http.StatusBadRequest, "That "+err.Error()+".")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), discoverTimeout)
	defer cancel()
	st := pending{StoreURL: site}
	if idx, ok := discover(ctx, h.cfg.HTTPClient, site); ok {
		// WordPress's own home URL: what X-WC-Webhook-Source will carry.
		if home, err := cleanStoreURL(idx.Home, h.cfg.AllowPrivateHosts); err == nil {
			st.StoreURL = home
		}
		st.Timezone = validZone(idx.Timezone)
	}
	token, nonce := newToken(h.cfg.SecretKey)
	b, err := json.Marshal(st)
	if err == nil {
		err = h.cfg.States.Put(ctx, stateKeyPrefix+nonce, b, h.cfg.StateTTL)
	}
	if err != nil {
		h.cfg.Logger.Error("install not started: state not kept", zap.Error(err))
		h.page(w, http.StatusServiceUnavailable, pageData{Title: "Try again in a minute", Text: "Boomerang could not start the install.", Error: true})
		return
	}
	q := url.Values{
		"app_name":     {h.cfg.AppName},
		"scope":        {scopeReadWrite},
		paramUserID:    {token},
		"return_url":   {h.cfg.PublicURL + pathReturn},
		"callback_url": {h.cfg.PublicURL + pathCallback},
	}
	h.cfg.Logger.Info("install started", zap.String("shop", shopID(st.StoreURL)))
	http.Redirect(w, r, st.StoreURL+authorizePath+"?"+q.Encode(), http.StatusFound)
}

// callback receives the keys WooCommerce posts.
func (h *handler) callback(w http.ResponseWriter, r *http.Request) {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.MaxBodyBytes))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			text(w, http.StatusRequestEntityTooLarge, "body too large")
			return
		}
		text(w, http.StatusBadRequest, "unreadable body")
		return
	}
	g, err := parseGrant(raw)
	if err != nil {
		h.cfg.Logger.Info("callback refused", zap.Error(err))
		text(w, http.StatusBadRequest, err.Error())
		return
	}
	nonce, ok := parseToken(h.cfg.SecretKey, g.userID)
	if !ok {
		h.cfg.Logger.Info("callback refused: user_id is not a token of ours")
		text(w, http.StatusForbidden, "unknown install request")
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), h.cfg.CallbackTimeout)
	defer cancel()
	b, err := h.cfg.States.Take(ctx, stateKeyPrefix+nonce)
	if err != nil {
		h.cfg.Logger.Error("callback failed: state not read", zap.Error(err))
		text(w, http.StatusServiceUnavailable, "try again")
		return
	}
	var st pending
	if b == nil || json.Unmarshal(b, &st) != nil || st.StoreURL == "" {
		h.cfg.Logger.Info("callback refused: unknown, expired or already used install request")
		text(w, http.StatusForbidden, "unknown, expired or already used install request")
		return
	}
	id := shopID(st.StoreURL)
	log := h.cfg.Logger.With(zap.String("shop", id))
	if g.permissions != scopeReadWrite {
		log.Info("callback refused: keys are not read_write", zap.String("permissions", g.permissions))
		text(w, http.StatusForbidden, "Boomerang needs read_write keys")
		return
	}
	store := newStore(st.StoreURL, g.key, g.secret, h.cfg.HTTPClient, h.cfg.Now)
	existing, err := store.listWebhooks(ctx)
	if err != nil {
		// Keys that do not work on the named site are not saved: a forged
		// callback cannot replace a shop's working keys.
		log.Warn("callback refused: the keys do not work on the site", zap.Error(err))
		text(w, http.StatusBadGateway, "the keys could not be used on the store")
		return
	}
	s := &shop.Shop{
		ID:            id,
		Platform:      Platform,
		Domain:        st.StoreURL,
		APIToken:      g.key + ":" + g.secret,
		WebhookSecret: newWebhookSecret(),
		Timezone:      st.Timezone,
		PublicKey:     publicKey(h.cfg.SecretKey, id),
	}
	if err := h.cfg.Saver.Save(ctx, s); err != nil {
		log.Error("install failed: shop not saved", zap.Error(err))
		text(w, http.StatusInternalServerError, "the store could not be saved")
		return
	}
	rep, werr := store.ensureWebhooks(ctx, existing, h.cfg.PublicURL+webhookPath, s.WebhookSecret)
	if werr != nil {
		log.Error("install incomplete: webhooks not all written", zap.Error(werr),
			zap.Int("created", rep.Created), zap.Int("updated", rep.Updated))
	} else {
		log.Info("installed", zap.Int("webhooks_created", rep.Created), zap.Int("webhooks_updated", rep.Updated))
	}
	res, _ := json.Marshal(outcome{
		Site: st.StoreURL, ShopID: id, PublicKey: s.PublicKey,
		Webhooks: rep.Created + rep.Updated, WebhookError: werr != nil,
	})
	if err := h.cfg.States.Put(ctx, resultKeyPrefix+nonce, res, h.cfg.StateTTL); err != nil {
		log.Warn("install result not kept for the return page", zap.Error(err))
	}
	// 200 whatever the webhooks did: any other answer makes WooCommerce
	// delete the keys the saved shop now holds.
	text(w, http.StatusOK, "ok")
}

// done is the return page: what happened and what comes next.
func (h *handler) done(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get(paramSuccess) == "0" {
		h.page(w, http.StatusOK, pageData{
			Title: "Install cancelled", Error: true, Form: true,
			Text: "The store did not grant Boomerang access. You can start again below.",
		})
		return
	}
	nonce, ok := parseToken(h.cfg.SecretKey, q.Get(paramUserID))
	if !ok {
		h.page(w, http.StatusBadRequest, pageData{Title: "This link is not valid", Error: true, Form: true, Text: "Start the install again below."})
		return
	}
	b, err := h.cfg.States.Take(r.Context(), resultKeyPrefix+nonce)
	if err != nil {
		h.cfg.Logger.Error("install result not read", zap.Error(err))
		h.page(w, http.StatusServiceUnavailable, pageData{Title: "Try again in a minute", Error: true, Text: "Boomerang could not read the install's result."})
		return
	}
	var res outcome
	if b == nil || json.Unmarshal(b, &res) != nil {
		h.page(w, http.StatusOK, pageData{
			Title: "No install result to show", Error: true, Form: true,
			Text: "Either this page was shown already, or the store did not deliver its keys to Boomerang " +
				"(the store then says so). If the store is not connected, start again below.",
		})
		return
	}
	d := pageData{
		Title: "Boomerang is connected", Site: res.Site, Webhooks: res.Webhooks,
		PublicKey: res.PublicKey, BoomerangURL: h.cfg.PublicURL,
	}
	if res.WebhookError {
		d.Title = "Connected, but webhooks are missing"
		d.Error = true
		d.Text = "Boomerang saved your store's keys, but the store refused some of its webhooks. Start the install again to retry."
	}
	h.page(w, http.StatusOK, d)
}

func text(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, msg+"\n")
}
