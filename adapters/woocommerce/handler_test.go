package woocommerce_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/adapters/jetstream"
	"github.com/boomerang-dev/boomerang/adapters/jetstream/jetstreamtest"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/adapters/woocommerce"
)

// TestHandlerQuietDeliveries sends the deliveries that must be answered 200
// with nothing published (the creation ping, a draft with no email yet, a
// resource gone before WooCommerce built its payload) through the real
// handler and an embedded JetStream server.
func TestHandlerQuietDeliveries(t *testing.T) {
	t.Parallel()
	js := jetstreamtest.Start(t)
	s := newShop(testShopID)
	registry, err := shop.NewRegistry(s)
	require.NoError(t, err)
	h, err := ingest.New(ingest.Config{
		Shops:     registry,
		Publisher: jetstream.NewPublisher(js.Conn.JS),
		Platforms: []ingest.Platform{woocommerce.New()},
		Now:       func() time.Time { return receivedAt },
	})
	require.NoError(t, err)
	post := func(req *ingest.Request) *httptest.ResponseRecorder {
		r := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/webhooks/woocommerce", bytes.NewReader(req.Body))
		r.Header = req.Header.Clone()
		w := httptest.NewRecorder()
		h.For(woocommerce.New()).ServeHTTP(w, r)
		return w
	}

	ping := &ingest.Request{Header: http.Header{}, Body: []byte("webhook_id=12")}
	ping.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	require.Equal(t, http.StatusOK, post(ping).Code)

	for _, sample := range []string{"order.updated.checkout-draft-no-email.json", "order.updated.rest-error.json"} {
		req := deliver(testSite, "order.updated", readSample(t, sample), "d", s.WebhookSecret, receivedAt)
		require.Equal(t, http.StatusOK, post(req).Code, sample)
	}
	require.Empty(t, js.Messages(t, jetstream.StreamEvents, "events.>"))

	// The draft that gains an email is published; a re-delivery is not.
	req := deliver(testSite, "order.updated", readSample(t, "order.updated.checkout-draft.json"), "d", s.WebhookSecret, receivedAt)
	require.Equal(t, http.StatusOK, post(req).Code)
	require.Equal(t, http.StatusOK, post(req).Code)
	stored := js.Messages(t, jetstream.StreamEvents, "events.>")
	require.Len(t, stored, 1)
	require.Equal(t, "events.demo-woo.checkout.updated", stored[0].Subject)
}
