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
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/cmd/internal/cli"
)

// sendgridFake answers like SendGrid's /v3/mail/send and keeps what it got.
type sendgridFake struct {
	mu   sync.Mutex
	mail []map[string]any
}

func (f *sendgridFake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/v3/mail/send" || r.Header.Get("Authorization") != "Bearer SG.test" {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.mail = append(f.mail, body)
	n := len(f.mail)
	f.mu.Unlock()
	w.Header().Set("X-Message-Id", fmt.Sprintf("sg-%d", n))
	w.WriteHeader(http.StatusAccepted)
}

// sent returns each email's recipient, subject and List-Unsubscribe header.
func (f *sendgridFake) sent() []map[string]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []map[string]string
	for _, m := range f.mail {
		e := map[string]string{"subject": fmt.Sprint(m["subject"])}
		if ps, ok := m["personalizations"].([]any); ok && len(ps) > 0 {
			if to, ok := ps[0].(map[string]any)["to"].([]any); ok && len(to) > 0 {
				e["to"] = fmt.Sprint(to[0].(map[string]any)["email"])
			}
		}
		if h, ok := m["headers"].(map[string]any); ok {
			e["unsubscribe"] = fmt.Sprint(h["List-Unsubscribe"])
			e["one_click"] = fmt.Sprint(h["List-Unsubscribe-Post"])
		}
		out = append(out, e)
	}
	return out
}

// TestServeRecoversAnAbandonedCheckoutEndToEnd runs `serve` as a user
// does (embedded JetStream, a redis-server child) with the built-in
// abandoned-checkout flow replaced by a second-long one and SendGrid pointed
// at a local server that answers as SendGrid does. Signed Shopify webhooks go
// in; the emails arrive at "SendGrid" with a working one-click unsubscribe
// link, an order stops another customer's run, and after the unsubscribe
// nothing more is sent.
func TestServeRecoversAnAbandonedCheckoutEndToEnd(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	flowsDir := filepath.Join(dir, "flows")
	require.NoError(t, os.MkdirAll(flowsDir, 0o750))
	require.NoError(t, os.WriteFile(filepath.Join(flowsDir, "ac.yaml"), []byte(fastAbandonment), 0o600))
	shops := filepath.Join(dir, "shops.yaml")
	require.NoError(t, os.WriteFile(shops, []byte(`shops:
  - id: demo
    platform: shopify
    domain: demo.myshopify.com
    webhook_secret: ${DEMO_SECRET}
    timezone: America/New_York
    email: {from: "Demo Store <hello@demo.example>", address: "1 Main St, Springfield"}
    smart_sending: {email: 0s}
`), 0o600))
	fake := &sendgridFake{}
	sg := httptest.NewServer(fake)
	t.Cleanup(sg.Close)
	const secret = "shpss_test"

	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- cli.Run(ctx, []string{
			"serve", "--http-addr", "127.0.0.1:0", "--data-dir", dir,
			"--flows", flowsDir, "--log-level", "warn",
		}, cli.IO{
			Stdout: syncBuffer{pw}, Stderr: io.Discard,
			Getenv: env(map[string]string{
				"BOOMERANG_SHOPS": shops, "DEMO_SECRET": secret,
				"SENDGRID_API_KEY": "SG.test", "BOOMERANG_SENDGRID_URL": sg.URL,
			}),
		})
		_ = pw.Close()
	}()
	banner := readBanner(t, pr)
	base, token := banner["url"], banner["token"]
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
	checkoutBody := func(token, email string) string {
		now := time.Now().UTC().Format(time.RFC3339Nano)
		return fmt.Sprintf(`{"token":%q,"email":%q,"buyer_accepts_marketing":true,"currency":"USD","total_price":"25.00",`+
			`"line_items":[{"product_id":1,"variant_id":2,"title":"Mug","quantity":1,"price":"25.00"}],`+
			`"created_at":%q,"updated_at":%q,"completed_at":null}`, token, email, now, now)
	}
	post("checkouts/update", "w-ann", checkoutBody("ck-ann", "ann@example.com"))
	post("checkouts/update", "w-ann", checkoutBody("ck-ann", "ann@example.com")) // a retry
	post("checkouts/update", "w-bob", checkoutBody("ck-bob", "bob@example.com"))
	now := time.Now().UTC().Format(time.RFC3339Nano)
	post("orders/create", "w-bob-order", fmt.Sprintf(`{"id":820982911946154508,"email":"bob@example.com",`+
		`"checkout_token":"ck-bob","currency":"USD","total_price":"25.00","line_items":[],"created_at":%q,"updated_at":%q}`, now, now))

	require.Eventually(t, func() bool { return len(fake.sent()) >= 4 }, 30*time.Second, 100*time.Millisecond)
	var ann []map[string]string
	bob := 0
	for _, m := range fake.sent() {
		switch m["to"] {
		case "ann@example.com":
			ann = append(ann, m)
		case "bob@example.com":
			bob++
			require.Empty(t, m["unsubscribe"], "transactional mail carries no unsubscribe header")
		default:
			t.Fatalf("unexpected recipient %v", m["to"])
		}
	}
	require.Len(t, ann, 3, "three emails for ann, once each despite the retried webhook")
	require.Equal(t, 1, bob, "bob's order ended his abandonment run; only the order confirmation went out")
	for _, m := range ann {
		require.Equal(t, "List-Unsubscribe=One-Click", m["one_click"])
		require.True(t, strings.HasPrefix(m["unsubscribe"], "<"+base+"/unsubscribe?t="), m["unsubscribe"])
	}

	// The outbox API lists what was sent.
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
	for _, m := range outbox() {
		require.Equal(t, "sent", m["status"], "%v", m)
		require.NotEmpty(t, m["subject"])
	}
	// Each email's HTML is viewable, sandboxed.
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet,
		base+"/api/v1/outbox/"+fmt.Sprint(outbox()[0]["id"])+"/html?shop=demo", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	html, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, resp.Header.Get("Content-Security-Policy"), "sandbox")
	require.Contains(t, string(html), "<html")
	require.Equal(t, http.StatusUnauthorized, status(t, http.MethodGet, base+"/api/v1/outbox", nil, nil))

	// One click on the link (RFC 8058), then a new abandoned checkout: nothing more reaches ann.
	link := strings.Trim(ann[0]["unsubscribe"], "<>")
	h := http.Header{}
	h.Set("Content-Type", "application/x-www-form-urlencoded")
	require.Equal(t, http.StatusOK, status(t, http.MethodPost, link, h, []byte("List-Unsubscribe=One-Click")))
	post("checkouts/update", "w-ann-2", checkoutBody("ck-ann-2", "ann@example.com"))
	require.Eventually(t, func() bool {
		for _, m := range outbox() {
			if m["run"] != nil && strings.Contains(fmt.Sprint(m["id"]), "reminder") && m["status"] == "skipped" {
				return true
			}
		}
		return false
	}, 30*time.Second, 100*time.Millisecond, "the new reminder is skipped")
	require.Len(t, fake.sent(), 4, "no email after the unsubscribe")

	cancel()
	select {
	case code := <-done:
		require.Equal(t, 0, code)
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
}
