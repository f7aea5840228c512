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

	"github.com/boomerang-dev/boomerang/adapters/jetstream"
	"github.com/boomerang-dev/boomerang/adapters/jetstream/jetstreamtest"
	"github.com/boomerang-dev/boomerang/adapters/redis/redistest"
	"github.com/boomerang-dev/boomerang/cmd/internal/cli"
)

// waitingAbandonment sends its reminder after a second, then waits an
// hour: the run stays active with a pending timer.
const waitingAbandonment = `id: abandoned-checkout
name: Abandoned checkout recovery (waits)
version: 1
trigger:
  event: checkout.updated
  if: event.data.email != "" && size(event.data.line_items) > 0
key: event.data.token
steps:
  - wait: 1s
  - send: {id: reminder, channel: email, template: abandoned-checkout-reminder, category: marketing}
  - wait: 1h
  - send: {id: benefits, channel: email, template: abandoned-checkout-benefits, category: marketing}
`

// A customers/data_request through serve: the export holds the profile, the
// run and the message real events made; a second delivery makes no second
// export; the admin API lists and serves it behind the token; a
// customers/redact deletes it, and shop/redact erases the shop's exports.
func TestServeAnswersADataRequest(t *testing.T) {
	t.Parallel()
	js := jetstreamtest.Start(t)
	rdb := redistest.StartPrivate(t)
	dir := t.TempDir()
	flowsDir := filepath.Join(dir, "flows")
	require.NoError(t, os.MkdirAll(flowsDir, 0o750))
	require.NoError(t, os.WriteFile(filepath.Join(flowsDir, "ac.yaml"), []byte(waitingAbandonment), 0o600))
	shops := filepath.Join(dir, "shops.yaml")
	require.NoError(t, os.WriteFile(shops, []byte(`shops:
  - id: demo
    platform: shopify
    domain: demo.myshopify.com
    webhook_secret: shpss_test
    email: {from: "Demo Store <hello@demo.example>", address: "1 Main St, Springfield"}
    smart_sending: {email: 0s}
`), 0o600))
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- cli.Run(ctx, []string{"serve", "--http-addr", "127.0.0.1:0", "--data-dir", dir, "--log-level", "warn"},
			cli.IO{Stdout: syncBuffer{pw}, Stderr: io.Discard, Getenv: env(map[string]string{
				"BOOMERANG_SHOPS": shops, "BOOMERANG_FLOWS": flowsDir, "NATS_URL": js.Embedded.URL(), "REDIS_URL": rdb.URL,
			})})
		_ = pw.Close()
	}()
	banner := readBanner(t, pr)
	base, token := banner["url"], banner["token"]
	require.NotEmpty(t, token)
	require.Eventually(t, func() bool { return status(t, http.MethodGet, base+"/readyz", nil, nil) == http.StatusOK },
		20*time.Second, 20*time.Millisecond)

	n := 0
	post := func(topic, body string) {
		t.Helper()
		n++
		mac := hmac.New(sha256.New, []byte("shpss_test"))
		mac.Write([]byte(body))
		h := http.Header{}
		h.Set("X-Shopify-Topic", topic)
		h.Set("X-Shopify-Shop-Domain", "demo.myshopify.com")
		h.Set("X-Shopify-Webhook-Id", fmt.Sprintf("export-%d", n))
		h.Set("X-Shopify-Hmac-Sha256", base64.StdEncoding.EncodeToString(mac.Sum(nil)))
		require.Equal(t, http.StatusOK, status(t, http.MethodPost, base+"/webhooks/shopify", h, []byte(body)), topic)
	}
	get := func(path, tok string) (int, http.Header, []byte) {
		t.Helper()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
		require.NoError(t, err)
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, resp.Header, b
	}
	type summary struct {
		ID       string            `json:"id"`
		Shop     string            `json:"shop"`
		Customer map[string]string `json:"customer"`
		ReadyAt  time.Time         `json:"ready_at"`
	}
	requests := func() []summary {
		t.Helper()
		code, _, b := get("/api/v1/data-requests?shop=demo", token)
		require.Equal(t, http.StatusOK, code, string(b))
		var out struct {
			Requests []summary `json:"requests"`
		}
		require.NoError(t, json.Unmarshal(b, &out))
		return out.Requests
	}
	// settled waits until the processor has handled and acknowledged every
	// event published so far.
	settled := func() {
		t.Helper()
		require.Eventually(t, func() bool {
			c, err := js.Conn.JS.Consumer(ctx, jetstream.StreamEvents, "processor")
			if err != nil {
				return false
			}
			info, err := c.Info(ctx)
			return err == nil && info.NumPending == 0 && info.NumAckPending == 0
		}, 20*time.Second, 50*time.Millisecond)
	}

	// Real events: Ann's checkout starts a run, which sends its reminder
	// and then waits an hour.
	now := time.Now().UTC().Format(time.RFC3339Nano)
	post("checkouts/update", fmt.Sprintf(`{"token":"ck-1","email":"ann@example.com","buyer_accepts_marketing":true,"currency":"USD",`+
		`"total_price":"25.00","line_items":[{"product_id":1,"variant_id":2,"title":"Mug","quantity":1,"price":"25.00"}],`+
		`"created_at":%q,"updated_at":%q,"completed_at":null}`, now, now))
	require.Eventually(t, func() bool {
		_, _, b := get("/api/v1/outbox?shop=demo", token)
		var out struct {
			Messages []map[string]any `json:"messages"`
		}
		return json.Unmarshal(b, &out) == nil && len(out.Messages) == 1 && out.Messages[0]["to"] == "ann@example.com"
	}, 20*time.Second, 50*time.Millisecond, "the reminder went to the outbox")
	settled()

	annRequest := `{"shop_id":1,"shop_domain":"demo.myshopify.com","orders_requested":[299938],` +
		`"customer":{"id":191167,"email":"ann@example.com","phone":"555-625-1199"},"data_request":{"id":9999}}`
	post("customers/data_request", annRequest)
	require.Eventually(t, func() bool { return len(requests()) == 1 }, 20*time.Second, 50*time.Millisecond)
	first := requests()[0]
	require.Equal(t, "demo", first.Shop)
	require.Equal(t, "ann@example.com", first.Customer["email"])

	code, h, body := get("/api/v1/data-requests/"+first.ID+"?shop=demo", token)
	require.Equal(t, http.StatusOK, code, string(body))
	require.Contains(t, h.Get("Content-Disposition"), "attachment")
	var doc struct {
		OrdersRequested []string `json:"orders_requested"`
		Profiles        []struct {
			Key      string   `json:"key"`
			Segments []string `json:"segments"`
			Profile  struct {
				Consent map[string]struct {
					State string `json:"state"`
				} `json:"consent"`
			} `json:"profile"`
		} `json:"profiles"`
		Runs []struct {
			ID     string `json:"id"`
			Flow   string `json:"flow"`
			Status string `json:"status"`
		} `json:"runs"`
		PendingTimers []struct {
			Run string    `json:"run"`
			Due time.Time `json:"due"`
		} `json:"pending_timers"`
		Messages []struct {
			Run    string `json:"run"`
			Step   string `json:"step"`
			To     string `json:"to"`
			Status string `json:"status"`
			HTML   string `json:"html"`
		} `json:"messages"`
	}
	require.NoError(t, json.Unmarshal(body, &doc))
	require.Equal(t, []string{"299938"}, doc.OrdersRequested)
	require.Len(t, doc.Profiles, 1, string(body))
	require.Equal(t, "e:ann@example.com", doc.Profiles[0].Key)
	require.Equal(t, "subscribed", doc.Profiles[0].Profile.Consent["email"].State, "consent from the checkout")
	require.Equal(t, []string{"subscriber"}, doc.Profiles[0].Segments)
	require.Len(t, doc.Runs, 1)
	require.Equal(t, "abandoned-checkout", doc.Runs[0].Flow)
	require.Equal(t, "active", doc.Runs[0].Status)
	require.Len(t, doc.PendingTimers, 1, "the hour's wait")
	require.Equal(t, doc.Runs[0].ID, doc.PendingTimers[0].Run)
	require.WithinDuration(t, time.Now().Add(time.Hour), doc.PendingTimers[0].Due, time.Minute)
	require.Len(t, doc.Messages, 1)
	require.Equal(t, "reminder", doc.Messages[0].Step)
	require.Equal(t, doc.Runs[0].ID, doc.Messages[0].Run)
	require.Equal(t, "ann@example.com", doc.Messages[0].To)
	require.Contains(t, doc.Messages[0].HTML, "<html", "the rendered email")

	// Shopify delivers the request again (a new delivery id): no second
	// export, the first untouched.
	post("customers/data_request", annRequest)
	settled()
	again := requests()
	require.Len(t, again, 1)
	require.Equal(t, first, again[0])

	// The API wants the token; unknown ids are 404.
	code, _, body = get("/api/v1/data-requests?shop=demo", "")
	require.Equal(t, http.StatusUnauthorized, code)
	require.NotContains(t, string(body), "ann@example.com")
	code, _, _ = get("/api/v1/data-requests/"+first.ID+"?shop=demo", "not-the-token")
	require.Equal(t, http.StatusUnauthorized, code)
	code, _, _ = get("/api/v1/data-requests/0123456789abcdef0123456789abcdef?shop=demo", token)
	require.Equal(t, http.StatusNotFound, code)

	// Bo asks too; then Ann asks to be forgotten: her export goes, his stays.
	post("customers/data_request", `{"shop_id":1,"shop_domain":"demo.myshopify.com","customer":{"id":2,"email":"bo@example.com"},"data_request":{"id":10000}}`)
	require.Eventually(t, func() bool { return len(requests()) == 2 }, 20*time.Second, 50*time.Millisecond)
	post("customers/redact", `{"shop_id":1,"shop_domain":"demo.myshopify.com","customer":{"id":191167,"email":"ann@example.com"},"orders_to_redact":[]}`)
	require.Eventually(t, func() bool {
		l := requests()
		return len(l) == 1 && l[0].Customer["email"] == "bo@example.com"
	}, 20*time.Second, 50*time.Millisecond, "her export is deleted on redact")
	code, _, _ = get("/api/v1/data-requests/"+first.ID+"?shop=demo", token)
	require.Equal(t, http.StatusNotFound, code)

	// shop/redact erases every export of the shop.
	post("shop/redact", `{"shop_id":1,"shop_domain":"demo.myshopify.com"}`)
	require.Eventually(t, func() bool { return len(requests()) == 0 }, 20*time.Second, 50*time.Millisecond)
	settled()
	left, err := rdb.Client.Keys(ctx, "bm:{x:demo}*").Result()
	require.NoError(t, err)
	require.Empty(t, left, "no export key of the shop is left")

	cancel()
	select {
	case code := <-done:
		require.Equal(t, 0, code)
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
}
