package woocommerce_test

import (
	"fmt"
	"net/http"
	"time"

	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/adapters/woocommerce"
)

func ExampleAdapter_Normalize() {
	s := &shop.Shop{ID: "demo-woo", Platform: "woocommerce", Domain: "example.com", WebhookSecret: "s3cret"}
	body := []byte(`{"id":727,"number":"727","order_key":"wc_order_58d2d042d1d","status":"completed",` +
		`"currency":"USD","total":"29.35","customer_id":0,"billing":{"email":"john.doe@example.com"},` +
		`"date_modified_gmt":"2017-03-22T19:30:35","date_paid_gmt":"2017-03-22T19:28:08"}`)
	h := http.Header{}
	h.Set(woocommerce.HeaderSource, "https://example.com/")
	h.Set(woocommerce.HeaderTopic, "order.updated")
	h.Set(woocommerce.HeaderSignature, woocommerce.Sign("s3cret", body))
	req := &ingest.Request{Header: h, Body: body, ReceivedAt: time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)}

	a := woocommerce.New()
	domain, _ := a.Identify(req)
	fmt.Println("site:", domain)
	fmt.Println("verified:", a.Verify(s, req) == nil)
	res, err := a.Normalize(s, req)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("delivery:", res.DeliveryID)
	for _, m := range res.Messages {
		fmt.Println(m.Subject)
	}
	// Output:
	// site: example.com
	// verified: true
	// delivery: example.com|order.updated|727|2017-03-22T19:30:35Z
	// events.demo-woo.order.updated
	// events.demo-woo.order.paid
	// events.demo-woo.order.fulfilled
}
