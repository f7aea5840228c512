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

// Webhook is the http.Handler of SendGrid's signed Event Webhook
// (POST /webhooks/sendgrid). It answers 413 for a body over the limit, 401
// for a bad, stale or missing signature (or when no key is configured), 400
// for a body that is not a JSON array of events, and otherwise publishes
// every canonical event (subject ev.Subject(), message id ev.ID) and answers
// 200 once all are stored, or 503 so SendGrid retries when publishing fails.
type Webhook struct {
	cfg     WebhookConfig
	key     *ecdsa.PublicKey
	metrics *metrics
	noKey   sync.Once
}

var _ http.Handler = (*Webhook)(nil)

// NewWebhook returns a Webhook, or an error when cfg is incomplete or its
// PublicKey is not a base64 DER P-256 key.
func NewWebhook(cfg WebhookConfig) (*Webhook, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	w := &Webhook{cfg: cfg, metrics: newMetrics(cfg.Registerer)}
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
	if h.key == nil {
		h.noKey.Do(func() {
			h.cfg.Logger.Warn("sendgrid event webhook has no verification key; answering 401 to every request")
		})
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
	if err := verify(h.key, r.Header.Get(HeaderSignature), r.Header.Get(HeaderTimestamp), body, now); err != nil {
		h.cfg.Logger.Info("sendgrid event webhook signature rejected", zap.Error(err))
		return http.StatusUnauthorized, outcomeBadSignature, "invalid signature"
	}
	events, err := ParseEvents(body, now)
	if err != nil {
		h.cfg.Logger.Warn("malformed sendgrid event webhook body", zap.Error(err))
		return http.StatusBadRequest, outcomeMalformed, "malformed body"
	}
	if err := h.publish(r.Context(), events); err != nil {
		h.cfg.Logger.Warn("publishing sendgrid events failed; answering 503 so SendGrid retries", zap.Error(err))
		return http.StatusServiceUnavailable, outcomeUnavailable, "temporarily unavailable"
	}
	return http.StatusOK, outcomeAccepted, "ok"
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
