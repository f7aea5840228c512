package cli_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/bigcommerce"
	"github.com/boomerang-dev/boomerang/adapters/jetstream"
	"github.com/boomerang-dev/boomerang/adapters/jetstream/jetstreamtest"
	"github.com/boomerang-dev/boomerang/cmd/internal/cli"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// TestServeResolvesBigCommerceThroughTheStoreAPI drives the whole
// BigCommerce path through `serve` on a real JetStream server: the signed
// thin webhook is answered 200 at once, the fetch worker calls a local
// server that answers like the store's API (rate limiting the first call),
// and the canonical order.placed lands on EVENTS.
func TestServeResolvesBigCommerceThroughTheStoreAPI(t *testing.T) {
	t.Parallel()
	js := jetstreamtest.Start(t)
	order, err := os.ReadFile("../../../adapters/bigcommerce/testdata/api/order_218.json")
	require.NoError(t, err)
	products, err := os.ReadFile("../../../adapters/bigcommerce/testdata/api/order_products.json")
	require.NoError(t, err)

	var calls, limited atomic.Int64
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.Header.Get("X-Auth-Token") != "bc-token" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if limited.Add(1) == 1 {
			w.Header().Set("X-Rate-Limit-Time-Reset-Ms", "30")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/abc123/v2/orders/250":
			_, _ = w.Write(order)
		case "/abc123/v2/orders/250/products":
			_, _ = w.Write(products)
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	t.Cleanup(api.Close)

	dir := t.TempDir()
	shops := filepath.Join(dir, "shops.yaml")
	require.NoError(t, os.WriteFile(shops, []byte(`shops:
  - id: bcshop
    platform: bigcommerce
    domain: abc123
    webhook_secret: ${BC_SECRET}
    api_token: bc-token
`), 0o600))

	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- cli.Run(ctx, []string{
			"serve", "--http-addr", "127.0.0.1:0", "--data-dir", dir, "--log-level", "warn",
			"--nats-url", js.Embedded.URL(), "--bigcommerce-api-url", api.URL + "/{store_hash}",
		}, cli.IO{
			Stdin: nil, Stdout: syncBuffer{pw}, Stderr: io.Discard,
			Getenv: env(map[string]string{"BOOMERANG_SHOPS": shops, "BC_SECRET": "client-secret"}),
		})
		_ = pw.Close()
	}()
	base := readBanner(t, pr)["url"]
	require.Eventually(t, func() bool { return status(t, http.MethodGet, base+"/readyz", nil, nil) == http.StatusOK },
		10*time.Second, 20*time.Millisecond)

	body := []byte(`{"scope":"store/order/created","store_id":"1025646","data":{"type":"order","id":250},"hash":"dd70c0976e06b67aaf671e73f49dcb79230ebf9d","created_at":1561479335,"producer":"stores/abc123"}`)
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	h := http.Header{}
	h.Set(bigcommerce.HeaderWebhookID, "msg_e2e")
	h.Set(bigcommerce.HeaderWebhookTimestamp, ts)
	h.Set(bigcommerce.HeaderWebhookSignature, bigcommerce.SignatureHeader(bigcommerce.Sign("client-secret", "msg_e2e", ts, body)))
	require.Equal(t, http.StatusOK, status(t, http.MethodPost, base+"/webhooks/bigcommerce", h, body))

	// The shop's daily date job fires its timer at start too
	// (events.bcshop.timer.fired): only the order counts here.
	require.Eventually(t, func() bool {
		return len(js.Messages(t, jetstream.StreamEvents, "events.bcshop.order.>")) > 0
	}, 10*time.Second, 20*time.Millisecond)
	msgs := js.Messages(t, jetstream.StreamEvents, "events.bcshop.order.>")
	require.Len(t, msgs, 1)
	require.Equal(t, "events.bcshop.order.placed", msgs[0].Subject)
	var ev event.Event
	require.NoError(t, json.Unmarshal(msgs[0].Data, &ev))
	require.NoError(t, ev.Validate())
	o := ev.Data.(*event.Order)
	require.Equal(t, "218", o.ID)
	require.Equal(t, "7e48f7ef-2e88-4817-aea4-b0ed01490114", o.CheckoutToken)
	require.NotEmpty(t, o.LineItems)
	require.GreaterOrEqual(t, calls.Load(), int64(3), "one rate-limited call, then the order and its products")

	cancel()
	select {
	case code := <-done:
		require.Equal(t, 0, code)
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
}
