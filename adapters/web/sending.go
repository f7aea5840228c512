package web

import (
	"context"
	"errors"
	"io"
	"net/http"
)

// maxSendingBody bounds a sending-settings request.
const maxSendingBody = 64 << 10

// Errors a SendingConfig.Update returns, each its own answer.
var (
	// ErrUnknownShop: 404.
	ErrUnknownShop = errors.New("unknown shop")
	// ErrManagedByFile: 409; the shop's record is the shops file's.
	ErrManagedByFile = errors.New("the shop is configured by the shops file; change it there")
	// ErrInvalidSettings wraps what is wrong with the request: 400.
	ErrInvalidSettings = errors.New("invalid sending settings")
)

// SendingConfig configures MountShopSending.
type SendingConfig struct {
	// Token is the admin API's bearer token. Required: empty mounts nothing.
	Token string
	// Update applies the JSON body to the shop's sending settings and
	// returns what the API shows of them (never a credential).
	Update func(ctx context.Context, shop string, body []byte) (any, error)
}

// MountShopSending registers PUT /api/v1/shops/{shop}/sending: a hosted
// service gives an installed shop its own SendGrid and Twilio accounts and
// sender identity (docs/senders.md, "Per-shop accounts and rate limits").
func MountShopSending(mux *http.ServeMux, cfg SendingConfig) {
	if cfg.Token == "" || cfg.Update == nil {
		return
	}
	mux.Handle("PUT /api/v1/shops/{shop}/sending", bearer(cfg.Token, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxSendingBody))
		if err != nil {
			writeJSON(w, http.StatusRequestEntityTooLarge, map[string]string{"error": "the body is over 64 KiB"})
			return
		}
		out, err := cfg.Update(r.Context(), r.PathValue("shop"), body)
		switch {
		case errors.Is(err, ErrUnknownShop):
			writeJSON(w, http.StatusNotFound, map[string]string{"error": err.Error()})
		case errors.Is(err, ErrManagedByFile):
			writeJSON(w, http.StatusConflict, map[string]string{"error": err.Error()})
		case errors.Is(err, ErrInvalidSettings):
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		case err != nil:
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "the settings could not be saved; try again"})
		default:
			writeJSON(w, http.StatusOK, out)
		}
	})))
}
