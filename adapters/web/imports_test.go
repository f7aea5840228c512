package web_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/web"
)

type importer struct {
	asked map[string]time.Time
	fail  error
}

func (i *importer) RequestImport(_ context.Context, shop string, since time.Time) (any, error) {
	if i.fail != nil {
		return nil, i.fail
	}
	i.asked[shop] = since
	return map[string]string{"shop": shop, "state": "requested"}, nil
}

func (i *importer) ImportStatus(_ context.Context, shop string) (any, bool, error) {
	if _, ok := i.asked[shop]; !ok {
		return nil, false, nil
	}
	return map[string]string{"shop": shop, "state": "requested"}, true, nil
}

func TestImportsAPI(t *testing.T) {
	t.Parallel()
	imp := &importer{asked: map[string]time.Time{}}
	mux := http.NewServeMux()
	web.MountImports(mux, web.ImportsConfig{
		Token: "tok", Importer: imp, Known: func(s string) bool { return s == "acme" || s == "bare" },
	})
	do := func(method, url, token string) int {
		req := httptest.NewRequestWithContext(context.Background(), method, url, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		return rec.Code
	}
	require.Equal(t, http.StatusUnauthorized, do("POST", "/api/v1/imports?shop=acme", ""))
	require.Equal(t, http.StatusUnauthorized, do("POST", "/api/v1/imports?shop=acme", "wrong"))
	require.Equal(t, http.StatusNotFound, do("GET", "/api/v1/imports?shop=acme", "tok"), "nothing asked yet")
	require.Equal(t, http.StatusBadRequest, do("POST", "/api/v1/imports", "tok"))
	require.Equal(t, http.StatusNotFound, do("POST", "/api/v1/imports?shop=other", "tok"))
	require.Equal(t, http.StatusBadRequest, do("POST", "/api/v1/imports?shop=acme&since=last-year", "tok"))

	require.Equal(t, http.StatusAccepted, do("POST", "/api/v1/imports?shop=acme&since=2025-01-31", "tok"))
	require.Equal(t, time.Date(2025, 1, 31, 0, 0, 0, 0, time.UTC), imp.asked["acme"])
	require.Equal(t, http.StatusOK, do("GET", "/api/v1/imports?shop=acme", "tok"))

	imp.fail = web.ErrNoImport
	require.Equal(t, http.StatusUnprocessableEntity, do("POST", "/api/v1/imports?shop=bare", "tok"))
	imp.fail = errors.New("redis down")
	require.Equal(t, http.StatusServiceUnavailable, do("POST", "/api/v1/imports?shop=bare", "tok"))
}
