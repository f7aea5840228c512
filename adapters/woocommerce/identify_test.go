package woocommerce_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/adapters/woocommerce"
)

func TestName(t *testing.T) {
	t.Parallel()
	require.Equal(t, "woocommerce", woocommerce.New().Name())
}

func TestIdentify(t *testing.T) {
	t.Parallel()
	cases := []struct {
		source, want string
	}{
		{"https://example.com/", "example.com"},
		{"https://Shop.Example/", "shop.example"},
		{"http://shop.example", "shop.example"},
		{"https://example.com/shop/", "example.com/shop"},
		{"  https://example.com/  ", "example.com"},
	}
	for _, tc := range cases {
		t.Run(tc.source, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			req := deliver(tc.source, "order.created", readSample(t, "order.created.json"), "d", b.shop.WebhookSecret, receivedAt)
			got, err := b.adapter.Identify(req)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestIdentifyWithoutSource(t *testing.T) {
	t.Parallel()
	b := setup(t)
	req := b.request("order.created", readSample(t, "order.created.json"))
	req.Header.Del(woocommerce.HeaderSource)
	_, err := b.adapter.Identify(req)
	require.ErrorIs(t, err, ingest.ErrUnidentified)
}

func TestIdentifyPing(t *testing.T) {
	t.Parallel()
	ping := func(body string) *ingest.Request {
		// WC_Webhook::deliver_ping: wp_safe_remote_post with a string body,
		// so cURL sends it form-encoded; no X-WC-Webhook-* header at all.
		h := http.Header{}
		h.Set("User-Agent", "WooCommerce/9.8.1 Hookshot (WordPress/6.8.1)")
		h.Set("Content-Type", "application/x-www-form-urlencoded")
		return &ingest.Request{Header: h, Body: []byte(body), ReceivedAt: receivedAt}
	}
	for _, body := range []string{"webhook_id=12", "webhook_id=1\n", "webhook_id=18446744073709551615"} {
		_, err := woocommerce.New().Identify(ping(body))
		require.ErrorIs(t, err, ingest.ErrPing, body)
	}
	for _, body := range []string{"webhook_id=", "webhook_id=12&x=1", "webhook_id=-1", "webhook_id=abc", `{"webhook_id":12}`, ""} {
		_, err := woocommerce.New().Identify(ping(body))
		require.ErrorIs(t, err, ingest.ErrUnidentified, body)
	}

	// A ping body with any WooCommerce header is not a ping: it is a
	// delivery, identified by its source and then held to its signature.
	b := setup(t)
	req := ping("webhook_id=12")
	req.Header.Set(woocommerce.HeaderSource, testSite)
	got, err := b.adapter.Identify(req)
	require.NoError(t, err)
	require.Equal(t, "example.com", got)
	require.ErrorIs(t, b.adapter.Verify(b.shop, req), ingest.ErrSignature)

	req = ping("webhook_id=12")
	req.Header.Set(woocommerce.HeaderSignature, woocommerce.Sign(b.shop.WebhookSecret, req.Body))
	_, err = b.adapter.Identify(req)
	require.ErrorIs(t, err, ingest.ErrUnidentified)
}
