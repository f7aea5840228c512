package woocommerce_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/adapters/woocommerce"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// receivedAt is the fixed arrival time of every test delivery.
var receivedAt = time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)

const (
	testShopID   = "demo-woo"
	testSite     = "https://example.com/"
	testSecret   = "wc-secret-current"
	testPrevious = "wc-secret-previous"
)

type testBundle struct {
	adapter *woocommerce.Adapter
	shop    *shop.Shop
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	return &testBundle{adapter: woocommerce.New(), shop: newShop(testShopID)}
}

// newShop returns a WooCommerce shop whose site is <id>.example.com, or
// example.com for the default test shop.
func newShop(id string) *shop.Shop {
	domain := id + ".example.com"
	if id == testShopID {
		domain = "example.com"
	}
	return &shop.Shop{
		ID:                    id,
		Platform:              event.PlatformWooCommerce,
		Domain:                domain,
		WebhookSecret:         testSecret + "-" + id,
		PreviousWebhookSecret: testPrevious + "-" + id,
	}
}

// deliver builds the request WooCommerce's WC_Webhook::deliver sends.
func deliver(site, topic string, body []byte, deliveryID, secret string, at time.Time) *ingest.Request {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "WooCommerce/9.8.1 Hookshot (WordPress/6.8.1)")
	h.Set(woocommerce.HeaderSource, site)
	h.Set(woocommerce.HeaderTopic, topic)
	if resource, ev, ok := strings.Cut(topic, "."); ok {
		h.Set(woocommerce.HeaderResource, resource)
		h.Set(woocommerce.HeaderEvent, ev)
	}
	h.Set(woocommerce.HeaderSignature, woocommerce.Sign(secret, body))
	h.Set(woocommerce.HeaderWebhookID, "12")
	h.Set(woocommerce.HeaderDeliveryID, deliveryID)
	return &ingest.Request{Header: h, Body: body, ReceivedAt: at}
}

// request builds a delivery of the default test shop.
func (b *testBundle) request(topic string, body []byte) *ingest.Request {
	return deliver(testSite, topic, body, "e1b2c3d4e5f6", b.shop.WebhookSecret, receivedAt)
}

// normalize normalises body as topic and validates every event.
func (b *testBundle) normalize(t *testing.T, topic string, body []byte) *ingest.Result {
	t.Helper()
	req := b.request(topic, body)
	require.NoError(t, b.adapter.Verify(b.shop, req))
	res, err := b.adapter.Normalize(b.shop, req)
	require.NoError(t, err)
	for _, m := range res.Messages {
		ev, ok := m.Value.(*event.Event)
		require.True(t, ok, "message value is %T", m.Value)
		require.NoError(t, ev.Validate())
		require.Equal(t, ev.Subject(), m.Subject)
		require.Equal(t, ev.ID, m.MsgID)
	}
	return res
}

// events returns the events of res.
func events(t *testing.T, res *ingest.Result) []*event.Event {
	t.Helper()
	out := make([]*event.Event, 0, len(res.Messages))
	for _, m := range res.Messages {
		ev, ok := m.Value.(*event.Event)
		require.True(t, ok)
		out = append(out, ev)
	}
	return out
}

func readSample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "webhooks", name))
	require.NoError(t, err)
	return b
}
