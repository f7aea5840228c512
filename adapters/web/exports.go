package web

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"time"

	"github.com/boomerang-dev/boomerang/flows/event"
)

// DataRequestStore keeps the exports written for customers' data requests
// (Shopify's customers/data_request; docs/privacy.md).
type DataRequestStore interface {
	// List returns the summaries (JSON objects with id, shop, customer,
	// requested_at, ready_at, expires_at) of the shop's exports that have
	// not expired.
	List(ctx context.Context, shop string) ([][]byte, error)
	// Get returns one export's JSON document, nil when it is unknown or
	// expired.
	Get(ctx context.Context, shop, id string) ([]byte, error)
}

// ExportsConfig configures the admin API's data-request routes.
type ExportsConfig struct {
	// Token is the bearer token every request must carry. Required: an
	// empty token mounts nothing.
	Token string
	// Store holds the exports. Required: nil mounts nothing.
	Store DataRequestStore
	// Shops lists the shop ids, so a request that names no shop works when
	// there is only one. Nil: the shop query parameter is required.
	Shops func() []string
}

// MountExports registers, behind the bearer token:
//
//	GET /api/v1/data-requests?shop=S       {"requests": [summary, ...]}, newest request first
//	GET /api/v1/data-requests/{id}?shop=S  the export itself, as an attachment; 404 when unknown or expired
func MountExports(mux *http.ServeMux, cfg ExportsConfig) {
	if cfg.Token == "" || cfg.Store == nil {
		return
	}
	mux.Handle("GET /api/v1/data-requests", bearer(cfg.Token, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		listExports(w, r, cfg)
	})))
	mux.Handle("GET /api/v1/data-requests/{id}", bearer(cfg.Token, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		getExport(w, r, cfg)
	})))
}

// exportShop is the request's shop: the query parameter, else the only
// shop; "" after answering 400.
func exportShop(w http.ResponseWriter, r *http.Request, cfg ExportsConfig) string {
	shop := r.URL.Query().Get("shop")
	if shop == "" && cfg.Shops != nil {
		if ids := cfg.Shops(); len(ids) == 1 {
			shop = ids[0]
		}
	}
	if !event.ValidShopID(shop) {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "the shop query parameter is required (a shop id)"})
		return ""
	}
	return shop
}

func listExports(w http.ResponseWriter, r *http.Request, cfg ExportsConfig) {
	shop := exportShop(w, r, cfg)
	if shop == "" {
		return
	}
	list, err := cfg.Store.List(r.Context(), shop)
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "the data requests cannot be read right now"})
		return
	}
	type item struct {
		raw       json.RawMessage
		requested time.Time
	}
	items := make([]item, 0, len(list))
	for _, b := range list {
		var head struct {
			RequestedAt time.Time `json:"requested_at"`
		}
		if json.Unmarshal(b, &head) != nil {
			continue
		}
		items = append(items, item{raw: b, requested: head.RequestedAt})
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].requested.After(items[j].requested) })
	out := make([]json.RawMessage, len(items))
	for i, it := range items {
		out[i] = it.raw
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{"requests": out})
}

func getExport(w http.ResponseWriter, r *http.Request, cfg ExportsConfig) {
	shop := exportShop(w, r, cfg)
	if shop == "" {
		return
	}
	id := r.PathValue("id")
	if !validExportID(id) {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such data request, or it expired"})
		return
	}
	doc, err := cfg.Store.Get(r.Context(), shop, id)
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "the data request cannot be read right now"})
		return
	}
	if doc == nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such data request, or it expired"})
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Disposition", `attachment; filename="data-request-`+shop+"-"+id+`.json"`)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(doc) //nolint:gosec // G705: JSON that Boomerang wrote, sent as an attachment with nosniff, never as HTML
}

// validExportID reports whether id can name an export: 1 to 64 characters
// of lowercase hex, so it is safe in a key and in the attachment's name.
func validExportID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
