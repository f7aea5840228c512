package web

import (
	"context"
	"net/http"
)

// PredictionsConfig configures MountPredictions.
type PredictionsConfig struct {
	// Token is the admin API's bearer token. Required: empty mounts nothing.
	Token string
	// Known reports whether a shop id is served.
	Known func(shop string) bool
	// Refit asks the predict role to refit the shop's models now.
	Refit func(ctx context.Context, shop string) error
}

// MountPredictions registers POST /api/v1/predictions?shop=S: the shop's
// customer-lifetime models are refitted at once by the predict role, and
// the customers whose churn band moved get prediction.updated (202).
func MountPredictions(mux *http.ServeMux, cfg PredictionsConfig) {
	if cfg.Token == "" || cfg.Known == nil || cfg.Refit == nil {
		return
	}
	mux.Handle("POST /api/v1/predictions", bearer(cfg.Token, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		shop, ok := knownShop(w, r, cfg.Known)
		if !ok {
			return
		}
		if err := cfg.Refit(r.Context(), shop); err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "the refit could not be asked for; try again"})
			return
		}
		writeJSON(w, http.StatusAccepted, map[string]string{"shop": shop, "state": "requested"})
	})))
}
