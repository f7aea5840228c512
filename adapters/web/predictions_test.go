package web_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/web"
)

func TestPredictionsAPI(t *testing.T) {
	t.Parallel()
	var asked []string
	var fail error
	mux := http.NewServeMux()
	web.MountPredictions(mux, web.PredictionsConfig{
		Token: "tok", Known: func(s string) bool { return s == "acme" },
		Refit: func(_ context.Context, shop string) error {
			if fail != nil {
				return fail
			}
			asked = append(asked, shop)
			return nil
		},
	})
	do := func(url, token string) int {
		req := httptest.NewRequestWithContext(context.Background(), http.MethodPost, url, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		return rec.Code
	}
	require.Equal(t, http.StatusUnauthorized, do("/api/v1/predictions?shop=acme", ""))
	require.Equal(t, http.StatusNotFound, do("/api/v1/predictions?shop=other", "tok"))
	require.Equal(t, http.StatusBadRequest, do("/api/v1/predictions", "tok"))
	require.Equal(t, http.StatusAccepted, do("/api/v1/predictions?shop=acme", "tok"))
	require.Equal(t, []string{"acme"}, asked)
	fail = errors.New("nats down")
	require.Equal(t, http.StatusServiceUnavailable, do("/api/v1/predictions?shop=acme", "tok"))
}
