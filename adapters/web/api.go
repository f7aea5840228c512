package web

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// OutboxLister lists a shop's dev-outbox messages (JSON objects), newest
// first.
type OutboxLister interface {
	List(ctx context.Context, shop string, limit int) ([][]byte, error)
	Get(ctx context.Context, shop, id string) ([]byte, error)
}

// APIConfig configures the admin API.
type APIConfig struct {
	// Token is the bearer token every /api/v1 request must carry.
	// Required: an empty token mounts nothing.
	Token string
	// Outbox serves GET /api/v1/outbox.
	Outbox OutboxLister
	// Shops lists the shop ids, for requests that name no shop.
	Shops func() []string
	// TestSend serves POST /api/v1/test-send (a template with sample data
	// to the owner's address). Nil: not mounted.
	TestSend http.Handler
	// Flows serves GET /api/v1/flows: a shop's flows with their figures
	// (any JSON value; the caller shapes it). Nil: not mounted.
	Flows func(ctx context.Context, shop string) (any, error)
}

// MountAPI registers the admin JSON API under /api/v1 on mux.
func MountAPI(mux *http.ServeMux, cfg APIConfig) {
	if cfg.Token == "" {
		return
	}
	mux.Handle("GET /api/v1/outbox", bearer(cfg.Token, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		listOutbox(w, r, cfg)
	})))
	if cfg.TestSend != nil {
		mux.Handle("POST /api/v1/test-send", bearer(cfg.Token, cfg.TestSend))
	}
	if cfg.Flows != nil {
		mux.Handle("GET /api/v1/flows", bearer(cfg.Token, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			shop := r.URL.Query().Get("shop")
			if shop == "" && cfg.Shops != nil {
				if ids := cfg.Shops(); len(ids) == 1 {
					shop = ids[0]
				}
			}
			if shop == "" {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": "the shop query parameter is required"})
				return
			}
			v, err := cfg.Flows(r.Context(), shop)
			if err != nil {
				writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "flow figures cannot be read right now"})
				return
			}
			writeJSON(w, http.StatusOK, v)
		})))
	}
	mux.Handle("GET /api/v1/outbox/{id}/html", bearer(cfg.Token, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		viewHTML(w, r, cfg)
	})))
}

// viewHTML serves one message's rendered HTML, sandboxed: no scripts, no
// requests but images.
func viewHTML(w http.ResponseWriter, r *http.Request, cfg APIConfig) {
	shop := r.URL.Query().Get("shop")
	if shop == "" || cfg.Outbox == nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "the shop query parameter is required"})
		return
	}
	b, err := cfg.Outbox.Get(r.Context(), shop, r.PathValue("id"))
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "the outbox cannot be read right now"})
		return
	}
	var msg struct {
		HTML string `json:"html"`
	}
	if b == nil || json.Unmarshal(b, &msg) != nil || msg.HTML == "" {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no rendered HTML for that message"})
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "sandbox; default-src 'none'; img-src * data:; style-src 'unsafe-inline'")
	_, _ = w.Write([]byte(msg.HTML))
}

// bearer admits requests with "Authorization: Bearer <token>".
func bearer(token string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="boomerang"`)
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "a valid bearer token is required"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

func listOutbox(w http.ResponseWriter, r *http.Request, cfg APIConfig) {
	limit := 50
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "limit must be a whole number from 1 to 1000"})
			return
		}
		limit = n
	}
	shops := []string{r.URL.Query().Get("shop")}
	if shops[0] == "" && cfg.Shops != nil {
		shops = cfg.Shops()
	}
	type msg struct {
		raw     json.RawMessage
		created time.Time
	}
	var all []msg
	for _, shop := range shops {
		if shop == "" || cfg.Outbox == nil {
			continue
		}
		list, err := cfg.Outbox.List(r.Context(), shop, limit)
		if err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "the outbox cannot be read right now"})
			return
		}
		for _, b := range list {
			var head struct {
				CreatedAt time.Time `json:"created_at"`
			}
			_ = json.Unmarshal(b, &head)
			all = append(all, msg{raw: b, created: head.CreatedAt})
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].created.After(all[j].created) })
	if len(all) > limit {
		all = all[:limit]
	}
	out := make([]json.RawMessage, len(all))
	for i, m := range all {
		out[i] = m.raw
	}
	writeJSON(w, http.StatusOK, map[string]any{"messages": out})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
