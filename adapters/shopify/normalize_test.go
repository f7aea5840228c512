package shopify

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/flows/event"
)

func TestNormalizeErrorOrder(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, topic, body string
		want              error
	}{
		{"not JSON beats unknown topic", "collections/update", `{"id": 1, "broken`, ingest.ErrMalformed},
		{"not JSON beats missing topic", "", `nope`, ingest.ErrMalformed},
		{"empty body", "orders/create", ``, ingest.ErrMalformed},
		{"missing topic", "", `{"id": 1}`, ingest.ErrUnknownTopic},
		{"unknown topic", "collections/update", `{"id": 1}`, ingest.ErrUnknownTopic},
		{"unknown topic of any shape", "collections/update", `[1, 2]`, ingest.ErrUnknownTopic},
		{"event id topic form is not a topic", "ORDERS_CREATE", `{"id": 1}`, ingest.ErrUnknownTopic},
		{"array for a used topic", "orders/create", `[1, 2, 3]`, ingest.ErrMalformed},
		{"null for a used topic", "customers/create", `null`, ingest.ErrMalformed},
		{"string for a used topic", "carts/update", `"cart"`, ingest.ErrMalformed},
		{"string where an object goes", "orders/create", `{"id": 1, "customer": "115310627314723954"}`, ingest.ErrMalformed},
		{"object where an id goes", "orders/create", `{"id": {"value": 1}}`, ingest.ErrMalformed},
		{"bool id", "customers/update", `{"id": true}`, ingest.ErrMalformed},
		{"number where a string goes", "orders/create", `{"id": 1, "email": 42}`, ingest.ErrMalformed},
		{"bad timestamp", "orders/updated", `{"id": 1, "updated_at": "yesterday"}`, ingest.ErrMalformed},
		{"fractional quantity", "orders/create", `{"id": 1, "line_items": [{"quantity": 1.5}]}`, ingest.ErrMalformed},
		{"order without id", "orders/create", `{"name": "#1001"}`, ingest.ErrMalformed},
		{"customer without id", "customers/create", `{"email": "a@example.com"}`, ingest.ErrMalformed},
		{"checkout without token or id", "checkouts/update", `{"email": "a@example.com"}`, ingest.ErrMalformed},
		{"deleted checkout without token or id", "checkouts/delete", `{"cart_token": "c1"}`, ingest.ErrMalformed},
		{"cart without id", "carts/create", `{"line_items": []}`, ingest.ErrMalformed},
		{"fulfillment without id", "fulfillments/update", `{"order_id": 1}`, ingest.ErrMalformed},
		{"fulfillment event without fulfillment", "fulfillment_events/create", `{"id": 1}`, ingest.ErrMalformed},
		{"email consent without consent", "customers_email_marketing_consent/update", `{"customer_id": 1}`, ingest.ErrMalformed},
		{"sms consent without customer", "customers_marketing_consent/update", `{"sms_marketing_consent": {"state": "subscribed"}}`, ingest.ErrMalformed},
		{"tags of the wrong type", "customers/update", `{"id": 1, "tags": {"a": 1}}`, ingest.ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			req := b.request(tc.topic, []byte(tc.body))
			if tc.topic == "" {
				req.Header.Del(HeaderTopic)
			}
			res, err := b.adapter.Normalize(b.shop, req)
			require.ErrorIs(t, err, tc.want)
			require.Nil(t, res)
		})
	}
}

func TestErrorsNeverQuoteTheBody(t *testing.T) {
	t.Parallel()
	const secret = "s3cr3t-body-marker"
	for _, tc := range []struct{ topic, body string }{
		{"orders/create", `{"id": "` + secret + `", "email": 1}`},
		{"orders/create", `{"id": 1, "updated_at": "` + secret + `"}`},
		{"orders/create", `{"id": 1, "customer": "` + secret + `"}`},
		{"orders/create", `{"id": 1, "line_items": [{"quantity": "` + secret + `"}]}`},
		{"customers/update", `{"id": 1, "tags": {"` + secret + `": 1}}`},
		{"customers/update", `["` + secret + `"]`},
		{"checkouts/update", `{"` + secret},
	} {
		b := setup(t)
		_, err := b.adapter.Normalize(b.shop, b.request(tc.topic, []byte(tc.body)))
		require.ErrorIs(t, err, ingest.ErrMalformed, tc.body)
		require.NotContains(t, err.Error(), secret)
	}
}

func TestOrderTopics(t *testing.T) {
	t.Parallel()
	body := string(sample(t, "orders_create"))
	for topic, want := range map[string]event.Type{
		"orders/create":    event.OrderPlaced,
		"orders/paid":      event.OrderPaid,
		"orders/fulfilled": event.OrderFulfilled,
		"orders/updated":   event.OrderUpdated,
		"orders/cancelled": event.OrderCancelled,
	} {
		t.Run(topic, func(t *testing.T) {
			t.Parallel()
			ev := setup(t).single(t, topic, body)
			require.Equal(t, want, ev.Type)
			require.Equal(t, "events.demo."+string(want), ev.Subject())
			require.Equal(t, topic, ev.Source.Topic)
			if want == event.OrderUpdated {
				require.Equal(t, "order.updated:demo:820982911946154508@2022-01-01T00:00:00Z", ev.Key)
			} else {
				require.Equal(t, string(want)+":demo:820982911946154508", ev.Key, "one-time transitions carry no version")
			}
		})
	}
}

// TestSixtyFourBitIDs checks ids above 2^53, and one above 2^63, survive to
// the digit.
func TestSixtyFourBitIDs(t *testing.T) {
	t.Parallel()
	ev := setup(t).single(t, "orders/create", `{
		"id": 18446744073709551615,
		"order_number": 9007199254740993,
		"customer": {"id": 9007199254740993, "email": "a@example.com"},
		"line_items": [{"id": 820982911946154508, "product_id": 788032119674292922,
			"variant_id": 9223372036854775807, "title": "T", "quantity": 2, "price": "1.00"}]
	}`)
	o := ev.Data.(*event.Order)
	require.Equal(t, "18446744073709551615", o.ID)
	require.Equal(t, "9007199254740993", o.Number)
	require.Equal(t, "9007199254740993", ev.Customer.ID)
	require.Equal(t, "820982911946154508", o.LineItems[0].ID)
	require.Equal(t, "788032119674292922", o.LineItems[0].ProductID)
	require.Equal(t, "9223372036854775807", o.LineItems[0].VariantID)
	require.Equal(t, "order.placed:demo:18446744073709551615", ev.Key)
}

func TestMoneyKeepsItsLiteral(t *testing.T) {
	t.Parallel()
	ev := setup(t).single(t, "orders/paid", `{
		"id": "gid://shopify/Order/1", "currency": "JPY",
		"total_price": 10.10, "subtotal_price": "1e3", "total_tax": 0.000,
		"total_shipping_price_set": {"shop_money": {"amount": 4.50, "currency_code": "JPY"}},
		"line_items": [{"title": "T", "quantity": 1, "price": 0.1}]
	}`)
	o := ev.Data.(*event.Order)
	require.Equal(t, "gid://shopify/Order/1", o.ID, "string ids pass through")
	require.Equal(t, event.Decimal("10.10"), o.Total, "a JSON number keeps its literal text")
	require.Equal(t, event.Decimal("1e3"), o.Subtotal)
	require.Equal(t, event.Decimal("0.000"), o.TotalTax)
	require.Equal(t, event.Decimal("4.50"), o.TotalShipping)
	require.Equal(t, event.Decimal("0.1"), o.LineItems[0].Price)
}

func TestMinimalOrder(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ev := b.single(t, "orders/create", `{"id": 1}`)
	o := ev.Data.(*event.Order)
	require.Nil(t, ev.Customer, "no one to name")
	require.NotNil(t, o.LineItems)
	require.Empty(t, o.LineItems)
	require.Nil(t, o.CancelledAt)
	require.Nil(t, o.PaidAt)
	require.Nil(t, o.BillingAddress)
	require.Equal(t, time.Date(2026, 7, 1, 11, 59, 58, 123456789, time.UTC), ev.OccurredAt, "no resource time: the trigger time")
	require.Equal(t, receivedAt, ev.ReceivedAt)
}

func TestOccurredAt(t *testing.T) {
	t.Parallel()
	t.Run("updated_at first, in UTC", func(t *testing.T) {
		t.Parallel()
		ev := setup(t).single(t, "orders/updated", `{"id": 1, "created_at": "2026-06-01T10:00:00+02:00", "updated_at": "2026-06-02T10:00:00-05:00"}`)
		require.Equal(t, time.Date(2026, 6, 2, 15, 0, 0, 0, time.UTC), ev.OccurredAt)
		require.Equal(t, time.UTC, ev.OccurredAt.Location())
	})
	t.Run("else created_at", func(t *testing.T) {
		t.Parallel()
		ev := setup(t).single(t, "orders/create", `{"id": 1, "created_at": "2026-06-01T10:00:00+02:00", "updated_at": null}`)
		require.Equal(t, time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC), ev.OccurredAt)
	})
	t.Run("else the trigger time", func(t *testing.T) {
		t.Parallel()
		ev := setup(t).single(t, "orders/create", `{"id": 1, "updated_at": ""}`)
		require.Equal(t, time.Date(2026, 7, 1, 11, 59, 58, 123456789, time.UTC), ev.OccurredAt)
	})
	t.Run("else the receive time", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		for _, header := range []string{"", "not a time"} {
			req := b.request("orders/create", []byte(`{"id": 1}`))
			req.Header.Set(HeaderTriggeredAt, header)
			evs := b.normalize(t, req)
			require.Equal(t, receivedAt, evs[0].OccurredAt)
		}
	})
}

func TestOrderDetails(t *testing.T) {
	t.Parallel()
	ev := setup(t).single(t, "orders/fulfilled", `{
		"id": 7, "email": "", "contact_email": "contact@example.com", "phone": "+15550001111",
		"financial_status": "PAID", "fulfillment_status": "fulfilled",
		"processed_at": "2026-06-01T10:00:00Z", "checkout_token": "ck1", "cart_token": "ct1",
		"discount_codes": [{"code": "WELCOME10", "amount": "10.00", "type": "percentage"}, {"code": ""}],
		"fulfillments": [{"created_at": "2026-06-03T10:00:00Z"}, {"created_at": "2026-06-04T10:00:00Z"}],
		"billing_address": {"first_name": "Ada", "last_name": "Lovelace"},
		"line_items": [{"id": 1, "name": "Mug - Blue", "quantity": 1, "price": "5.00",
			"image": {"src": "https://cdn.example/mug.png"}, "url": "/products/mug"}]
	}`)
	o := ev.Data.(*event.Order)
	require.Equal(t, "contact@example.com", o.Email, "email, else contact_email")
	require.Equal(t, &event.Customer{Email: "contact@example.com", Phone: "+15550001111", FirstName: "Ada", LastName: "Lovelace"}, ev.Customer)
	require.Equal(t, "paid", o.FinancialStatus)
	require.Equal(t, "ck1", o.CheckoutToken)
	require.Equal(t, "ct1", o.CartToken)
	require.Equal(t, []string{"WELCOME10"}, o.DiscountCodes)
	require.Equal(t, time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC), *o.PaidAt)
	require.Equal(t, time.Date(2026, 6, 4, 10, 0, 0, 0, time.UTC), *o.FulfilledAt)
	require.Equal(t, event.LineItem{
		ID: "1", Title: "Mug - Blue", Quantity: 1, Price: "5.00",
		ImageURL: "https://cdn.example/mug.png", URL: "/products/mug",
	}, o.LineItems[0])
}

func TestCheckoutContact(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, body string
		emits      bool
	}{
		{"email", `{"token": "t1", "email": "a@example.com"}`, true},
		{"phone", `{"token": "t1", "phone": "+15550001111"}`, true},
		{"sms marketing phone", `{"token": "t1", "sms_marketing_phone": "+15550001111", "buyer_accepts_sms_marketing": true}`, true},
		{"logged-in customer's email", `{"token": "t1", "customer": {"id": 5, "email": "c@example.com"}}`, true},
		{"no contact yet", `{"token": "t1", "email": null, "phone": null, "customer": null}`, false},
		{"completed", `{"token": "t1", "email": "a@example.com", "completed_at": "2026-06-01T10:00:00Z"}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			res, err := b.adapter.Normalize(b.shop, b.request("checkouts/update", []byte(tc.body)))
			require.NoError(t, err)
			require.NotNil(t, res, "a used topic always answers with a Result")
			require.Equal(t, "checkouts/update", res.Topic)
			if !tc.emits {
				require.Empty(t, res.Messages)
				return
			}
			require.Len(t, res.Messages, 1)
			ev := res.Messages[0].Value.(*event.Event)
			require.NoError(t, ev.Validate())
			require.Equal(t, event.CheckoutUpdated, ev.Type)
			c := ev.Data.(*event.Checkout)
			require.Equal(t, "t1", c.Token)
			require.Equal(t, ev.Customer.Email, c.Email)
		})
	}
	t.Run("sms fields and presentment currency", func(t *testing.T) {
		t.Parallel()
		ev := setup(t).single(t, "checkouts/create", `{"id": 981820079255243537, "token": "t2",
			"sms_marketing_phone": "+15550001111", "buyer_accepts_sms_marketing": true,
			"currency": "USD", "presentment_currency": "CAD", "subtotal_price": "10.00", "total_price": "11.30",
			"updated_at": "2026-06-01T10:00:00Z"}`)
		c := ev.Data.(*event.Checkout)
		require.Equal(t, "981820079255243537", c.ID)
		require.Equal(t, "+15550001111", c.SMSMarketingPhone)
		require.Equal(t, "+15550001111", ev.Customer.Phone)
		require.True(t, c.AcceptsSMSMarketing)
		require.Equal(t, "CAD", c.Currency)
		require.Equal(t, "checkout.updated:demo:t2@2026-06-01T10:00:00Z", ev.Key)
	})
}

func TestCheckoutDeleteKeys(t *testing.T) {
	t.Parallel()
	ev := setup(t).single(t, "checkouts/delete", `{"id": 5, "token": "t5", "cart_token": "c5"}`)
	require.Equal(t, "checkout.deleted:demo:t5", ev.Key, "the token, when present, names the checkout")
	require.Equal(t, &event.CheckoutRef{Token: "t5", ID: "5", CartToken: "c5"}, ev.Data)
}

func TestLegacyCustomerConsent(t *testing.T) {
	t.Parallel()
	ev := setup(t).single(t, "customers/update", `{
		"id": 706405506930370084, "email": "bob@biller.com", "phone": "+16135551212",
		"accepts_marketing": true, "accepts_marketing_updated_at": "2022-01-01T00:00:00Z",
		"marketing_opt_in_level": "single_opt_in",
		"tags": "vip, , wholesale", "orders_count": 3, "total_spent": "375.30", "state": "ENABLED",
		"email_marketing_consent": {"state": "subscribed", "opt_in_level": "single_opt_in", "consent_updated_at": "2022-01-01T00:00:00Z"},
		"sms_marketing_consent": {"state": "not_subscribed", "opt_in_level": "single_opt_in", "consent_updated_at": null, "consent_collected_from": "OTHER"},
		"updated_at": "2026-06-01T10:00:00Z"
	}`)
	c := ev.Data.(*event.CustomerData)
	require.Equal(t, &event.ConsentState{State: "subscribed", OptInLevel: "single_opt_in", UpdatedAt: time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)}, c.EmailConsent)
	require.Equal(t, &event.ConsentState{State: "not_subscribed", OptInLevel: "single_opt_in"}, c.SMSConsent)
	require.Equal(t, []string{"vip", "wholesale"}, c.Tags)
	require.Equal(t, 3, *c.OrdersCount)
	require.Equal(t, event.Decimal("375.30"), c.TotalSpent)
	require.Equal(t, "enabled", c.State)
	require.Equal(t, "customer.updated:demo:706405506930370084@2026-06-01T10:00:00Z", ev.Key)

	current := setup(t).single(t, "customers/create", string(sample(t, "customers_create")))
	cd := current.Data.(*event.CustomerData)
	require.Nil(t, cd.EmailConsent, "API 2025-01+ payloads carry no consent")
	require.Nil(t, cd.SMSConsent)
	require.Equal(t, event.CustomerCreated, current.Type)
}

func TestTagsAsArray(t *testing.T) {
	t.Parallel()
	ev := setup(t).single(t, "customers/create", `{"id": 1, "tags": ["a", "b"]}`)
	require.Equal(t, []string{"a", "b"}, ev.Data.(*event.CustomerData).Tags)
}

func TestConsentKeysDifferByChannel(t *testing.T) {
	t.Parallel()
	b := setup(t)
	email := b.single(t, "customers_email_marketing_consent/update", `{"customer_id": 7, "email_address": "a@example.com",
		"email_marketing_consent": {"state": "SUBSCRIBED", "opt_in_level": "CONFIRMED_OPT_IN", "consent_updated_at": "2026-06-01T10:00:00Z"}}`)
	sms := b.single(t, "customers_marketing_consent/update", `{"id": 7, "phone": "+15550001111",
		"sms_marketing_consent": {"state": "unsubscribed", "opt_in_level": "single_opt_in", "consent_updated_at": "2026-06-01T10:00:00Z", "consent_collected_from": "shopify"}}`)
	require.NotEqual(t, email.Key, sms.Key)
	require.Equal(t, &event.Consent{
		Channel: "email", Email: "a@example.com", State: "subscribed", OptInLevel: "confirmed_opt_in",
		UpdatedAt: time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC),
	}, email.Data)
	require.Equal(t, &event.Consent{
		Channel: "sms", Phone: "+15550001111", State: "unsubscribed", OptInLevel: "single_opt_in",
		CollectedFrom: "SHOPIFY", UpdatedAt: time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC),
	}, sms.Data)
	require.Equal(t, time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC), email.OccurredAt)
}

func TestShipmentStatus(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ shipment, status, want string }{
		{"delivered", "success", event.ShipmentDelivered},
		{"OUT_FOR_DELIVERY", "success", event.ShipmentOutForDelivery},
		{"", "success", event.ShipmentConfirmed},
		{"", "pending", "pending"},
		{"", "failure", event.ShipmentFailure},
		{"in_transit", "", event.ShipmentInTransit},
	} {
		require.Equal(t, tc.want, shipmentStatus(tc.shipment, tc.status), "%q/%q", tc.shipment, tc.status)
	}
	ev := setup(t).single(t, "fulfillments/update", `{"id": 9, "order_id": 8, "status": "success", "shipment_status": null,
		"tracking_number": null, "tracking_numbers": ["T1", "T2"], "tracking_urls": ["https://t.example/T1"]}`)
	s := ev.Data.(*event.Shipment)
	require.Equal(t, event.ShipmentConfirmed, s.Status)
	require.Equal(t, "T1", s.TrackingNumber)
	require.Equal(t, "https://t.example/T1", s.TrackingURL)
	require.NotNil(t, s.LineItems)
}

func TestFulfillmentEventKeyDiffersFromFulfillment(t *testing.T) {
	t.Parallel()
	b := setup(t)
	f := b.single(t, "fulfillments/create", string(sample(t, "fulfillments_create")))
	e := b.single(t, "fulfillment_events/create", string(sample(t, "fulfillment_events_create")))
	require.Equal(t, f.Data.(*event.Shipment).ID, e.Data.(*event.Shipment).ID, "both describe fulfillment 123456")
	require.NotEqual(t, f.Key, e.Key, "same fulfillment and updated_at, different changes")
	delivered := b.single(t, "fulfillment_events/create", `{"id": 2, "fulfillment_id": 123456, "order_id": 1, "status": "DELIVERED",
		"happened_at": "2026-06-05T10:00:00Z", "estimated_delivery_at": "2026-06-05T09:00:00Z"}`)
	s := delivered.Data.(*event.Shipment)
	require.Equal(t, event.ShipmentDelivered, s.Status)
	require.Equal(t, time.Date(2026, 6, 5, 9, 0, 0, 0, time.UTC), *s.EstimatedDeliveryAt)
	require.Equal(t, "shipment.updated:demo:123456/events/2@2026-06-05T10:00:00Z", delivered.Key)
}

func TestDeliveryIdentity(t *testing.T) {
	t.Parallel()
	body := sample(t, "orders_create")
	t.Run("webhook id, not event id", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		first, second := b.request("orders/create", body), b.request("orders/create", body)
		second.Header.Set(HeaderWebhookID, "another-subscription-delivery")
		e1, e2 := b.normalize(t, first)[0], b.normalize(t, second)[0]
		require.Equal(t, first.Header.Get(HeaderEventID), second.Header.Get(HeaderEventID))
		require.NotEqual(t, e1.ID, e2.ID, "sibling deliveries of one action are distinct deliveries")
		require.Equal(t, e1.Key, e2.Key, "but the same change")
		require.Equal(t, "another-subscription-delivery", e2.Source.DeliveryID)
		require.Equal(t, event.DeliveryID("shopify", "demo", "another-subscription-delivery", event.OrderPlaced), e2.ID)
	})
	t.Run("a retry keeps its id", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		req := b.request("orders/create", body)
		e1 := b.normalize(t, req)[0]
		retry := b.request("orders/create", body)
		retry.ReceivedAt = receivedAt.Add(time.Hour)
		e2 := b.normalize(t, retry)[0]
		require.Equal(t, e1.ID, e2.ID)
		require.Equal(t, e1.Key, e2.Key)
	})
	t.Run("fallback without X-Shopify-Webhook-Id", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		req := b.request("orders/create", body)
		req.Header.Del(HeaderWebhookID)
		res, err := b.adapter.Normalize(b.shop, req)
		require.NoError(t, err)
		sum := sha256.Sum256([]byte("orders/create\x00" + string(body)))
		require.Equal(t, hex.EncodeToString(sum[:]), res.DeliveryID)
		require.Equal(t, res.DeliveryID, res.Messages[0].Value.(*event.Event).Source.DeliveryID)

		paid := b.request("orders/paid", body)
		paid.Header.Del(HeaderWebhookID)
		other, err := b.adapter.Normalize(b.shop, paid)
		require.NoError(t, err)
		require.NotEqual(t, res.DeliveryID, other.DeliveryID, "the topic is part of the fallback")
	})
	t.Run("topic header is trimmed and lower-cased", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		req := b.request(" Orders/Create ", body)
		res, err := b.adapter.Normalize(b.shop, req)
		require.NoError(t, err)
		require.Equal(t, "orders/create", res.Topic)
	})
}

func TestCompliance(t *testing.T) {
	t.Parallel()
	b := setup(t)
	redact := b.single(t, "customers/redact", `{"shop_id": 1, "shop_domain": "demo.myshopify.com", "customer": null, "orders_to_redact": []}`)
	require.Equal(t, event.CustomerRedact, redact.Type)
	require.Nil(t, redact.Customer)
	require.Equal(t, "customer.redact:demo:b54557e4-bdd9-4b37-8a5f-bf7d70bcd043", redact.Key, "a request naming no one is still kept, keyed on its delivery")

	byEmail := b.single(t, "customers/data_request", `{"customer": {"id": null, "email": "a@example.com"}, "data_request": {"id": 42}}`)
	require.Equal(t, "customer.data_request:demo:a@example.com/requests/42", byEmail.Key)
	require.Equal(t, &event.Redact{Email: "a@example.com", RequestID: "42"}, byEmail.Data)

	shopRedact := b.single(t, "shop/redact", `{}`)
	require.Equal(t, &event.ShopData{Domain: "demo.myshopify.com"}, shopRedact.Data)
	require.Equal(t, "shop.redact:demo:demo.myshopify.com", shopRedact.Key)

	uninstalled := b.single(t, "app/uninstalled", `{"id": 548380009, "myshopify_domain": "demo.myshopify.com", "updated_at": "2020-01-01T00:00:00Z"}`)
	require.Equal(t, time.Date(2026, 7, 1, 11, 59, 58, 123456789, time.UTC), uninstalled.OccurredAt, "the shop record's times are not the uninstall's")
}

func TestCartCurrencyAndID(t *testing.T) {
	t.Parallel()
	ev := setup(t).single(t, "carts/update", `{"token": "tok", "line_items": [{"id": 1, "title": "T", "quantity": 1, "price": "2.00",
		"price_set": {"presentment_money": {"amount": "2.00", "currency_code": "EUR"}}}]}`)
	c := ev.Data.(*event.Cart)
	require.Equal(t, "tok", c.ID, "the token when there is no id")
	require.Equal(t, "EUR", c.Currency)
	require.Nil(t, ev.Customer, "carts name no customer")
}

func TestTopics(t *testing.T) {
	t.Parallel()
	got := Topics()
	require.Len(t, got, 24)
	require.IsIncreasing(t, got)
	for _, topic := range got {
		require.Equal(t, strings.ToLower(topic), topic)
	}
}
