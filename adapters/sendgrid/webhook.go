package sendgrid

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"

	"go.uber.org/zap"

	"github.com/boomerang-dev/boomerang/flows/event"
)

// WebhookPath is where the Event Webhook is mounted.
const WebhookPath = "/webhooks/sendgrid"

// Webhook is the http.Handler of SendGrid's signed Event Webhook. It serves
// two kinds of path:
//
//   - WebhookPath (/webhooks/sendgrid), the role's account: verified with
//     WebhookConfig.PublicKey; each event names its shop in the
//     boomerang_shop custom arg.
//   - ShopWebhookPath (/webhooks/sendgrid/{shop}), one shop: verified with
//     the shop's own key when it has its own account (ShopAccount), else
//     with the role's; only the events naming that shop are published, so
//     a shop's key never speaks for another shop's messages.
//
// It answers, in this order: 405 for a method other than POST; 401 when the
// path has no key to verify with; 413 for a body over the limit; 401 for a
// bad, stale or missing signature — a path naming no known shop is checked
// with the role's key, so that a forged request learns nothing, not even
// which shops exist; 404 for such a path once the signature holds; 400 for
// a body that is not a JSON array of events; otherwise it publishes every
// canonical event (subject ev.Subject(), message id ev.ID) and answers 200
// once all are stored, or 503 so SendGrid retries when publishing fails.
type Webhook struct {
	cfg     WebhookConfig
	key     *ecdsa.PublicKey
	metrics *metrics
	noKey   sync.Once
	// shopKeys caches the shops' parsed keys by their text (public keys,
	// not secrets), and remembers which shops were reported as unable to
	// verify, so that SendGrid's retries do not flood the log.
	mu       sync.Mutex
	shopKeys map[string]*ecdsa.PublicKey
	warned   map[string]bool
}

// maxShopKeys bounds the cache of parsed shop keys: past it the cache
// starts again (keys changed that often are parsed again, nothing more).
const maxShopKeys = 4096

var _ http.Handler = (*Webhook)(nil)

// NewWebhook returns a Webhook, or an error when cfg is incomplete or its
// PublicKey is not a base64 DER P-256 key.
func NewWebhook(cfg WebhookConfig) (*Webhook, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	w := &Webhook{
		cfg: cfg, metrics: newMetrics(cfg.Registerer),
		shopKeys: map[string]*ecdsa.PublicKey{}, warned: map[string]bool{},
	}
	if cfg.PublicKey != "" {
		key, err := ParsePublicKey(cfg.PublicKey)
		if err != nil {
			return nil, fmt.Errorf("sendgrid: webhook PublicKey: %w", err)
		}
		w.key = key
	}
	return w, nil
}

// ServeHTTP handles one Event Webhook request.
func (h *Webhook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	status, outcome, msg := h.handle(r)
	h.metrics.requests.WithLabelValues(outcome).Inc()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", http.MethodPost)
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, msg+"\n")
}

func (h *Webhook) handle(r *http.Request) (status int, outcome, msg string) {
	if r.Method != http.MethodPost {
		return http.StatusMethodNotAllowed, outcomeBadMethod, "method not allowed"
	}
	shop, perShop := pathShop(r.URL.Path)
	key, known := h.pathKey(shop, perShop)
	if key == nil {
		return http.StatusUnauthorized, outcomeNoKey, "invalid signature"
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, h.cfg.MaxBodyBytes))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return http.StatusRequestEntityTooLarge, outcomeTooLarge, "body too large"
		}
		return http.StatusBadRequest, outcomeMalformed, "unreadable body"
	}
	now := h.cfg.Now()
	if err := verify(key, r.Header.Get(HeaderSignature), r.Header.Get(HeaderTimestamp), body, now); err != nil {
		h.cfg.Logger.Info("sendgrid event webhook signature rejected", zap.String("path", r.URL.Path), zap.Error(err))
		return http.StatusUnauthorized, outcomeBadSignature, "invalid signature"
	}
	if !known {
		h.cfg.Logger.Warn("signed sendgrid event webhook for a shop that is not configured", zap.String("path", r.URL.Path))
		return http.StatusNotFound, outcomeUnknownShop, "unknown shop"
	}
	events, err := ParseEvents(body, now)
	if err != nil {
		h.cfg.Logger.Warn("malformed sendgrid event webhook body", zap.Error(err))
		return http.StatusBadRequest, outcomeMalformed, "malformed body"
	}
	if perShop {
		events = h.onlyShop(shop, events)
	}
	if err := h.publish(r.Context(), events); err != nil {
		h.cfg.Logger.Warn("publishing sendgrid events failed; answering 503 so SendGrid retries", zap.Error(err))
		return http.StatusServiceUnavailable, outcomeUnavailable, "temporarily unavailable"
	}
	return http.StatusOK, outcomeAccepted, "ok"
}

// pathKey returns the key that verifies a request's path and whether the
// path's shop is known: the role's key on WebhookPath and for a path naming
// no known shop (known false), a shop's own key on its path, the role's for
// a shop without an account of its own. A nil key means nothing can verify
// the request.
func (h *Webhook) pathKey(shop string, perShop bool) (key *ecdsa.PublicKey, known bool) {
	if !perShop {
		h.warnNoKey()
		return h.key, true
	}
	var acct ShopAccount
	known = event.ValidShopID(shop) && h.cfg.Shops != nil
	if known {
		acct, known = h.cfg.Shops.Account(shop)
	}
	if !known || !acct.Own {
		h.warnNoKey()
		return h.key, known
	}
	if acct.WebhookKey == "" {
		h.warnShop(shop, "shop has its own sendgrid account but no email.sendgrid_webhook_key; answering 401 to its events", nil)
		return nil, true
	}
	k, err := h.shopKey(acct.WebhookKey)
	if err != nil {
		h.warnShop(shop, "shop's email.sendgrid_webhook_key is not a SendGrid verification key; answering 401 to its events", err)
		return nil, true
	}
	return k, true
}

// warnNoKey logs once that the role has no key.
func (h *Webhook) warnNoKey() {
	if h.key != nil {
		return
	}
	h.noKey.Do(func() {
		h.cfg.Logger.Warn("sendgrid event webhook has no verification key (BOOMERANG_SENDGRID_WEBHOOK_KEY); " +
			"answering 401 to every request it would verify")
	})
}

// warnShop logs msg once per shop.
func (h *Webhook) warnShop(shop, msg string, err error) {
	h.mu.Lock()
	seen := h.warned[shop]
	h.warned[shop] = true
	h.mu.Unlock()
	if !seen {
		h.cfg.Logger.Warn(msg, zap.String("shop", shop), zap.Error(err))
	}
}

// shopKey parses a shop's key, once per key text.
func (h *Webhook) shopKey(text string) (*ecdsa.PublicKey, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if k, ok := h.shopKeys[text]; ok {
		return k, nil
	}
	k, err := ParsePublicKey(text)
	if err != nil {
		return nil, err
	}
	if len(h.shopKeys) >= maxShopKeys {
		clear(h.shopKeys)
	}
	h.shopKeys[text] = k
	return k, nil
}

// onlyShop keeps the events that name shop, logging how many named another
// one: a shop's own key signs what its account saw, and that never speaks
// for another shop.
func (h *Webhook) onlyShop(shop string, events []*event.Event) []*event.Event {
	out := events[:0]
	for _, ev := range events {
		if ev.Shop == shop {
			out = append(out, ev)
		}
	}
	if n := len(events) - len(out); n > 0 {
		h.cfg.Logger.Warn("sendgrid events on a shop's path name another shop; dropped",
			zap.String("shop", shop), zap.Int("events", n))
	}
	return out
}

// publish stores every event and waits for all PubAcks. Duplicates (a
// SendGrid retry of a batch partly stored before) count as stored.
func (h *Webhook) publish(ctx context.Context, events []*event.Event) error {
	if len(events) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), h.cfg.PublishTimeout)
	defer cancel()
	for _, ev := range events {
		data, err := json.Marshal(ev)
		if err != nil {
			return fmt.Errorf("encoding event %s: %w", ev.ID, err)
		}
		if _, err := h.cfg.Publisher.Publish(ctx, ev.Subject(), ev.ID, data); err != nil {
			return fmt.Errorf("publishing event %s: %w", ev.ID, err)
		}
		h.metrics.events.WithLabelValues(string(ev.Type)).Inc()
	}
	return nil
}
