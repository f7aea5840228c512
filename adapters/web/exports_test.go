package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/adapters/redis/redistest"
	"github.com/boomerang-dev/boomerang/adapters/web"
)

type exportsBundle struct {
	mux   *http.ServeMux
	store *redis.Exports
	clock *atomic.Int64 // unix ms
	shops []string
}

// setupExports mounts the routes on a real Redis-backed store.
func setupExports(tb testing.TB) *exportsBundle {
	tb.Helper()
	env := redistest.Start(tb)
	b := &exportsBundle{mux: http.NewServeMux(), clock: &atomic.Int64{}, shops: []string{"demo"}}
	b.clock.Store(time.Now().UnixMilli())
	b.store = redis.NewExports(env.Client, redis.Keys{Prefix: env.Prefix}, func() time.Time { return time.UnixMilli(b.clock.Load()) })
	web.MountExports(b.mux, web.ExportsConfig{Token: "tok", Store: b.store, Shops: func() []string { return b.shops }})
	return b
}

func (b *exportsBundle) save(tb testing.TB, id, email string, requested time.Time) {
	tb.Helper()
	sum, err := json.Marshal(map[string]any{
		"id": id, "shop": "demo", "customer": map[string]string{"email": email},
		"requested_at": requested, "ready_at": time.UnixMilli(b.clock.Load()), "expires_at": time.UnixMilli(b.clock.Load()).Add(30 * 24 * time.Hour),
	})
	require.NoError(tb, err)
	_, err = b.store.Save(context.Background(), &redis.Export{
		ID: id, Shop: "demo", Customers: []string{"e:" + email}, Summary: sum,
		Document: []byte(`{"id":"` + id + `","customer":{"email":"` + email + `"}}`), ExpiresAt: time.UnixMilli(b.clock.Load()).Add(30 * 24 * time.Hour),
	})
	require.NoError(tb, err)
}

func (b *exportsBundle) get(path, token string) *httptest.ResponseRecorder {
	req := httptest.NewRequestWithContext(context.Background(), http.MethodGet, path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	b.mux.ServeHTTP(w, req)
	return w
}

func TestDataRequestsAPI(t *testing.T) {
	t.Parallel()
	b := setupExports(t)
	t0 := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	// Written out of request order: the list is by request time.
	b.save(t, "0b", "bo@example.com", t0.Add(time.Hour))
	b.save(t, "0a", "ann@example.com", t0)
	b.save(t, "0c", "cy@example.com", t0.Add(2*time.Hour))

	for _, path := range []string{"/api/v1/data-requests?shop=demo", "/api/v1/data-requests/0a?shop=demo"} {
		for _, token := range []string{"", "wrong"} {
			w := b.get(path, token)
			require.Equal(t, http.StatusUnauthorized, w.Code, "%s with %q", path, token)
			require.NotContains(t, w.Body.String(), "example.com")
		}
	}

	w := b.get("/api/v1/data-requests?shop=demo", "tok")
	require.Equal(t, http.StatusOK, w.Code)
	require.Equal(t, "no-store", w.Header().Get("Cache-Control"))
	var list struct {
		Requests []struct {
			ID       string            `json:"id"`
			Shop     string            `json:"shop"`
			Customer map[string]string `json:"customer"`
		} `json:"requests"`
	}
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &list))
	require.Len(t, list.Requests, 3)
	require.Equal(t, []string{"0c", "0b", "0a"}, []string{list.Requests[0].ID, list.Requests[1].ID, list.Requests[2].ID}, "newest request first")
	require.Equal(t, "ann@example.com", list.Requests[2].Customer["email"])

	w = b.get("/api/v1/data-requests", "tok")
	require.Equal(t, http.StatusOK, w.Code, "the only shop when none is named")

	w = b.get("/api/v1/data-requests/0a?shop=demo", "tok")
	require.Equal(t, http.StatusOK, w.Code)
	require.Equal(t, "application/json", w.Header().Get("Content-Type"))
	require.Equal(t, `attachment; filename="data-request-demo-0a.json"`, w.Header().Get("Content-Disposition"))
	require.JSONEq(t, `{"id":"0a","customer":{"email":"ann@example.com"}}`, w.Body.String())

	require.Equal(t, http.StatusNotFound, b.get("/api/v1/data-requests/0f?shop=demo", "tok").Code, "unknown")
	require.Equal(t, http.StatusNotFound, b.get("/api/v1/data-requests/ZZ?shop=demo", "tok").Code, "not an export id")
	require.Equal(t, http.StatusNotFound, b.get("/api/v1/data-requests/0a?shop=other", "tok").Code, "another shop's id")

	b.shops = []string{"demo", "other"}
	require.Equal(t, http.StatusBadRequest, b.get("/api/v1/data-requests", "tok").Code, "several shops: name one")
	require.Equal(t, http.StatusBadRequest, b.get("/api/v1/data-requests?shop="+url.QueryEscape("../x"), "tok").Code)

	// 30 days later the exports have expired.
	b.clock.Add((30*24*time.Hour + time.Second).Milliseconds())
	require.Equal(t, http.StatusNotFound, b.get("/api/v1/data-requests/0a?shop=demo", "tok").Code, "expired")
	w = b.get("/api/v1/data-requests?shop=demo", "tok")
	require.Equal(t, http.StatusOK, w.Code)
	require.JSONEq(t, `{"requests":[]}`, w.Body.String())
}

func TestDataRequestsNeedATokenAndAStore(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	web.MountExports(mux, web.ExportsConfig{Store: nil, Token: "tok"})
	web.MountExports(mux, web.ExportsConfig{Token: ""})
	req := httptest.NewRequestWithContext(context.Background(), http.MethodGet, "/api/v1/data-requests?shop=demo", nil)
	req.Header.Set("Authorization", "Bearer tok")
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, req)
	require.Equal(t, http.StatusNotFound, w.Code, "nothing mounted")
}

// FuzzDataRequestRoute: whatever the id and shop, the route answers 200
// only for the stored export, else 400 or 404 (or the mux's redirect of a
// path with dot segments), and never fails.
func FuzzDataRequestRoute(f *testing.F) {
	for _, s := range [][2]string{
		{"0a", "demo"},
		{"0a", ""},
		{"0A", "demo"},
		{"", "demo"},
		{"0a", "DEMO"},
		{"0a/..", "demo"},
		{"..", "demo"},
		{"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff0", "demo"},
		{"0a", "demo&shop=x"},
		{"0a", "other"},
	} {
		f.Add(s[0], s[1])
	}
	b := setupExports(f)
	b.save(f, "0a", "ann@example.com", time.Now())
	f.Fuzz(func(t *testing.T, id, shop string) {
		w := b.get("/api/v1/data-requests/"+url.PathEscape(id)+"?shop="+url.QueryEscape(shop), "tok")
		switch w.Code {
		case http.StatusOK:
			require.Equal(t, "0a", id)
			require.Contains(t, []string{"demo", ""}, shop)
			require.Contains(t, w.Body.String(), "ann@example.com")
		case http.StatusBadRequest, http.StatusNotFound, http.StatusMovedPermanently, http.StatusTemporaryRedirect:
		default:
			t.Fatalf("id %q shop %q: status %d", id, shop, w.Code)
		}
	})
}
