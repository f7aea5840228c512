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

func TestFlowsAPI(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	fail := false
	web.MountAPI(mux, web.APIConfig{
		Token: "tok",
		Shops: func() []string { return []string{"demo"} },
		Flows: func(_ context.Context, shop string) (any, error) {
			if fail {
				return nil, errors.New("redis down")
			}
			return map[string]any{"shop": shop, "flows": []string{"welcome-series"}}, nil
		},
	})
	get := func(url, token string) (int, string) {
		req := httptest.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, req)
		return w.Code, strings.TrimSpace(w.Body.String())
	}
	code, _ := get("/api/v1/flows", "")
	require.Equal(t, http.StatusUnauthorized, code)
	code, body := get("/api/v1/flows", "tok")
	require.Equal(t, http.StatusOK, code, "the only shop")
	require.JSONEq(t, `{"shop":"demo","flows":["welcome-series"]}`, body)
	code, body = get("/api/v1/flows?shop=other", "tok")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, `"shop":"other"`)
	fail = true
	code, _ = get("/api/v1/flows", "tok")
	require.Equal(t, http.StatusServiceUnavailable, code)
}
