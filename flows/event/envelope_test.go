package event_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/flows/event"
)

func sample() *event.Event {
	at := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	return &event.Event{
		SchemaVersion: event.SchemaVersion,
		ID:            event.DeliveryID("shopify", "demo", "w-1", event.OrderPlaced),
		Key:           event.SemanticKey(event.OrderPlaced, "demo", "820982911946154508", time.Time{}),
		Type:          event.OrderPlaced,
		Shop:          "demo",
		Platform:      event.PlatformShopify,
		OccurredAt:    at,
		ReceivedAt:    at,
		Customer:      &event.Customer{ID: "115310627314723954", Email: "jon@example.com"},
		Data: &event.Order{
			ID: "820982911946154508", CheckoutToken: "tok", Currency: "USD", Total: "598.94",
			LineItems: []event.LineItem{{ProductID: "632910392", Title: "IPod Nano", Quantity: 1, Price: "199.00"}},
		},
		Source: event.Source{Topic: "orders/create", DeliveryID: "w-1", APIVersion: "2026-07"},
	}
}

func TestEventRoundTripKeepsTypedData(t *testing.T) {
	t.Parallel()
	ev := sample()
	require.NoError(t, ev.Validate())
	b, err := json.Marshal(ev)
	require.NoError(t, err)
	var back event.Event
	require.NoError(t, json.Unmarshal(b, &back))
	require.Equal(t, ev, &back)
	order, ok := back.Data.(*event.Order)
	require.True(t, ok)
	require.Equal(t, event.Decimal("598.94"), order.Total)
	require.Equal(t, "events.demo.order.placed", back.Subject())
}

func TestUnknownTypeKeepsRawData(t *testing.T) {
	t.Parallel()
	in := `{"schema_version":1,"id":"x","key":"k","type":"future.thing","shop":"demo","platform":"boomerang","occurred_at":"2026-07-01T12:00:00Z","received_at":"2026-07-01T12:00:00Z","data":{"a":1},"source":{}}`
	var ev event.Event
	require.NoError(t, json.Unmarshal([]byte(in), &ev))
	require.JSONEq(t, `{"a":1}`, string(ev.Data.(json.RawMessage)))
	out, err := json.Marshal(&ev)
	require.NoError(t, err)
	require.JSONEq(t, in, string(out))
}

func TestValidate(t *testing.T) {
	t.Parallel()
	ev := sample()
	ev.Data = &event.Cart{}
	require.ErrorContains(t, ev.Validate(), "want *event.Order")
	ev = sample()
	ev.Shop = "Not Valid"
	require.ErrorContains(t, ev.Validate(), "not a valid shop id")
	require.ErrorContains(t, (&event.Event{}).Validate(), "missing id, key, type, shop, platform, occurred_at, received_at")
}

func TestIDsAndKeys(t *testing.T) {
	t.Parallel()
	a := event.DeliveryID("shopify", "demo", "w-1", event.OrderPlaced)
	require.Equal(t, a, event.DeliveryID("shopify", "demo", "w-1", event.OrderPlaced))
	require.NotEqual(t, a, event.DeliveryID("shopify", "demo", "w-2", event.OrderPlaced))
	require.NotEqual(t, a, event.DeliveryID("shopify", "demo", "w-1", event.OrderPaid))
	require.NotEqual(t, event.DeliveryID("a", "bc", "d", event.OrderPaid), event.DeliveryID("ab", "c", "d", event.OrderPaid))
	require.Equal(t, "order.placed:demo:1", event.SemanticKey(event.OrderPlaced, "demo", "1", time.Time{}))
	v := time.Date(2026, 7, 1, 8, 0, 0, 0, time.FixedZone("EDT", -4*3600))
	require.Equal(t, "checkout.updated:demo:tok@2026-07-01T12:00:00Z", event.SemanticKey(event.CheckoutUpdated, "demo", "tok", v))
}

func TestEveryTypeHasData(t *testing.T) {
	t.Parallel()
	require.Len(t, event.Types(), 38)
	for _, typ := range event.Types() {
		require.True(t, event.Known(typ))
		require.NotNil(t, event.NewData(typ), typ)
	}
	require.Nil(t, event.NewData("nope"))
}

func FuzzUnmarshalEvent(f *testing.F) {
	b, _ := json.Marshal(sample())
	f.Add(b)
	f.Add([]byte(`{"type":"checkout.updated","data":{"line_items":[{"title":"x","quantity":1}]}}`))
	f.Add([]byte(`{"type":"order.placed","data":null}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var ev event.Event
		if err := json.Unmarshal(b, &ev); err != nil {
			return
		}
		out, err := json.Marshal(&ev)
		if err != nil {
			t.Fatalf("re-encoding a decoded event: %v", err)
		}
		var again event.Event
		if err := json.Unmarshal(out, &again); err != nil {
			t.Fatalf("decoding a re-encoded event: %v", err)
		}
	})
}
