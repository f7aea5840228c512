package shopify_test

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/adapters/ingest/ingesttest"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/adapters/shopify"
)

// TestConformance runs the ingest conformance suite against the adapter
// through the real HTTP handler and an embedded JetStream server.
func TestConformance(t *testing.T) {
	t.Parallel()
	body, err := os.ReadFile(filepath.Join("testdata", "webhooks", "orders_create.json"))
	require.NoError(t, err)
	ingesttest.Run(t, ingesttest.Fixture{
		Platform: shopify.New(),
		NewShop: func(id string) *shop.Shop {
			return &shop.Shop{
				ID:                    id,
				Platform:              "shopify",
				Domain:                id + ".myshopify.com",
				WebhookSecret:         "shpss_current_" + id,
				PreviousWebhookSecret: "shpss_previous_" + id,
			}
		},
		Deliver: func(s *shop.Shop, topic string, body []byte, deliveryID, secret string, at time.Time) *ingest.Request {
			h := http.Header{}
			h.Set(shopify.HeaderTopic, topic)
			h.Set(shopify.HeaderShopDomain, s.Domain)
			h.Set(shopify.HeaderHMAC, shopify.Sign(secret, body))
			h.Set(shopify.HeaderAPIVersion, "2026-07")
			h.Set(shopify.HeaderWebhookID, deliveryID)
			h.Set(shopify.HeaderTriggeredAt, at.Add(-time.Second).Format(time.RFC3339Nano))
			return &ingest.Request{Header: h, Body: body, ReceivedAt: at}
		},
		Unsign:       func(req *ingest.Request) { req.Header.Del(shopify.HeaderHMAC) },
		Topic:        "orders/create",
		Body:         body,
		UnknownTopic: "collections/update",
		UnknownBody:  []byte(`{"id": 482865238, "handle": "smartphones", "title": "Smartphones"}`),
	})
}
