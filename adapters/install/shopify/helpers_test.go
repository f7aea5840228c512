package shopify_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/install/shopify"
	"github.com/boomerang-dev/boomerang/adapters/redis/redistest"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/adapters/vault"
)

const (
	testAPIKey    = "app-client-id"
	testAPISecret = "app-client-secret"
	testSecretKey = "boomerang-secret-key"
	testHost      = "YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvYWNtZQ"
)

// testNow is the tests' clock.
var testNow = time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC)

// testBundle is one test's Boomerang and Shopify.
type testBundle struct {
	fake    *fakeShopify
	env     *redistest.Env
	client  *shopify.Client
	tokens  *shopify.RedisTokenStore
	states  *shopify.RedisStates
	saver   *recordingSaver
	server  *httptest.Server
	browser *http.Client
	public  string
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	b := &testBundle{fake: newFakeShopify(t, testAPIKey, testAPISecret), env: redistest.Start(t), saver: &recordingSaver{}}
	var err error
	b.client, err = shopify.NewClient(shopify.ClientConfig{
		APIKey: testAPIKey, APISecret: testAPISecret, ShopURL: b.fake.shopURL(),
		Now: func() time.Time { return testNow },
	})
	require.NoError(t, err)
	keys, err := vault.NewKeyring(vault.Key{Secret: testSecretKey})
	require.NoError(t, err)
	b.tokens, err = shopify.NewRedisTokenStore(b.env.Client, b.env.Prefix, keys)
	require.NoError(t, err)
	b.states = shopify.NewRedisStates(b.env.Client, b.env.Prefix)

	mux := http.NewServeMux()
	b.server = httptest.NewServer(mux)
	t.Cleanup(b.server.Close)
	b.public = b.server.URL
	require.NoError(t, shopify.Mount(mux, shopify.Config{
		Client: b.client, PublicURL: b.public, States: b.states, Tokens: b.tokens, Saver: b.saver,
	}))
	b.browser = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	t.Cleanup(b.browser.CloseIdleConnections)
	return b
}

// response is an answer read whole.
type response struct {
	status   int
	location string
	body     string
}

// get fetches a path of Boomerang's server without following redirects.
func (b *testBundle) get(t *testing.T, path string, q url.Values) response {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, b.public+path+"?"+q.Encode(), nil)
	require.NoError(t, err)
	resp, err := b.browser.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return response{status: resp.StatusCode, location: resp.Header.Get("Location"), body: string(body)}
}

// shopifySign signs params as Shopify does. It is written independently of
// the package: the tests' values need no escaping, so the message is plain
// sorted key=value pairs.
func shopifySign(secret string, params url.Values) url.Values {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+"="+params.Get(k))
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strings.Join(parts, "&")))
	out := url.Values{}
	maps.Copy(out, params)
	out.Set("hmac", hex.EncodeToString(m.Sum(nil)))
	return out
}

// installQuery is Shopify's signed request to the app URL.
func installQuery(domain string, at time.Time) url.Values {
	return shopifySign(testAPISecret, url.Values{
		"shop": {domain}, "host": {testHost}, "timestamp": {strconv.FormatInt(at.Unix(), 10)},
	})
}

// callbackQuery is Shopify's signed redirect to the callback.
func callbackQuery(domain, code, state string, at time.Time) url.Values {
	return shopifySign(testAPISecret, url.Values{
		"shop": {domain}, "host": {testHost}, "code": {code}, "state": {state},
		"timestamp": {strconv.FormatInt(at.Unix(), 10)},
	})
}

// startInstall runs the install request and returns the authorize URL's
// query after checking the redirect.
func (b *testBundle) startInstall(t *testing.T, domain string) url.Values {
	t.Helper()
	res := b.get(t, shopify.InstallPath, installQuery(domain, testNow))
	require.Equal(t, http.StatusFound, res.status, res.body)
	u, err := url.Parse(res.location)
	require.NoError(t, err)
	require.Equal(t, b.fake.srv.URL+"/"+domain+"/admin/oauth/authorize", u.Scheme+"://"+u.Host+u.Path)
	return u.Query()
}

// recordingSaver keeps the shops saved.
type recordingSaver struct {
	mu    sync.Mutex
	shops map[string]shop.Shop
	err   error
}

func (s *recordingSaver) Save(_ context.Context, sh *shop.Shop) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	if s.shops == nil {
		s.shops = map[string]shop.Shop{}
	}
	s.shops[sh.ID] = *sh
	return nil
}

func (s *recordingSaver) get(id string) (shop.Shop, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sh, ok := s.shops[id]
	return sh, ok
}

func (s *recordingSaver) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.shops)
}

// newMux mounts the handlers again with another tolerance.
func newMux(t *testing.T, b *testBundle, tolerance time.Duration) *http.ServeMux {
	t.Helper()
	mux := http.NewServeMux()
	require.NoError(t, shopify.Mount(mux, shopify.Config{
		Client: b.client, PublicURL: b.public, States: b.states, Tokens: b.tokens, Saver: b.saver, Tolerance: tolerance,
	}))
	return mux
}

// serve runs one GET through mux and returns the status.
func serve(t *testing.T, mux http.Handler, path string, q url.Values) int {
	t.Helper()
	req := httptest.NewRequestWithContext(context.Background(), http.MethodGet, path+"?"+q.Encode(), nil)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	return rec.Code
}
