package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
)

// Handler receives webhooks for every configured platform at
// POST /webhooks/{platform}.
type Handler struct {
	cfg       Config
	platforms map[string]Platform
	metrics   *metrics
}

// New returns a Handler, or an error when cfg is incomplete.
func New(cfg Config) (*Handler, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	h := &Handler{cfg: cfg, platforms: map[string]Platform{}, metrics: newMetrics(cfg.Registerer)}
	for _, p := range cfg.Platforms {
		if _, dup := h.platforms[p.Name()]; dup {
			return nil, fmt.Errorf("ingest: platform %q configured twice", p.Name())
		}
		h.platforms[p.Name()] = p
	}
	return h, nil
}

// Metrics returns the boomerang_webhooks_total counter (for tests and
// dashboards built in-process).
func (h *Handler) Metrics() *prometheus.CounterVec { return h.metrics.webhooks }

// Mount registers POST /webhooks/{platform} for every platform on mux.
func (h *Handler) Mount(mux *http.ServeMux) {
	for name, p := range h.platforms {
		mux.Handle("POST /webhooks/"+name, h.For(p))
	}
}

// For returns the http.Handler of one platform.
func (h *Handler) For(p Platform) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.serve(w, r, p)
	})
}

// answer is a response with its metric outcome.
type answer struct {
	status  int
	outcome string
	msg     string
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request, p Platform) {
	topic := ""
	a := h.handle(r, p, &topic)
	h.metrics.webhooks.WithLabelValues(p.Name(), topic, a.outcome).Inc()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(a.status)
	_, _ = io.WriteString(w, a.msg+"\n")
}

func (h *Handler) handle(r *http.Request, p Platform, topic *string) answer {
	// Fields are gathered and only encoded when something is logged:
	// a child logger per request would cost on every webhook.
	log := h.cfg.Logger
	fields := make([]zap.Field, 0, 6)
	fields = append(fields, zap.String("platform", p.Name()))
	if dh, ok := p.(DeliveryHeader); ok {
		if id := r.Header.Get(dh.DeliveryHeader()); id != "" {
			fields = append(fields, zap.String("delivery_id", id))
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, h.cfg.MaxBodyBytes))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return answer{http.StatusRequestEntityTooLarge, outcomeTooLarge, "body too large"}
		}
		return answer{http.StatusBadRequest, outcomeMalformed, "unreadable body"}
	}
	req := &Request{Header: r.Header, Body: body, ReceivedAt: h.cfg.Now().UTC()}

	domain, err := p.Identify(req)
	switch {
	case errors.Is(err, ErrPing):
		return answer{http.StatusOK, outcomePing, "ok"}
	case err != nil:
		return answer{http.StatusBadRequest, outcomeUnidentified, "shop not identified"}
	}
	s, ok := h.cfg.Shops.Lookup(p.Name(), domain)
	if !ok {
		return answer{http.StatusNotFound, outcomeUnknownShop, "unknown shop"}
	}
	fields = append(fields, zap.String("shop", s.ID))
	if err := p.Verify(s, req); err != nil {
		log.Info("webhook signature rejected", append(fields, zap.Error(err))...)
		return answer{http.StatusUnauthorized, outcomeBadSignature, "invalid signature"}
	}
	res, err := p.Normalize(s, req)
	if res != nil {
		*topic = res.Topic
		fields = append(fields, zap.String("topic", res.Topic), zap.String("delivery_key", res.DeliveryID))
	}
	switch {
	case errors.Is(err, ErrUnknownTopic):
		*topic = ""
		return answer{http.StatusOK, outcomeIgnored, "topic ignored"}
	case errors.Is(err, ErrMalformed):
		log.Warn("malformed webhook body", append(fields, zap.Error(err))...)
		return answer{http.StatusBadRequest, outcomeMalformed, "malformed body"}
	case err != nil:
		log.Error("normalising webhook", append(fields, zap.Error(err))...)
		return answer{http.StatusBadRequest, outcomeMalformed, "malformed body"}
	}
	dup, err := h.publish(r.Context(), res)
	if err != nil {
		log.Warn("publishing webhook failed; answering 503 so the platform retries", append(fields, zap.Error(err))...)
		return answer{http.StatusServiceUnavailable, outcomeUnavailable, "temporarily unavailable"}
	}
	if dup {
		return answer{http.StatusOK, outcomeDuplicate, "ok"}
	}
	return answer{http.StatusOK, outcomeAccepted, "ok"}
}

// publish stores every message of res and waits for all PubAcks. It reports
// duplicate when every message was already in the stream.
func (h *Handler) publish(ctx context.Context, res *Result) (duplicate bool, err error) {
	if len(res.Messages) == 0 {
		return false, nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), h.cfg.PublishTimeout)
	defer cancel()
	start := time.Now()
	duplicate = true
	for _, m := range res.Messages {
		data, err := json.Marshal(m.Value)
		if err != nil {
			return false, fmt.Errorf("encoding message %s: %w", m.MsgID, err)
		}
		dup, err := h.cfg.Publisher.Publish(ctx, m.Subject, m.MsgID, data)
		if err != nil {
			return false, err
		}
		duplicate = duplicate && dup
	}
	h.metrics.publish.Observe(time.Since(start).Seconds())
	return duplicate, nil
}
