package template

import (
	"encoding/json"
	"net/url"
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
	sampleCart = `{
  "schema_version": 1, "id": "evt_sample_cart", "type": "cart.abandoned", "shop": "demo",
  "platform": "shopify", "occurred_at": "2026-03-14T12:30:00Z", "received_at": "2026-03-14T12:30:01Z",
  "customer": {"id": "901", "email": "ann@example.com", "first_name": "Ann", "last_name": "Lee"},
  "data": {
    "id": "cart-1", "token": "c1", "email": "ann@example.com", "currency": "USD", "total": "79.00",
    "recovery_url": "https://demo.example.com/cart/c1?recover=k2",
    "line_items": [
      {"product_id": "4", "variant_id": "41", "title": "Gooseneck Kettle", "variant_title": "Matte Black",
       "quantity": 1, "price": "64.00", "image_url": "https://cdn.example.com/kettle.jpg",
       "url": "https://demo.example.com/products/gooseneck-kettle"},
      {"product_id": "6", "variant_id": "61", "title": "Paper Filters, 100 pack", "quantity": 2,
       "price": "7.50", "image_url": "https://cdn.example.com/filters.jpg",
       "url": "https://demo.example.com/products/paper-filters"}
    ],
    "created_at": "2026-03-14T12:10:00Z", "updated_at": "2026-03-14T12:30:00Z"
  },
  "source": {"topic": "carts/update", "delivery_id": "sample-5"}
}`
	sampleDelivered = `{
  "schema_version": 1, "id": "evt_sample_delivered", "type": "shipment.updated", "shop": "demo",
  "platform": "shopify", "occurred_at": "2026-03-10T16:12:00Z", "received_at": "2026-03-10T16:12:01Z",
  "customer": {"email": "ann@example.com", "first_name": "Ann", "last_name": "Lee"},
  "data": {
    "id": "6990", "order_id": "4990", "status": "delivered", "carrier": "UPS",
    "tracking_number": "1Z999AA10123456770",
    "tracking_url": "https://www.ups.com/track?tracknum=1Z999AA10123456770", "email": "ann@example.com",
    "line_items": [
      {"product_id": "1", "title": "Stoneware Mug", "variant_title": "Sage", "quantity": 2,
       "image_url": "https://cdn.example.com/mug.jpg", "url": "https://demo.example.com/products/stoneware-mug"},
      {"product_id": "2", "title": "Pour-over Coffee Kit", "quantity": 1,
       "image_url": "https://cdn.example.com/kit.jpg", "url": "https://demo.example.com/products/pour-over-kit"}
    ],
    "destination": {"first_name": "Ann", "last_name": "Lee", "address1": "12 Harbour Street",
      "city": "Portland", "province": "ME", "zip": "04101", "country": "United States"},
    "happened_at": "2026-03-10T16:12:00Z", "updated_at": "2026-03-10T16:12:00Z"
  },
  "source": {"topic": "fulfillment_events/create", "delivery_id": "sample-6"}
}`
	sampleProductView = `{
  "schema_version": 1, "id": "evt_sample_view", "type": "product.viewed", "shop": "demo",
  "platform": "boomerang", "occurred_at": "2026-03-14T11:45:00Z", "received_at": "2026-03-14T11:45:01Z",
  "customer": {"id": "901", "email": "ann@example.com", "first_name": "Ann", "last_name": "Lee"},
  "data": {
    "product_id": "3", "title": "Ethiopia Yirgacheffe Beans, 12 oz", "price": "19.00", "currency": "USD",
    "url": "https://demo.example.com/products/ethiopia-yirgacheffe",
    "image_url": "https://cdn.example.com/yirgacheffe.jpg"
  },
  "source": {"topic": "storefront", "delivery_id": "sample-7"}
}`
	samplePrediction = `{
  "schema_version": 1, "id": "evt_sample_prediction", "type": "prediction.updated", "shop": "demo",
  "platform": "boomerang", "occurred_at": "2026-03-14T06:00:00Z", "received_at": "2026-03-14T06:00:00Z",
  "customer": {"id": "901", "email": "ann@example.com", "first_name": "Ann", "last_name": "Lee"},
  "data": {
    "p_alive": 0.31, "churn_risk": 0.69, "churn_band": "high", "expected_orders": 0.4,
    "predicted_clv": "42.00", "currency": "USD", "model": "bgnbd"
  },
  "source": {"topic": "predict", "delivery_id": "sample-8"}
}`
	// sampleDate is a date.reached event; Sample fills in its data.
	sampleDate = `{
  "schema_version": 1, "id": "evt_sample_date", "type": "date.reached", "shop": "demo",
  "platform": "boomerang", "occurred_at": "2026-03-14T12:00:00Z", "received_at": "2026-03-14T12:00:00Z",
  "customer": {"id": "901", "email": "ann@example.com", "first_name": "Ann", "last_name": "Lee"},
  "data": {},
  "source": {"topic": "dates", "delivery_id": "sample-9"}
}`
)

// Sample product cards.
var (
	sampleBeans = Product{
		ID: "3", Title: "Ethiopia Yirgacheffe Beans, 12 oz", Price: "$19.00",
		URL: "https://demo.example.com/products/ethiopia-yirgacheffe", ImageURL: "https://cdn.example.com/yirgacheffe.jpg",
	}
	sampleGrinder = Product{
		ID: "5", Title: "Hand Burr Grinder", Price: "$48.00",
		URL: "https://demo.example.com/products/hand-burr-grinder", ImageURL: "https://cdn.example.com/grinder.jpg",
	}
	sampleKettle = Product{
		ID: "4", Title: "Gooseneck Kettle", Price: "$64.00",
		URL: "https://demo.example.com/products/gooseneck-kettle", ImageURL: "https://cdn.example.com/kettle.jpg",
	}
	sampleFilters = Product{
		ID: "6", Title: "Paper Filters, 100 pack", Price: "$7.50",
		URL: "https://demo.example.com/products/paper-filters", ImageURL: "https://cdn.example.com/filters.jpg",
	}
)

// sampleLinks makes deterministic one-click links for samples.
type sampleLinks struct{ base string }

func (l sampleLinks) Answer(question, answer string) string {
	return l.base + "/feedback?" + url.Values{"t": {"tok_sample"}, "q": {question}, "a": {answer}}.Encode()
}

func (l sampleLinks) Survey(survey string) string {
	return l.base + "/survey/" + url.PathEscape(survey) + "?t=tok_sample"
}

// sampleDiscount is a code made for a sample, expiring days after the
// sample time.
func sampleDiscount(code string, percent int, days int) *Discount {
	return &Discount{Code: code, Percent: percent, ExpiresAt: sampleNow.Add(time.Duration(days) * 24 * time.Hour)}
}

// sampleTrigger returns the trigger event, flow and step of the named
// template's sample.
func sampleTrigger(name string) (ev, flow, step string) {
	switch {
	case strings.HasPrefix(name, "abandoned-checkout"):
		return sampleCheckout, "abandoned-checkout", "reminder"
	case strings.HasPrefix(name, "abandoned-cart"):
		return sampleCart, "abandoned-cart", strings.TrimPrefix(name, "abandoned-cart-")
	case strings.HasPrefix(name, "smart-abandonment"):
		return sampleCheckout, "smart-abandonment", strings.TrimPrefix(name, "smart-abandonment-")
	case name == "browse-abandonment":
		return sampleProductView, "browse-abandonment", "reminder"
	case strings.HasPrefix(name, "order-"):
		return sampleOrder, "order-confirmation", "confirmation"
	case name == "buy-x-get-y", name == "profile-survey":
		return sampleOrder, name, "ask"
	case strings.HasPrefix(name, "shipping-"):
		return sampleShipment, "shipping-confirmation", "shipped"
	case name == "delivery-confirmation":
		return sampleDelivered, "delivery-confirmation", "delivered"
	case name == "cross-sell":
		return sampleDelivered, "cross-sell", "recommend"
	case strings.HasPrefix(name, "post-purchase"):
		return sampleDelivered, "post-purchase", strings.TrimPrefix(name, "post-purchase-")
	case strings.HasPrefix(name, "satisfaction"):
		return sampleDelivered, "satisfaction", strings.TrimPrefix(name, "satisfaction-")
	case strings.HasPrefix(name, "win-back"):
		return samplePrediction, "win-back", strings.TrimPrefix(strings.TrimPrefix(name, "win-back"), "-")
	case name == "birthday", name == "anniversary", name == "holiday":
		return sampleDate, name, "greeting"
	}
	return sampleCustomer, "welcome-series", "welcome"
}

// Sample returns realistic data for previewing and testing the named
// template: a shop, a customer and the trigger event its flow starts on (a
// checkout for abandoned-checkout-* and smart-abandonment-*, a cart for
// abandoned-cart-*, a product view for browse-abandonment, an order for
// order-*, buy-x-get-y and profile-survey, a shipment in transit for
// shipping-*, a delivered shipment for delivery-confirmation, cross-sell,
// post-purchase-* and satisfaction-*, a churn prediction for win-back*, a date.reached for
// birthday, anniversary and holiday, a new customer otherwise), plus the
// discount, product cards, flow parameters and referral link the template
// shows, and Links that make deterministic sample URLs. Discount codes are
// not MadeUp, so the samples show what a customer sees. Each call returns a
// fresh copy.
func Sample(name string) *Data {
	ev, flow, step := sampleTrigger(name)
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
		Links:          sampleLinks{base: "https://demo.example.com/boomerang"},
		Now:            sampleNow,
	}
	data, _ := m["data"].(map[string]any)
	switch name {
	case "abandoned-checkout-discount":
		d.Discount = sampleDiscount("COMEBACK-4XR9", 10, 3)
	case "welcome-first-order":
		d.Discount = sampleDiscount("WELCOME-7KQ2", 10, 14)
	case "welcome-second-order":
		d.Discount = sampleDiscount("AGAIN-5RV8", 10, 14)
	case "abandoned-cart-final":
		d.Discount = sampleDiscount("CART-3MZ8QD", 10, 3)
	case "smart-abandonment-price":
		d.Discount = sampleDiscount("SAVE-9TQ4LB", 10, 3)
	case "smart-abandonment-shipping":
		d.Discount = &Discount{Code: "SHIP-2HW7JN", FreeShipping: true, ExpiresAt: sampleNow.Add(72 * time.Hour)}
	case "smart-abandonment-help":
		d.Params = map[string]any{"help_url": "https://demo.example.com/pages/help", "help_email": "help@demo.example.com"}
	case "browse-abandonment":
		d.Products = []Product{sampleBeans, sampleKettle, sampleGrinder}
	case "cross-sell":
		d.Products = []Product{sampleBeans, sampleGrinder, sampleFilters}
	case "buy-x-get-y":
		d.Products = []Product{sampleBeans}
		d.Discount = sampleDiscount("PAIR-6JD2VR", 20, 7)
	case "post-purchase-tips":
		d.Params = map[string]any{"tips_url": "https://demo.example.com/pages/brewing-guide"}
	case "post-purchase-loyalty":
		d.Params = map[string]any{"loyalty_url": "https://demo.example.com/pages/rewards"}
	case "satisfaction-referral":
		d.ReferralCode = "ANN-K7P3"
		d.ReferralURL = "https://demo.example.com/r/ANN-K7P3"
	case "win-back", "win-back-sms":
		d.Discount = sampleDiscount("MISSYOU-5RX3KP", 15, 14)
	case "win-back-last-chance":
		d.Discount = sampleDiscount("MISSYOU-5RX3KP", 15, 7)
	case "birthday":
		data["kind"], data["date"] = "birthday", "2026-03-14"
		d.Discount = sampleDiscount("BDAY-7KQ2XW", 15, 7)
	case "anniversary":
		data["kind"], data["date"] = "anniversary", "2026-03-14"
	case "holiday":
		data["kind"], data["date"], data["name"] = "holiday", "2026-03-14", "Pi Day"
		d.Discount = sampleDiscount("HOLIDAY-3Q14RT", 10, 3)
	case "welcome-buyer":
		data["orders_count"] = 1
	case "welcome-repeat":
		data["orders_count"] = 3
	}
	if d.Discount != nil {
		d.DiscountCode = d.Discount.Code
	}
	return d
}
