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

// TestServeRecoversAnAbandonedCheckoutEndToEnd runs `serve` as a user
// does (embedded JetStream, a redis-server child, the demo shop) with the
// built-in abandoned-checkout flow replaced by a second-long one, posts
// signed Shopify checkout and order webhooks, and reads the dev outbox
// through the admin API.
func TestServeRecoversAnAbandonedCheckoutEndToEnd(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	flowsDir := filepath.Join(dir, "flows")
	require.NoError(t, os.MkdirAll(flowsDir, 0o750))
	require.NoError(t, os.WriteFile(filepath.Join(flowsDir, "ac.yaml"), []byte(fastAbandonment), 0o600))

	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- cli.Run(ctx, []string{
			"serve", "--http-addr", "127.0.0.1:0", "--data-dir", dir,
			"--flows", flowsDir, "--log-level", "warn",
		}, cli.IO{
			Stdout: syncBuffer{pw}, Stderr: io.Discard, Getenv: env(nil),
		})
		_ = pw.Close()
	}()
	banner := readBanner(t, pr)
	base, secret := banner["url"], banner["secret"]
	token := banner["token"]
	require.NotEmpty(t, token)
	require.Eventually(t, func() bool { return status(t, http.MethodGet, base+"/readyz", nil, nil) == http.StatusOK },
		20*time.Second, 20*time.Millisecond)

	post := func(topic, id, body string) {
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write([]byte(body))
		h := http.Header{}
		h.Set("X-Shopify-Topic", topic)
		h.Set("X-Shopify-Shop-Domain", "demo.myshopify.com")
		h.Set("X-Shopify-Webhook-Id", id)
		h.Set("X-Shopify-Hmac-Sha256", base64.StdEncoding.EncodeToString(mac.Sum(nil)))
		require.Equal(t, http.StatusOK, status(t, http.MethodPost, base+"/webhooks/shopify", h, []byte(body)))
	}
	now := time.Now().UTC().Format(time.RFC3339Nano)
	checkoutBody := func(token, email string) string {
		return fmt.Sprintf(`{"token":%q,"email":%q,"currency":"USD","total_price":"25.00",`+
			`"line_items":[{"product_id":1,"variant_id":2,"title":"Mug","quantity":1,"price":"25.00"}],`+
			`"created_at":%q,"updated_at":%q,"completed_at":null}`, token, email, now, now)
	}
	post("checkouts/update", "w-ann", checkoutBody("ck-ann", "ann@example.com"))
	post("checkouts/update", "w-ann", checkoutBody("ck-ann", "ann@example.com")) // a retry
	post("checkouts/update", "w-bob", checkoutBody("ck-bob", "bob@example.com"))
	post("orders/create", "w-bob-order", fmt.Sprintf(`{"id":820982911946154508,"email":"bob@example.com",`+
		`"checkout_token":"ck-bob","currency":"USD","total_price":"25.00","line_items":[],"created_at":%q,"updated_at":%q}`, now, now))

	outbox := func() []map[string]any {
		req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, base+"/api/v1/outbox?shop=demo", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		var body struct {
			Messages []map[string]any `json:"messages"`
		}
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
		return body.Messages
	}
	require.Eventually(t, func() bool { return len(outbox()) >= 4 }, 30*time.Second, 100*time.Millisecond)
	var ann, bob []string
	for _, m := range outbox() {
		require.Equal(t, "outbox", m["status"])
		switch m["to"] {
		case "ann@example.com":
			require.Equal(t, "marketing", m["category"])
			ann = append(ann, m["template"].(string))
		case "bob@example.com":
			bob = append(bob, m["template"].(string)+" "+m["category"].(string))
		default:
			t.Fatalf("unexpected recipient %v", m["to"])
		}
	}
	require.Equal(t, []string{"abandoned-checkout-discount", "abandoned-checkout-benefits", "abandoned-checkout-reminder"}, ann,
		"three emails for ann, newest first, once each despite the retried webhook")
	require.Equal(t, []string{"order-confirmation transactional"}, bob,
		"bob's order ended his abandonment run; the built-in order confirmation went out")

	// The API wants the token.
	require.Equal(t, http.StatusUnauthorized, status(t, http.MethodGet, base+"/api/v1/outbox", nil, nil))

	cancel()
	select {
	case code := <-done:
		require.Equal(t, 0, code)
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
}
