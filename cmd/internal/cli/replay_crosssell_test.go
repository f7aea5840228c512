package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/flows/event"
)

// The cross-sell flow recommends what other customers bought with the
// customer's items: in stock, with an image, never what they bought.
func TestReplayCrossSellRecommendsCoPurchases(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)
	var lines []string
	add := func(ev *event.Event) {
		ev.SchemaVersion, ev.Shop, ev.ReceivedAt = event.SchemaVersion, "demo", ev.OccurredAt
		if ev.Key == "" {
			ev.Key = ev.ID
		}
		b, err := json.Marshal(ev)
		require.NoError(t, err)
		lines = append(lines, string(b))
	}
	product := func(id, title string, image bool, available bool) {
		p := &event.Product{ID: id, Title: title, URL: "https://demo.example/products/" + id, Price: "12.00", Currency: "USD", Available: available, UpdatedAt: t0}
		if image {
			p.ImageURL = "https://cdn.example/" + id + ".jpg"
		}
		add(&event.Event{ID: "p-" + id, Type: event.ProductUpdated, Platform: "shopify", OccurredAt: t0, Data: p})
	}
	order := func(email, id string, at time.Time, items ...string) {
		o := &event.Order{ID: id, Email: email, Currency: "USD", Total: "24.00", AcceptsMarketing: true}
		for _, it := range items {
			o.LineItems = append(o.LineItems, event.LineItem{ProductID: it, Title: it, Quantity: 1, Price: "12.00"})
		}
		add(&event.Event{
			ID: "o-" + id, Type: event.OrderPlaced, Platform: "shopify", OccurredAt: at,
			Customer: &event.Customer{Email: email}, Data: o,
		})
	}
	product("mug", "Mug", true, true)
	product("beans", "Coffee beans", true, true)
	product("filter", "Paper filters", false, true) // no image: never shown
	product("kettle", "Kettle", true, false)        // out of stock: never shown
	order("bo@example.com", "1", t0.Add(time.Hour), "mug", "beans", "filter", "kettle")
	order("cy@example.com", "2", t0.Add(2*time.Hour), "mug", "beans", "filter", "kettle")
	order("ann@example.com", "3", t0.Add(3*time.Hour), "mug")
	add(&event.Event{
		ID: "s-ann", Type: event.ShipmentUpdated, Platform: "shopify", OccurredAt: t0.Add(72 * time.Hour),
		Customer: &event.Customer{Email: "ann@example.com"},
		Data: &event.Shipment{
			ID: "s3", OrderID: "3", Status: "delivered", Email: "ann@example.com",
			LineItems: []event.LineItem{{ProductID: "mug", Title: "Mug", Quantity: 1}},
		},
	})
	file := filepath.Join(t.TempDir(), "events.jsonl")
	require.NoError(t, os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o600))

	code, out, errOut := run(t, []string{"replay", "--events", file, "--until", "15d"}, "", nil)
	require.Equal(t, 0, code, errOut)
	var sends []map[string]any
	for l := range strings.SplitSeq(strings.TrimSpace(out), "\n") {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m))
		if m["flow"] == "cross-sell" && m["customer"] == "e:ann@example.com" {
			sends = append(sends, m)
		}
	}
	var got []string
	for _, m := range sends {
		got = append(got, m["at"].(string)+" "+m["action"].(string)+" "+m["step"].(string)+" "+m["reason"].(string))
		if m["action"] == "send" {
			require.Equal(t, []any{"beans"}, m["products"], "bought with the mug; filters have no image, the kettle is out of stock")
		}
	}
	require.Equal(t, []string{
		"2026-03-05T15:00:00Z start  ",
		"2026-03-15T15:00:00Z send recommend ",
		"2026-03-15T15:00:00Z exit  completed",
	}, got, "10 days after delivery")
}
