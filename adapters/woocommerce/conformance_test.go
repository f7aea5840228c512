package woocommerce_test

import (
	"testing"
	"time"

	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/adapters/ingest/ingesttest"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/adapters/woocommerce"
)

// TestConformance runs the ingest conformance suite: signatures, malformed
// bodies, unknown topics and shops, duplicates, through the real HTTP
// handler and an embedded JetStream server.
func TestConformance(t *testing.T) {
	t.Parallel()
	ingesttest.Run(t, ingesttest.Fixture{
		Platform: woocommerce.New(),
		NewShop:  newShop,
		Deliver: func(s *shop.Shop, topic string, body []byte, deliveryID, secret string, at time.Time) *ingest.Request {
			return deliver("https://"+s.Domain+"/", topic, body, deliveryID, secret, at)
		},
		Unsign: func(req *ingest.Request) {
			req.Header.Del(woocommerce.HeaderSignature)
		},
		Topic:        "order.created",
		Body:         readSample(t, "order.created.json"),
		UnknownTopic: "action.woocommerce_add_to_cart",
		UnknownBody:  []byte(`{"action":"woocommerce_add_to_cart","arg":"c4ca4238a0b923820dcc509a6f75849b"}`),
	})
}
