package shopify

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// receivedAt is the fixed receive time of every test delivery.
var receivedAt = time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)

// triggered is the X-Shopify-Triggered-At of test deliveries that set one.
const triggered = "2026-07-01T11:59:58.123456789Z"

// testBundle is what one test works with: an adapter and a shop.
type testBundle struct {
	adapter *Adapter
	shop    *shop.Shop
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	return &testBundle{
		adapter: New(),
		shop: &shop.Shop{
			ID:                    "demo",
			Platform:              event.PlatformShopify,
			Domain:                "demo.myshopify.com",
			WebhookSecret:         "shpss_current",
			PreviousWebhookSecret: "shpss_previous",
		},
	}
}

// request builds a signed delivery of topic with body, as Shopify sends it.
func (b *testBundle) request(topic string, body []byte) *ingest.Request {
	h := http.Header{}
	h.Set(HeaderTopic, topic)
	h.Set(HeaderShopDomain, b.shop.Domain)
	h.Set(HeaderHMAC, Sign(b.shop.WebhookSecret, body))
	h.Set(HeaderAPIVersion, "2026-07")
	h.Set(HeaderWebhookID, "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043")
	h.Set(HeaderEventID, "98880550-7158-44d4-b7cd-2c97c8a091b5")
	h.Set(HeaderTriggeredAt, triggered)
	return &ingest.Request{Header: h, Body: body, ReceivedAt: receivedAt}
}

// normalize normalises a delivery that must succeed and returns its events.
func (b *testBundle) normalize(t *testing.T, req *ingest.Request) []*event.Event {
	t.Helper()
	require.NoError(t, b.adapter.Verify(b.shop, req))
	res, err := b.adapter.Normalize(b.shop, req)
	require.NoError(t, err)
	require.NotNil(t, res)
	out := make([]*event.Event, 0, len(res.Messages))
	for _, m := range res.Messages {
		ev, ok := m.Value.(*event.Event)
		require.True(t, ok, "message value is %T", m.Value)
		require.NoError(t, ev.Validate())
		require.Equal(t, ev.Subject(), m.Subject)
		require.Equal(t, ev.ID, m.MsgID)
		roundTrip(t, ev)
		out = append(out, ev)
	}
	return out
}

// single normalises a delivery that must become exactly one event.
func (b *testBundle) single(t *testing.T, topic, body string) *event.Event {
	t.Helper()
	evs := b.normalize(t, b.request(topic, []byte(body)))
	require.Len(t, evs, 1)
	return evs[0]
}

// roundTrip checks that ev survives JSON encoding and decoding unchanged.
func roundTrip(t *testing.T, ev *event.Event) {
	t.Helper()
	raw, err := json.Marshal(ev)
	require.NoError(t, err)
	var back event.Event
	require.NoError(t, json.Unmarshal(raw, &back))
	again, err := json.Marshal(&back)
	require.NoError(t, err)
	require.JSONEq(t, string(raw), string(again))
}

// sample reads a stored Shopify sample payload.
func sample(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "webhooks", name+".json"))
	require.NoError(tb, err)
	return b
}

// sampleTopic is the topic of a sample file: its name with the "/" that
// "_" replaced put back.
func sampleTopic(tb testing.TB, name string) string {
	tb.Helper()
	for _, topic := range Topics() {
		if strings.ReplaceAll(topic, "/", "_") == name {
			return topic
		}
	}
	tb.Fatalf("no topic for sample %s", name)
	return ""
}
