package cli_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/cmd/internal/cli"
)

// slowAbandonment waits long enough for the test to act before the
// reminder is due.
const slowAbandonment = `id: abandoned-checkout
name: Abandoned checkout recovery (slow)
version: 1
trigger:
  event: checkout.updated
  if: event.data.email != "" && size(event.data.line_items) > 0
key: event.data.token
steps:
  - wait: 3s
  - send: {id: reminder, channel: email, template: abandoned-checkout-reminder, category: marketing}
`

// A customer redact erases the customer's messages and stops their waiting
// run; an uninstall stops every run of the shop and its webhooks are no
// longer taken.
func TestServeRedactsAndUninstalls(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	flowsDir := filepath.Join(dir, "flows")
	require.NoError(t, os.MkdirAll(flowsDir, 0o750))
	require.NoError(t, os.WriteFile(filepath.Join(flowsDir, "ac.yaml"), []byte(slowAbandonment), 0o600))
	shops := filepath.Join(dir, "shops.yaml")
	require.NoError(t, os.WriteFile(shops, []byte(`shops:
  - id: demo
    platform: shopify
    domain: demo.myshopify.com
    webhook_secret: shpss_test
    timezone: America/New_York
    email: {from: "Demo Store <hello@demo.example>", address: "1 Main St, Springfield"}
    smart_sending: {email: 0s}
`), 0o600))
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- cli.Run(ctx, []string{"serve", "--http-addr", "127.0.0.1:0", "--data-dir", dir, "--flows", flowsDir, "--log-level", "warn"},
			cli.IO{Stdout: syncBuffer{pw}, Stderr: io.Discard, Getenv: env(map[string]string{"BOOMERANG_SHOPS": shops})})
		_ = pw.Close()
	}()
	banner := readBanner(t, pr)
	base, token := banner["url"], banner["token"]
	require.Eventually(t, func() bool { return status(t, http.MethodGet, base+"/readyz", nil, nil) == http.StatusOK },
		20*time.Second, 20*time.Millisecond)
	n := 0
	post := func(topic, body string) int {
		n++
		mac := hmac.New(sha256.New, []byte("shpss_test"))
		mac.Write([]byte(body))
		h := http.Header{}
		h.Set("X-Shopify-Topic", topic)
		h.Set("X-Shopify-Shop-Domain", "demo.myshopify.com")
		h.Set("X-Shopify-Webhook-Id", fmt.Sprintf("w-%d", n))
		h.Set("X-Shopify-Hmac-Sha256", base64.StdEncoding.EncodeToString(mac.Sum(nil)))
		return status(t, http.MethodPost, base+"/webhooks/shopify", h, []byte(body))
	}
	checkout := func(token, email string) string {
		now := time.Now().UTC().Format(time.RFC3339Nano)
		return fmt.Sprintf(`{"token":%q,"email":%q,"buyer_accepts_marketing":true,"currency":"USD","total_price":"25.00",`+
			`"line_items":[{"product_id":1,"variant_id":2,"title":"Mug","quantity":1,"price":"25.00"}],`+
			`"created_at":%q,"updated_at":%q,"completed_at":null}`, token, email, now, now)
	}
	outbox := func() []map[string]any {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/outbox?shop=demo", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var out struct {
			Messages []map[string]any `json:"messages"`
		}
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
		return out.Messages
	}
	sentTo := func(addr string) int {
		c := 0
		for _, m := range outbox() {
			if m["to"] == addr {
				c++
			}
		}
		return c
	}

	// Ann's first checkout gets its reminder; her second is waiting when
	// she asks to be forgotten.
	require.Equal(t, http.StatusOK, post("checkouts/update", checkout("ck-1", "ann@example.com")))
	require.Eventually(t, func() bool { return sentTo("ann@example.com") == 1 }, 20*time.Second, 50*time.Millisecond)
	require.Equal(t, http.StatusOK, post("checkouts/update", checkout("ck-2", "ann@example.com")))
	require.Equal(t, http.StatusOK, post("checkouts/update", checkout("ck-3", "bo@example.com")))
	// Events are handled concurrently: let the checkouts start their runs
	// (milliseconds) before the redact, which comes days later in life.
	time.Sleep(time.Second)
	require.Equal(t, http.StatusOK, post("customers/redact",
		`{"shop_id":1,"shop_domain":"demo.myshopify.com","customer":{"id":191167,"email":"ann@example.com","phone":"555-625-1199"},"orders_to_redact":[]}`))
	require.Eventually(t, func() bool { return sentTo("ann@example.com") == 0 }, 20*time.Second, 50*time.Millisecond,
		"her messages are erased")
	require.Eventually(t, func() bool { return sentTo("bo@example.com") == 1 }, 20*time.Second, 50*time.Millisecond,
		"others' runs go on")
	time.Sleep(4 * time.Second)
	require.Equal(t, 0, sentTo("ann@example.com"), "her waiting run was stopped")

	// A new checkout waits; the app is uninstalled before it is due.
	require.Equal(t, http.StatusOK, post("checkouts/update", checkout("ck-4", "cy@example.com")))
	time.Sleep(500 * time.Millisecond)
	require.Equal(t, http.StatusOK, post("app/uninstalled", `{"id":1,"name":"Demo","email":"owner@demo.example","domain":"demo.myshopify.com","myshopify_domain":"demo.myshopify.com"}`))
	require.Eventually(t, func() bool {
		return post("checkouts/update", checkout("ck-5", "di@example.com")) == http.StatusNotFound
	}, 20*time.Second, 100*time.Millisecond, "an uninstalled shop's webhooks are not taken")
	time.Sleep(4 * time.Second)
	require.Equal(t, 0, sentTo("cy@example.com"), "the waiting run was stopped at uninstall")

	cancel()
	select {
	case code := <-done:
		require.Equal(t, 0, code)
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
}
