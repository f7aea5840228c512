package template

import (
	"encoding/json"
	"strings"
	"time"
)

// sampleNow is the render time of every sample.
var sampleNow = time.Date(2026, time.March, 14, 15, 4, 5, 0, time.UTC)

// Sample events, as JSON, by kind: what the built-in flows' triggers carry.
const (
	sampleCheckout = `{
  "schema_version": 1, "id": "evt_sample_checkout", "type": "checkout.updated", "shop": "demo",
  "platform": "shopify", "occurred_at": "2026-03-14T13:58:00Z", "received_at": "2026-03-14T13:58:01Z",
  "customer": {"email": "ann@example.com", "first_name": "Ann", "last_name": "Lee"},
  "data": {
    "token": "ck-1", "email": "ann@example.com", "currency": "USD", "accepts_email_marketing": true,
    "accepts_sms_marketing": true, "subtotal": "74.00", "total": "79.50",
    "recovery_url": "https://demo.example.com/checkouts/ck-1/recover?key=k1",
    "line_items": [
      {"product_id": "1", "variant_id": "11", "title": "Stoneware Mug", "variant_title": "Sage",
       "quantity": 2, "price": "18.00", "image_url": "https://cdn.example.com/mug.jpg",
       "url": "https://demo.example.com/products/stoneware-mug"},
      {"product_id": "2", "variant_id": "21", "title": "Pour-over Coffee Kit", "quantity": 1,
       "price": "38.00", "image_url": "https://cdn.example.com/kit.jpg",
       "url": "https://demo.example.com/products/pour-over-kit"}
    ],
    "created_at": "2026-03-14T13:40:00Z", "updated_at": "2026-03-14T13:58:00Z"
  },
  "source": {"topic": "checkouts/update", "delivery_id": "sample-1"}
}`
	sampleOrder = `{
  "schema_version": 1, "id": "evt_sample_order", "type": "order.placed", "shop": "demo",
  "platform": "shopify", "occurred_at": "2026-03-14T14:02:00Z", "received_at": "2026-03-14T14:02:01Z",
  "customer": {"email": "ann@example.com", "first_name": "Ann", "last_name": "Lee"},
  "data": {
    "id": "5001", "number": "1001", "name": "#1001", "checkout_token": "ck-1", "email": "ann@example.com",
    "financial_status": "paid", "currency": "USD", "subtotal": "74.00", "total_discounts": "0.00",
    "total_shipping": "5.50", "total_tax": "0.00", "total": "79.50",
    "line_items": [
      {"product_id": "1", "variant_id": "11", "title": "Stoneware Mug", "variant_title": "Sage",
       "quantity": 2, "price": "18.00", "image_url": "https://cdn.example.com/mug.jpg",
       "url": "https://demo.example.com/products/stoneware-mug"},
      {"product_id": "2", "variant_id": "21", "title": "Pour-over Coffee Kit", "quantity": 1,
       "price": "38.00", "image_url": "https://cdn.example.com/kit.jpg",
       "url": "https://demo.example.com/products/pour-over-kit"}
    ],
    "shipping_address": {"first_name": "Ann", "last_name": "Lee", "address1": "12 Harbour Street",
      "city": "Portland", "province": "ME", "zip": "04101", "country": "United States", "country_code": "US"},
    "accepts_marketing": true, "status_url": "https://demo.example.com/orders/5001/status?key=s1",
    "created_at": "2026-03-14T14:02:00Z", "updated_at": "2026-03-14T14:02:00Z"
  },
  "source": {"topic": "orders/create", "delivery_id": "sample-2"}
}`
	sampleShipment = `{
  "schema_version": 1, "id": "evt_sample_shipment", "type": "shipment.updated", "shop": "demo",
  "platform": "shopify", "occurred_at": "2026-03-15T09:30:00Z", "received_at": "2026-03-15T09:30:01Z",
  "customer": {"email": "ann@example.com", "first_name": "Ann", "last_name": "Lee"},
  "data": {
    "id": "7001", "order_id": "5001", "status": "in_transit", "carrier": "UPS",
    "tracking_number": "1Z999AA10123456784",
    "tracking_url": "https://www.ups.com/track?tracknum=1Z999AA10123456784", "email": "ann@example.com",
    "line_items": [
      {"product_id": "1", "title": "Stoneware Mug", "variant_title": "Sage", "quantity": 2,
       "image_url": "https://cdn.example.com/mug.jpg", "url": "https://demo.example.com/products/stoneware-mug"},
      {"product_id": "2", "title": "Pour-over Coffee Kit", "quantity": 1,
       "image_url": "https://cdn.example.com/kit.jpg", "url": "https://demo.example.com/products/pour-over-kit"}
    ],
    "destination": {"first_name": "Ann", "last_name": "Lee", "address1": "12 Harbour Street",
      "city": "Portland", "province": "ME", "zip": "04101", "country": "United States"},
    "estimated_delivery_at": "2026-03-18T18:00:00Z",
    "happened_at": "2026-03-15T09:30:00Z", "updated_at": "2026-03-15T09:30:00Z"
  },
  "source": {"topic": "fulfillment_events/create", "delivery_id": "sample-3"}
}`
	sampleCustomer = `{
  "schema_version": 1, "id": "evt_sample_customer", "type": "customer.created", "shop": "demo",
  "platform": "shopify", "occurred_at": "2026-03-14T12:00:00Z", "received_at": "2026-03-14T12:00:01Z",
  "customer": {"id": "901", "email": "ann@example.com", "first_name": "Ann", "last_name": "Lee"},
  "data": {
    "id": "901", "email": "ann@example.com", "first_name": "Ann", "last_name": "Lee", "state": "enabled",
    "orders_count": 0, "currency": "USD",
    "email_consent": {"state": "subscribed", "opt_in_level": "single_opt_in"},
    "created_at": "2026-03-14T12:00:00Z", "updated_at": "2026-03-14T12:00:00Z"
  },
  "source": {"topic": "customers/create", "delivery_id": "sample-4"}
}`
)

// Sample returns realistic data for previewing and testing the named
// template: a shop, a customer and the trigger event its flow starts on
// (a checkout for abandoned-checkout-*, an order for order-*, a shipment
// for shipping-*, a new customer otherwise). Each call returns a fresh copy.
func Sample(name string) *Data {
	ev, flow, step := sampleCustomer, "welcome-series", "welcome"
	switch {
	case strings.HasPrefix(name, "abandoned-checkout"):
		ev, flow, step = sampleCheckout, "abandoned-checkout", "reminder"
	case strings.HasPrefix(name, "order-"):
		ev, flow, step = sampleOrder, "order-confirmation", "confirmation"
	case strings.HasPrefix(name, "shipping-"):
		ev, flow, step = sampleShipment, "shipping-confirmation", "shipped"
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(ev), &m); err != nil {
		panic("template: bad sample event: " + err.Error())
	}
	d := &Data{
		Shop: Shop{
			Name:     "Driftwood Coffee",
			Domain:   "demo.example.com",
			URL:      "https://demo.example.com",
			LogoURL:  "https://cdn.example.com/logo.png",
			Color:    "#2f6f4e",
			Address:  "Driftwood Coffee Co.\n12 Harbour Street\nPortland, ME 04101\nUnited States",
			Locale:   "en-US",
			Timezone: "America/New_York",
			HelpText: "Questions? Reply to this email or write to help@demo.example.com.",
		},
		Customer: Customer{
			FirstName: "Ann", LastName: "Lee", Email: "ann@example.com", Phone: "+15005550006",
			Timezone: "America/New_York",
		},
		Event:          m,
		Run:            Run{ID: "run_sample", Flow: flow, Step: step},
		UnsubscribeURL: "https://demo.example.com/boomerang/u/tok_sample",
		PreferencesURL: "https://demo.example.com/boomerang/p/tok_sample",
		Now:            sampleNow,
	}
	if strings.HasSuffix(name, "-discount") || strings.HasSuffix(name, "-first-order") {
		d.DiscountCode = "WELCOME-7KQ2"
		if strings.HasPrefix(name, "abandoned-checkout") {
			d.DiscountCode = "COMEBACK-4XR9"
		}
	}
	return d
}
