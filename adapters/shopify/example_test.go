package shopify_test

import (
	"fmt"
	"net/http"
	"time"

	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/adapters/shopify"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// Example shows one delivery going through the three steps the ingest
// handler runs: identify the shop, verify the signature, normalise.
func Example() {
	s := &shop.Shop{ID: "demo", Platform: "shopify", Domain: "demo.myshopify.com", WebhookSecret: "shpss_demo"}
	body := []byte(`{"id": 820982911946154508, "email": "jon@example.com", "currency": "USD",
		"total_price": "404.95", "updated_at": "2021-12-31T19:00:00-05:00"}`)
	h := http.Header{}
	h.Set(shopify.HeaderTopic, "orders/create")
	h.Set(shopify.HeaderShopDomain, "demo.myshopify.com")
	h.Set(shopify.HeaderWebhookID, "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043")
	h.Set(shopify.HeaderHMAC, shopify.Sign("shpss_demo", body))
	req := &ingest.Request{Header: h, Body: body, ReceivedAt: time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)}

	a := shopify.New()
	domain, _ := a.Identify(req)
	fmt.Println(domain, a.Verify(s, req))
	res, _ := a.Normalize(s, req)
	ev := res.Messages[0].Value.(*event.Event)
	fmt.Println(res.Messages[0].Subject)
	fmt.Println(ev.Key, ev.OccurredAt)
	fmt.Println(ev.Data.(*event.Order).Total)
	// Output:
	// demo.myshopify.com <nil>
	// events.demo.order.placed
	// order.placed:demo:820982911946154508 2022-01-01 00:00:00 +0000 UTC
	// 404.95
}
