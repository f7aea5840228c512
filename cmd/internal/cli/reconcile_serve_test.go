package cli_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/adapters/redis/redistest"
	"github.com/boomerang-dev/boomerang/adapters/woocommerce"
	"github.com/boomerang-dev/boomerang/cmd/internal/cli"
	"github.com/boomerang-dev/boomerang/processor/redisstore"
)

// wooStore answers GET /wp-json/wc/v3/orders as WooCommerce does: orders
// modified after modified_after, oldest first, one page.
type wooStore struct {
	mu     sync.Mutex
	orders []map[string]any
	polls  atomic.Int64
}

func (s *wooStore) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/wp-json/wc/v3/customers" {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Wp-Totalpages", "1")
		_, _ = w.Write([]byte(`[]`))
		return
	}
	if r.URL.Path != "/wp-json/wc/v3/orders" {
		http.NotFound(w, r)
		return
	}
	s.polls.Add(1)
	after, err := time.Parse("2006-01-02T15:04:05", r.URL.Query().Get("modified_after"))
	if err != nil {
		http.Error(w, `{"code":"rest_invalid_param"}`, http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	var out []map[string]any
	for _, o := range s.orders {
		m, _ := time.Parse("2006-01-02T15:04:05", o["date_modified_gmt"].(string))
		if m.After(after) {
			out = append(out, o)
		}
	}
	s.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		return out[i]["date_modified_gmt"].(string) < out[j]["date_modified_gmt"].(string)
	})
	if out == nil {
		out = []map[string]any{}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Wp-Totalpages", "1")
	_ = json.NewEncoder(w).Encode(out)
}

// wooStoreOrder is the documented order.created sample as order id, placed by
// email at the given time.
func wooStoreOrder(t *testing.T, id int, email string, at time.Time) map[string]any {
	t.Helper()
	raw, err := os.ReadFile("../../../adapters/woocommerce/testdata/webhooks/order.created.json")
	require.NoError(t, err)
	var o map[string]any
	require.NoError(t, json.Unmarshal(raw, &o))
	gmt := at.UTC().Format("2006-01-02T15:04:05")
	o["id"], o["number"] = id, fmt.Sprint(id)
	for _, k := range []string{"date_created", "date_created_gmt", "date_modified", "date_modified_gmt", "date_paid", "date_paid_gmt"} {
		o[k] = gmt
	}
	o["billing"].(map[string]any)["email"] = email
	return o
}

// A WooCommerce order whose webhook never came is published by the
// reconciler, and the order whose webhook did come is not confirmed twice,
// however many polls list it.
func TestServeReconcilerFillsADroppedWebhookExactlyOnce(t *testing.T) {
	t.Parallel()
	store := &wooStore{}
	site := httptest.NewServer(store)
	defer site.Close()
	now := time.Now().Add(-2 * time.Minute)
	delivered := wooStoreOrder(t, 101, "ann@example.com", now)
	dropped := wooStoreOrder(t, 102, "bo@example.com", now.Add(time.Second))
	store.orders = []map[string]any{delivered, dropped}

	dir := t.TempDir()
	shops := filepath.Join(dir, "shops.yaml")
	require.NoError(t, os.WriteFile(shops, []byte(fmt.Sprintf(`shops:
  - id: woo
    platform: woocommerce
    domain: %s
    api_url: %s
    api_token: ck_test:cs_test
    webhook_secret: woo-secret
    email: {from: "Woo Store <hello@woo.example>", address: "1 Main St, Springfield"}
`, site.URL, site.URL)), 0o600))
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- cli.Run(ctx, []string{"serve", "--http-addr", "127.0.0.1:0", "--data-dir", dir, "--log-level", "warn"},
			cli.IO{Stdout: syncBuffer{pw}, Stderr: io.Discard, Getenv: env(map[string]string{
				"BOOMERANG_SHOPS": shops, "BOOMERANG_RECONCILE_INTERVAL": "1s",
			})})
		_ = pw.Close()
	}()
	banner := readBanner(t, pr)
	base, token := banner["url"], banner["token"]
	require.Eventually(t, func() bool { return status(t, http.MethodGet, base+"/readyz", nil, nil) == http.StatusOK },
		20*time.Second, 20*time.Millisecond)

	body, err := json.Marshal(delivered)
	require.NoError(t, err)
	h := http.Header{}
	h.Set(woocommerce.HeaderSource, site.URL+"/")
	h.Set(woocommerce.HeaderTopic, "order.created")
	h.Set(woocommerce.HeaderResource, "order")
	h.Set(woocommerce.HeaderEvent, "created")
	h.Set(woocommerce.HeaderWebhookID, "7")
	h.Set(woocommerce.HeaderDeliveryID, "d-1")
	h.Set(woocommerce.HeaderSignature, woocommerce.Sign("woo-secret", body))
	require.Equal(t, http.StatusOK, status(t, http.MethodPost, base+"/webhooks/woocommerce", h, body))

	confirmations := func() map[string]int {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/outbox?shop=woo&limit=1000", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var out struct {
			Messages []map[string]any `json:"messages"`
		}
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
		got := map[string]int{}
		for _, m := range out.Messages {
			if strings.HasPrefix(fmt.Sprint(m["template"]), "order-confirmation") {
				got[fmt.Sprint(m["to"])]++
			}
		}
		return got
	}
	require.Eventually(t, func() bool { return confirmations()["bo@example.com"] == 1 }, 30*time.Second, 100*time.Millisecond,
		"the reconciler publishes the order whose webhook was dropped")
	require.Eventually(t, func() bool { return confirmations()["ann@example.com"] == 1 }, 30*time.Second, 100*time.Millisecond)
	// Several more polls list both orders again.
	polled := store.polls.Load()
	require.Eventually(t, func() bool { return store.polls.Load() >= polled+3 }, 30*time.Second, 100*time.Millisecond)
	time.Sleep(500 * time.Millisecond)
	require.Equal(t, map[string]int{"ann@example.com": 1, "bo@example.com": 1}, confirmations(),
		"each order is confirmed exactly once: the webhook's and the polls' copies have one effect")
	// And not only because the flow runs once per order: a polled copy of
	// the delivered order came under another delivery identity (the
	// order.updated one's paid transition) and the processor recognised it
	// by its semantic key. (Copies with the webhook's own identity stop at
	// JetStream's publish dedup.)
	resp, err := http.Get(base + "/metrics") //nolint:noctx // a test
	require.NoError(t, err)
	metrics, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	_ = resp.Body.Close()
	require.Contains(t, string(metrics), `boomerang_processor_events_total{outcome="duplicate",type="order.paid"}`)

	cancel()
	select {
	case code := <-done:
		require.Equal(t, 0, code)
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
}

// An import publishes the store's last two years as history: profiles are
// built, no flow starts.
func TestServeImportsAStoresHistoryWithoutStartingFlows(t *testing.T) {
	t.Parallel()
	store := &wooStore{}
	site := httptest.NewServer(store)
	defer site.Close()
	now := time.Now()
	store.orders = []map[string]any{
		wooStoreOrder(t, 201, "ann@example.com", now.AddDate(0, 0, -400)),
		wooStoreOrder(t, 202, "ann@example.com", now.AddDate(0, 0, -100)),
		wooStoreOrder(t, 203, "cy@example.com", now.AddDate(-3, 0, 0)),
	}
	rdb := redistest.StartPrivate(t)
	dir := t.TempDir()
	shops := filepath.Join(dir, "shops.yaml")
	require.NoError(t, os.WriteFile(shops, []byte(fmt.Sprintf(`shops:
  - id: woo
    platform: woocommerce
    domain: %s
    api_token: ck_test:cs_test
    webhook_secret: woo-secret
    email: {from: "Woo Store <hello@woo.example>", address: "1 Main St, Springfield"}
  - id: nokeys
    platform: woocommerce
    domain: https://nokeys.example
    webhook_secret: s
`, site.URL)), 0o600))
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- cli.Run(ctx, []string{"serve", "--http-addr", "127.0.0.1:0", "--data-dir", dir, "--log-level", "warn"},
			cli.IO{Stdout: syncBuffer{pw}, Stderr: io.Discard, Getenv: env(map[string]string{
				"BOOMERANG_SHOPS": shops, "BOOMERANG_RECONCILE_INTERVAL": "0", "REDIS_URL": rdb.URL,
			})})
		_ = pw.Close()
	}()
	banner := readBanner(t, pr)
	base, token := banner["url"], banner["token"]
	require.Eventually(t, func() bool { return status(t, http.MethodGet, base+"/readyz", nil, nil) == http.StatusOK },
		20*time.Second, 20*time.Millisecond)
	call := func(method, url string) (int, map[string]any) {
		req, err := http.NewRequestWithContext(ctx, method, base+url, nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	code, _ := call(http.MethodPost, "/api/v1/imports?shop=nokeys")
	require.Equal(t, http.StatusUnprocessableEntity, code, "a shop without API keys cannot be imported")
	code, st := call(http.MethodPost, "/api/v1/imports?shop=woo")
	require.Equal(t, http.StatusAccepted, code)
	require.Equal(t, "requested", st["state"])
	require.Eventually(t, func() bool {
		_, st = call(http.MethodGet, "/api/v1/imports?shop=woo")
		return st["state"] == "done"
	}, 30*time.Second, 100*time.Millisecond)
	require.Positive(t, st["events"], "the two recent orders' events")

	profiles := redisstore.New(redis.NewCustomerStore(rdb.Client, redis.Keys{}, nil))
	require.Eventually(t, func() bool {
		p, err := profiles.Profile(ctx, "woo", "e:ann@example.com")
		require.NoError(t, err)
		return p != nil && p.OrdersCount == 2
	}, 20*time.Second, 100*time.Millisecond, "both orders of the last two years build Ann's profile")
	p, err := profiles.Profile(ctx, "woo", "e:cy@example.com")
	require.NoError(t, err)
	require.Nil(t, p, "an order older than two years is not imported")

	code, out := call(http.MethodGet, "/api/v1/outbox?shop=woo")
	require.Equal(t, http.StatusOK, code)
	require.Empty(t, out["messages"], "history confirms no order and starts no flow")

	cancel()
	select {
	case code := <-done:
		require.Equal(t, 0, code)
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
}
