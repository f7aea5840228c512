package cli_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/install/shopify"
	"github.com/boomerang-dev/boomerang/cmd/internal/cli"
)

// fakeShopifyAdmin answers the token endpoint and the GraphQL calls an
// install makes, for one app.
type fakeShopifyAdmin struct {
	mu   sync.Mutex
	subs []string
	// listed counts the history import's list queries made with the
	// installed shop's token.
	listed int
}

func (f *fakeShopifyAdmin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch {
	case strings.HasSuffix(r.URL.Path, "/admin/oauth/access_token"):
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		if body["client_id"] != "app-key" || body["client_secret"] != "app-secret" || body["code"] != "code-1" {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"error":"invalid_request"}`)
			return
		}
		_, _ = io.WriteString(w, `{"access_token":"shpat_e2e","scope":"`+strings.Join(shopify.DefaultScopes, ",")+
			`","expires_in":3600,"refresh_token":"shprt_e2e","refresh_token_expires_in":7776000}`)
	case strings.HasSuffix(r.URL.Path, "/graphql.json"):
		var req struct {
			Query     string         `json:"query"`
			Variables map[string]any `json:"variables"`
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		switch {
		case strings.Contains(req.Query, "webhookSubscriptionCreate("):
			topic, _ := req.Variables["topic"].(string)
			f.subs = append(f.subs, topic)
			_, _ = io.WriteString(w, `{"data":{"webhookSubscriptionCreate":{"webhookSubscription":{"id":"gid://shopify/WebhookSubscription/`+
				strconv.Itoa(len(f.subs))+`","topic":"`+topic+`","uri":"x","format":"JSON"},"userErrors":[]}}}`)
		case strings.Contains(req.Query, "webhookSubscriptions("):
			_, _ = io.WriteString(w, `{"data":{"webhookSubscriptions":{"nodes":[],"pageInfo":{"hasNextPage":false,"endCursor":null}}}}`)
		case strings.Contains(req.Query, "orders(") || strings.Contains(req.Query, "customers("):
			if r.Header.Get("X-Shopify-Access-Token") != "shpat_e2e" {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			f.listed++
			root := "orders"
			if strings.Contains(req.Query, "customers(") {
				root = "customers"
			}
			_, _ = io.WriteString(w, `{"data":{"`+root+`":{"nodes":[],"pageInfo":{"hasNextPage":false,"endCursor":null}}}}`)
		case strings.Contains(req.Query, "shop {"):
			_, _ = io.WriteString(w, `{"data":{"shop":{"name":"Acme","email":"owner@acme.example","contactEmail":"hello@acme.example","ianaTimezone":"Europe/Berlin"}}}`)
		default:
			_, _ = io.WriteString(w, `{"errors":[{"message":"unknown"}]}`)
		}
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

// An install through serve makes a shop whose webhooks are accepted at once.
func TestServeInstallsAShopifyShop(t *testing.T) {
	t.Parallel()
	fake := &fakeShopifyAdmin{}
	admin := httptest.NewServer(fake)
	t.Cleanup(admin.Close)
	dir := t.TempDir()
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- cli.Run(ctx, []string{"serve", "--http-addr", "127.0.0.1:0", "--data-dir", dir, "--log-level", "warn"}, cli.IO{
			Stdout: syncBuffer{pw}, Stderr: io.Discard,
			Getenv: env(map[string]string{
				"BOOMERANG_SHOPIFY_API_KEY": "app-key", "BOOMERANG_SHOPIFY_API_SECRET": "app-secret",
				"BOOMERANG_SHOPIFY_URL": admin.URL + "/{shop}",
			}),
		})
		_ = pw.Close()
	}()
	banner := readBanner(t, pr)
	base := banner["url"]
	require.Eventually(t, func() bool { return status(t, http.MethodGet, base+"/readyz", nil, nil) == http.StatusOK },
		20*time.Second, 20*time.Millisecond)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string, q url.Values) (int, http.Header) {
		q.Set("timestamp", strconv.FormatInt(time.Now().Unix(), 10))
		q.Set("hmac", shopify.SignQuery("app-secret", q))
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path+"?"+q.Encode(), nil)
		require.NoError(t, err)
		resp, err := client.Do(req)
		require.NoError(t, err)
		_ = resp.Body.Close()
		return resp.StatusCode, resp.Header
	}
	const domain = "acme.myshopify.com"
	hook := func() int {
		body := []byte(`{"id":820982911946154508,"email":"jon@example.com","updated_at":"2026-03-14T12:00:00Z","created_at":"2026-03-14T12:00:00Z","line_items":[]}`)
		mac := hmac.New(sha256.New, []byte("app-secret"))
		mac.Write(body)
		h := http.Header{}
		h.Set("X-Shopify-Topic", "orders/create")
		h.Set("X-Shopify-Shop-Domain", domain)
		h.Set("X-Shopify-Webhook-Id", "w-1")
		h.Set("X-Shopify-Hmac-Sha256", base64.StdEncoding.EncodeToString(mac.Sum(nil)))
		return status(t, http.MethodPost, base+"/webhooks/shopify", h, body)
	}
	require.Equal(t, http.StatusNotFound, hook(), "not installed yet")

	code, header := get(shopify.InstallPath, url.Values{"shop": {domain}})
	require.Equal(t, http.StatusFound, code)
	loc, err := url.Parse(header.Get("Location"))
	require.NoError(t, err)
	require.Equal(t, "/"+domain+"/admin/oauth/authorize", loc.Path)
	state := loc.Query().Get("state")
	require.NotEmpty(t, state)

	code, _ = get(shopify.CallbackPath, url.Values{"shop": {domain}, "code": {"code-1"}, "state": {state}})
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, fake.subs, "ORDERS_CREATE", "webhooks subscribed")
	require.Equal(t, http.StatusOK, hook(), "the installed shop's webhooks are accepted")

	code, _ = get(shopify.CallbackPath, url.Values{"shop": {domain}, "code": {"code-1"}, "state": {state}})
	require.Equal(t, http.StatusForbidden, code, "a replayed callback is refused")

	// The install asked for the store's history, which the process role
	// imported through the shop's Admin API with its new token.
	require.Eventually(t, func() bool {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/imports?shop="+shopify.ShopID(domain), nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+banner["token"])
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var st map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&st)
		return st["state"] == "done"
	}, 30*time.Second, 100*time.Millisecond, "the history import ran")
	fake.mu.Lock()
	listed := fake.listed
	fake.mu.Unlock()
	require.GreaterOrEqual(t, listed, 2, "orders and customers were listed")

	// A hosted service gives the installed shop its own sending accounts.
	put := func(shopID, body string) (int, string) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPut, base+"/api/v1/shops/"+shopID+"/sending", strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+banner["token"])
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		out, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(out)
	}
	id := shopify.ShopID(domain)
	code, out := put(id, `{"email":{"from":"Acme <hello@mail.acme.example>","sending_domain":"mail.acme.example","sendgrid_api_key":"SG.acme-own"},`+
		`"sms":{"twilio_account_sid":"AC0123456789abcdef0123456789abcdef","twilio_auth_token":"0123456789abcdef0123456789abcdef","from":"+15005550006"}}`)
	require.Equal(t, http.StatusOK, code, out)
	require.Contains(t, out, `"sendgrid_api_key_set":true`)
	require.Contains(t, out, `"twilio_account_set":true`)
	require.NotContains(t, out, "SG.acme-own", "a credential is never echoed")
	code, out = put(id, `{"email":{"from":"Acme <hello@elsewhere.example>"}}`)
	require.Equal(t, http.StatusBadRequest, code, "From must stay at the sending domain: %s", out)
	code, _ = put(id, `{"email":{"sendgrid_key":"typo"}}`)
	require.Equal(t, http.StatusBadRequest, code, "unknown fields are refused")
	code, _ = put("demo", `{}`)
	require.Equal(t, http.StatusConflict, code, "the shops file's shop is changed in the file")
	code, _ = put("nope", `{}`)
	require.Equal(t, http.StatusNotFound, code)

	cancel()
	select {
	case exit := <-done:
		require.Equal(t, 0, exit)
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
}
