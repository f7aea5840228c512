package bigcommerce_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/boomerang-dev/boomerang/adapters/bigcommerce"
	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/adapters/ingest/ingesttest"
	"github.com/boomerang-dev/boomerang/adapters/shop"
)

// TestConformance runs the ingest conformance suite against the adapter.
func TestConformance(t *testing.T) {
	t.Parallel()
	ingesttest.Run(t, ingesttest.Fixture{
		Platform: bigcommerce.New(),
		NewShop: func(id string) *shop.Shop {
			return &shop.Shop{
				ID:                    id,
				Platform:              bigcommerce.Name,
				Domain:                "h" + id,
				WebhookSecret:         "client-secret-" + id,
				PreviousWebhookSecret: "old-client-secret-" + id,
				HeaderSecret:          "header-secret-" + id,
			}
		},
		Deliver: deliver,
		Unsign: func(req *ingest.Request) {
			for _, h := range []string{
				bigcommerce.HeaderWebhookID, bigcommerce.HeaderWebhookTimestamp,
				bigcommerce.HeaderWebhookSignature, bigcommerce.HeaderSecret,
			} {
				req.Header.Del(h)
			}
		},
		Topic: bigcommerce.ScopeOrderCreated,
		Body: []byte(`{"scope":"store/order/created","store_id":"1025646","data":{"type":"order","id":250},` +
			`"hash":"dd70c0976e06b67aaf671e73f49dcb79230ebf9d","created_at":1561479335,"producer":"stores/{store_hash}"}`),
		UnknownTopic: "store/category/updated",
		UnknownBody: []byte(`{"scope":"store/category/updated","store_id":"1025646","data":{"type":"category","id":42},` +
			`"hash":"dc3a47c15425d2c895dba674f86fe71a8f3b6459","created_at":1561480214,"producer":"stores/{store_hash}"}`),
	})
}

// deliver builds the delivery BigCommerce would send: the scope, producer
// and hash live in the body (rewritten when it is a JSON object), the
// signature in the Standard Webhooks headers, the custom header beside.
func deliver(s *shop.Shop, topic string, body []byte, deliveryID, secret string, at time.Time) *ingest.Request {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err == nil && m != nil {
		for k, v := range map[string]string{"scope": topic, "producer": "stores/" + s.Domain, "hash": deliveryID} {
			m[k], _ = json.Marshal(v)
		}
		body, _ = json.Marshal(m)
	}
	ts := strconv.FormatInt(at.Unix(), 10)
	h := http.Header{}
	h.Set(bigcommerce.HeaderWebhookID, deliveryID)
	h.Set(bigcommerce.HeaderWebhookTimestamp, ts)
	h.Set(bigcommerce.HeaderWebhookSignature, bigcommerce.SignatureHeader(bigcommerce.Sign(secret, deliveryID, ts, body)))
	h.Set(bigcommerce.HeaderSecret, s.HeaderSecret)
	return &ingest.Request{Header: h, Body: body, ReceivedAt: at}
}
