package storefront

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"mime"
	"net/http"
	"strconv"
	"time"

	"go.uber.org/zap"
)

// CORS and rate-limit header names.
const (
	headerAllowOrigin  = "Access-Control-Allow-Origin"
	headerAllowMethods = "Access-Control-Allow-Methods"
	headerAllowHeaders = "Access-Control-Allow-Headers"
	headerMaxAge       = "Access-Control-Max-Age"
	headerRetryAfter   = "Retry-After"
)

// handler serves /track.
type handler struct {
	cfg  Config
	ips  *limiters
	keys *limiters
}

// Mount registers POST /track, its CORS preflight OPTIONS /track, and the
// snippet at GET /track.js on mux. It fails when cfg lacks Shops or
// Publisher or holds a negative setting.
func Mount(mux *http.ServeMux, cfg Config) error {
	if err := cfg.fill(); err != nil {
		return err
	}
	h := &handler{cfg: cfg, ips: newLimiters(cfg.IPRate, cfg.IPBurst), keys: newLimiters(cfg.KeyRate, cfg.KeyBurst)}
	mux.HandleFunc("POST /track", h.track)
	mux.HandleFunc("OPTIONS /track", preflight)
	mux.HandleFunc("GET /track.js", serveSnippet)
	return nil
}

// preflight answers the CORS preflight. The snippet sends text/plain, which
// needs none, but a store's own code may send application/json.
func preflight(w http.ResponseWriter, _ *http.Request) {
	h := w.Header()
	h.Set(headerAllowOrigin, "*")
	h.Set(headerAllowMethods, "POST, OPTIONS")
	h.Set(headerAllowHeaders, "Content-Type")
	h.Set(headerMaxAge, "86400")
	w.WriteHeader(http.StatusNoContent)
}

func (h *handler) track(w http.ResponseWriter, r *http.Request) {
	w.Header().Set(headerAllowOrigin, "*")
	now := h.cfg.Now()
	if ok, wait := h.ips.allow(h.cfg.ClientIP(r), now); !ok {
		tooMany(w, wait)
		return
	}
	if !acceptable(r.Header.Get("Content-Type")) {
		writeError(w, http.StatusUnsupportedMediaType, "send application/json or text/plain")
		return
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.MaxBodyBytes))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			writeError(w, http.StatusRequestEntityTooLarge, "body over "+strconv.FormatInt(h.cfg.MaxBodyBytes, 10)+" bytes")
			return
		}
		writeError(w, http.StatusBadRequest, "unreadable body")
		return
	}
	p, err := parse(raw)
	if err != nil {
		h.cfg.Logger.Debug("track body refused", zap.Error(err))
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	shop, ok := h.cfg.Shops(p.key)
	if !ok {
		writeError(w, http.StatusNotFound, "unknown key")
		return
	}
	if ok, wait := h.keys.allow(p.key, now); !ok {
		tooMany(w, wait)
		return
	}
	if p.anonymous() {
		// Boomerang follows identified visitors only: nothing to act on.
		w.WriteHeader(http.StatusNoContent)
		return
	}
	ev, err := p.toEvent(shop, now, h.cfg.MaxClockSkew)
	if err != nil {
		h.cfg.Logger.Warn("track event not built", zap.String("shop", shop), zap.Error(err))
		writeError(w, http.StatusBadRequest, "the event cannot be built")
		return
	}
	b, err := json.Marshal(ev)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), h.cfg.PublishTimeout)
		_, err = h.cfg.Publisher.Publish(ctx, ev.Subject(), ev.ID, b)
		cancel()
	}
	if err != nil {
		h.cfg.Logger.Warn("publishing a storefront event failed", zap.String("shop", shop), zap.String("type", string(ev.Type)), zap.Error(err))
		writeError(w, http.StatusServiceUnavailable, "temporarily unavailable")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// acceptable reports whether a body of this media type is read: JSON, or
// text/plain as navigator.sendBeacon sends a string (no preflight needed).
func acceptable(contentType string) bool {
	if contentType == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "application/json" || mt == "text/plain")
}

func tooMany(w http.ResponseWriter, wait time.Duration) {
	secs := max(int64(math.Ceil(wait.Seconds())), 1)
	w.Header().Set(headerRetryAfter, strconv.FormatInt(secs, 10))
	writeError(w, http.StatusTooManyRequests, "rate limited")
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}
