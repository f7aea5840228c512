package web

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// Importer starts and reports shops' history imports (the reconcile
// package's import, run by the process role).
type Importer interface {
	// RequestImport asks for the shop's history since the given time (zero:
	// the default window) up to now, and returns the new status.
	RequestImport(ctx context.Context, shop string, since time.Time) (any, error)
	// ImportStatus returns the shop's latest import; ok is false when none
	// was asked for.
	ImportStatus(ctx context.Context, shop string) (status any, ok bool, err error)
}

// ErrNoImport is what an Importer returns for a shop it cannot import
// from (no API credentials, or a platform without an import); the API
// answers 422.
var ErrNoImport = errors.New("the shop cannot be imported")

// ImportsConfig configures MountImports.
type ImportsConfig struct {
	// Token is the admin API's bearer token. Required: empty mounts nothing.
	Token    string
	Importer Importer
	// Known reports whether a shop id is served.
	Known func(shop string) bool
}

// MountImports registers the history import routes of the admin API:
// POST /api/v1/imports?shop=S[&since=YYYY-MM-DD] starts an import (202),
// GET /api/v1/imports?shop=S reports the latest one.
func MountImports(mux *http.ServeMux, cfg ImportsConfig) {
	if cfg.Token == "" || cfg.Importer == nil || cfg.Known == nil {
		return
	}
	mux.Handle("POST /api/v1/imports", bearer(cfg.Token, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		shop, ok := knownShop(w, r, cfg.Known)
		if !ok {
			return
		}
		var since time.Time
		if s := r.URL.Query().Get("since"); s != "" {
			t, err := time.Parse(time.DateOnly, s)
			if err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": "since must be a date, YYYY-MM-DD"})
				return
			}
			since = t
		}
		st, err := cfg.Importer.RequestImport(r.Context(), shop, since)
		switch {
		case errors.Is(err, ErrNoImport):
			writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": err.Error()})
		case err != nil:
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "the import could not be requested; try again"})
		default:
			writeJSON(w, http.StatusAccepted, st)
		}
	})))
	mux.Handle("GET /api/v1/imports", bearer(cfg.Token, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		shop, ok := knownShop(w, r, cfg.Known)
		if !ok {
			return
		}
		st, found, err := cfg.Importer.ImportStatus(r.Context(), shop)
		switch {
		case err != nil:
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "the import status could not be read; try again"})
		case !found:
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "no import was asked for this shop"})
		default:
			writeJSON(w, http.StatusOK, st)
		}
	})))
}

// knownShop reads the shop query parameter, answering 400 or 404 itself
// when it is missing or unknown.
func knownShop(w http.ResponseWriter, r *http.Request, known func(string) bool) (string, bool) {
	shop := r.URL.Query().Get("shop")
	switch {
	case shop == "":
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "the shop parameter is required"})
		return "", false
	case !known(shop):
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "unknown shop"})
		return "", false
	}
	return shop, true
}
