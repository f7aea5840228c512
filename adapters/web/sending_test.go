package web_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/web"
)

func TestShopSendingAPI(t *testing.T) {
	t.Parallel()
	var fail error
	mux := http.NewServeMux()
	web.MountShopSending(mux, web.SendingConfig{
		Token: "tok",
		Update: func(_ context.Context, shop string, body []byte) (any, error) {
			if fail != nil {
				return nil, fail
			}
			return map[string]string{"shop": shop, "body": string(body)}, nil
		},
	})
	do := func(body, token string) int {
		req := httptest.NewRequestWithContext(context.Background(), http.MethodPut, "/api/v1/shops/acme/sending", strings.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		return rec.Code
	}
	require.Equal(t, http.StatusUnauthorized, do(`{}`, ""))
	require.Equal(t, http.StatusOK, do(`{}`, "tok"))
	require.Equal(t, http.StatusRequestEntityTooLarge, do(strings.Repeat("x", 65<<10), "tok"))
	for err, code := range map[error]int{
		web.ErrUnknownShop:   http.StatusNotFound,
		web.ErrManagedByFile: http.StatusConflict,
		errors.Join(web.ErrInvalidSettings, errors.New("bad domain")): http.StatusBadRequest,
		errors.New("redis down"): http.StatusServiceUnavailable,
	} {
		fail = err
		require.Equal(t, code, do(`{}`, "tok"), "%v", err)
	}
}
