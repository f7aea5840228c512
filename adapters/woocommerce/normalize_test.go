package woocommerce_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/flows/event"
)

func TestNormalizeUnknownTopics(t *testing.T) {
	t.Parallel()
	cases := []struct{ topic, body string }{
		{"order.deleted", `{"id":727}`},
		{"order.restored", string(readSample(t, "order.updated.json"))},
		{"customer.deleted", `{"id":25}`},
		{"product.published", string(readSample(t, "product.created.json"))},
		{"action.woocommerce_add_to_cart", `{"action":"woocommerce_add_to_cart","arg":"c4ca4238a0b923820dcc509a6f75849b"}`},
		{"action.wc_custom", `{"action":"wc_custom","arg":[1,2]}`},
		{"", `{"id":727}`},
		// Unknown topics are not checked for shape: only used topics have one.
		{"order.deleted", `[]`},
	}
	for _, tc := range cases {
		t.Run(tc.topic, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			res, err := b.adapter.Normalize(b.shop, b.request(tc.topic, []byte(tc.body)))
			require.ErrorIs(t, err, ingest.ErrUnknownTopic)
			require.Nil(t, res)
		})
	}
}

func TestNormalizeMalformed(t *testing.T) {
	t.Parallel()
	const secretish = "hunter2-never-in-errors"
	cases := []struct{ name, topic, body string }{
		{"not JSON", "order.created", "webhook_id=12"},
		{"not JSON, unknown topic", "order.deleted", "{"},
		{"empty", "order.updated", ""},
		{"array", "order.created", `[{"id":1}]`},
		{"empty array", "order.updated", `[]`},
		{"string", "customer.created", `"` + secretish + `"`},
		{"null", "order.updated", `null`},
		{"number", "product.updated", `727`},
		{"no id", "order.created", `{"status":"processing","billing":{"email":"` + secretish + `"}}`},
		{"zero id", "order.updated", `{"id":0}`},
		{"float id", "order.updated", `{"id":727.5}`},
		{"negative id", "coupon.updated", `{"id":-1}`},
		{"word id", "product.updated", `{"id":"` + secretish + `"}`},
		{"object id", "product.deleted", `{"id":{"id":794}}`},
		{"deleted without id", "coupon.deleted", `{}`},
		{"billing is a string", "order.created", `{"id":1,"billing":"` + secretish + `"}`},
		{"line_items is an object", "order.updated", `{"id":1,"line_items":{"id":2}}`},
		{"quantity is a word", "order.updated", `{"id":1,"line_items":[{"id":2,"quantity":"` + secretish + `"}]}`},
		{"total is a bool", "order.updated", `{"id":1,"total":true}`},
		{"date is not a date", "customer.updated", `{"id":25,"date_modified_gmt":"` + secretish + `"}`},
		{"date is a number", "coupon.updated", `{"id":719,"date_modified_gmt":1490121976}`},
		{"email is a number", "customer.created", `{"id":25,"email":12345}`},
		{"images is a string", "product.created", `{"id":794,"images":"` + secretish + `"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			res, err := b.adapter.Normalize(b.shop, b.request(tc.topic, []byte(tc.body)))
			require.ErrorIs(t, err, ingest.ErrMalformed)
			require.Nil(t, res)
			require.NotContains(t, err.Error(), secretish)
		})
	}
}

func TestNormalizeLargeIDsSurviveExactly(t *testing.T) {
	t.Parallel()
	b := setup(t)
	body := `{"id":18446744073709551615,"number":18446744073709551615,"order_key":"wc_order_x","status":"processing",
		"currency":"EUR","total":"1.00","customer_id":9007199254740993,
		"date_created_gmt":"2026-06-30T10:00:00","date_modified_gmt":"2026-06-30T10:00:01","date_paid_gmt":"2026-06-30T10:00:01",
		"billing":{"email":"big@example.com"},
		"line_items":[{"id":9007199254740995,"name":"Big","product_id":9007199254740997,"variation_id":"9007199254740999","quantity":1,"subtotal":"1.00","price":1}]}`
	res := b.normalize(t, "order.created", []byte(body))
	evs := events(t, res)
	require.Len(t, evs, 2)
	placed := evs[0]
	require.Equal(t, "order.placed:demo-woo:18446744073709551615", placed.Key)
	require.Equal(t, "9007199254740993", placed.Customer.ID)
	o, ok := placed.Data.(*event.Order)
	require.True(t, ok)
	require.Equal(t, "18446744073709551615", o.ID)
	require.Equal(t, "18446744073709551615", o.Number)
	require.Equal(t, "9007199254740995", o.LineItems[0].ID)
	require.Equal(t, "9007199254740997", o.LineItems[0].ProductID)
	require.Equal(t, "9007199254740999", o.LineItems[0].VariantID)

	// The ids also survive a round trip through the wire form of the event.
	raw, err := json.Marshal(placed)
	require.NoError(t, err)
	var back event.Event
	require.NoError(t, json.Unmarshal(raw, &back))
	require.Equal(t, "18446744073709551615", back.Data.(*event.Order).ID)
	require.Contains(t, string(raw), `"customer":{"id":"9007199254740993"`)
}

func TestNormalizeMoneyKeepsLiteralText(t *testing.T) {
	t.Parallel()
	b := setup(t)
	body := `{"id":1,"status":"pending","currency":"USD","total":"0.30","total_tax":"0.00","discount_total":0,"shipping_total":"10.10",
		"line_items":[
			{"id":2,"name":"A","quantity":3,"subtotal":"0.10","price":0.1},
			{"id":3,"name":"B","quantity":1,"subtotal":"0.20","price":3.3333333333333335},
			{"id":4,"name":"C","quantity":1,"subtotal":"0.005","price":1e2}]}`
	res := b.normalize(t, "order.updated", []byte(body))
	o, ok := events(t, res)[0].Data.(*event.Order)
	require.True(t, ok)
	require.Equal(t, event.Decimal("0.305"), o.Subtotal)
	require.Equal(t, event.Decimal("0.30"), o.Total)
	require.Equal(t, event.Decimal("0"), o.TotalDiscounts)
	require.Equal(t, event.Decimal("10.10"), o.TotalShipping)
	require.Equal(t, event.Decimal("0.1"), o.LineItems[0].Price)
	require.Equal(t, event.Decimal("3.3333333333333335"), o.LineItems[1].Price)
	require.Equal(t, event.Decimal("1e2"), o.LineItems[2].Price)
}

func TestNormalizeSubtotalLeftEmptyWhenNotExact(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, lines := range []string{
		`[]`,
		`[{"id":2,"quantity":1,"subtotal":"1.00"},{"id":3,"quantity":1,"subtotal":""}]`,
		`[{"id":2,"quantity":1,"subtotal":"1,00"}]`,
	} {
		res := b.normalize(t, "order.updated", []byte(`{"id":1,"status":"pending","line_items":`+lines+`}`))
		o, ok := events(t, res)[0].Data.(*event.Order)
		require.True(t, ok)
		require.Empty(t, o.Subtotal, lines)
		require.NotNil(t, o.LineItems)
	}
}

func TestNormalizeMinimalBodies(t *testing.T) {
	t.Parallel()
	cases := []struct {
		topic, body string
		want        event.Type
	}{
		{"order.created", `{"id":1}`, event.OrderPlaced},
		{"order.updated", `{"id":1}`, event.OrderUpdated},
		{"customer.created", `{"id":2}`, event.CustomerCreated},
		{"customer.updated", `{"id":"2"}`, event.CustomerUpdated},
		{"coupon.updated", `{"id":3}`, event.CouponUpdated},
		{"product.updated", `{"id":4}`, event.ProductUpdated},
		{"product.deleted", `{"id":"4"}`, event.ProductDeleted},
	}
	for _, tc := range cases {
		t.Run(tc.topic, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			evs := events(t, b.normalize(t, tc.topic, []byte(tc.body)))
			require.Len(t, evs, 1)
			ev := evs[0]
			require.Equal(t, tc.want, ev.Type)
			// No dates in the body: the event happened when it arrived.
			require.Equal(t, receivedAt, ev.OccurredAt)
			require.Equal(t, receivedAt, ev.ReceivedAt)
			require.NotContains(t, ev.Key, "@")
		})
	}
}

func TestNormalizePHPEmptyArrays(t *testing.T) {
	t.Parallel()
	b := setup(t)
	body := `{"id":1,"status":"processing","billing":[],"shipping":[],"_links":[],"meta_data":[],
		"line_items":[{"id":2,"name":"A","quantity":1,"image":[]}]}`
	evs := events(t, b.normalize(t, "order.updated", []byte(body)))
	require.Len(t, evs, 1)
	o, ok := evs[0].Data.(*event.Order)
	require.True(t, ok)
	require.Nil(t, o.BillingAddress)
	require.Nil(t, o.ShippingAddress)
	require.Nil(t, evs[0].Customer)
	require.Empty(t, evs[0].Source.APIVersion)

	prod := `{"id":5,"name":"P","images":[],"image":[]}`
	evs = events(t, b.normalize(t, "product.updated", []byte(prod)))
	require.Empty(t, evs[0].Data.(*event.Product).ImageURL)
}

func TestNormalizeOrderTransitions(t *testing.T) {
	t.Parallel()
	order := func(status, paid string) string {
		p := "null"
		if paid != "" {
			p = `"` + paid + `"`
		}
		return `{"id":9,"order_key":"wc_order_9","status":"` + status + `","date_modified_gmt":"2026-06-30T10:00:00","date_paid_gmt":` + p + `,"billing":{"email":"a@example.com"}}`
	}
	cases := []struct {
		name, topic, body string
		want              []event.Type
	}{
		{"pending", "order.updated", order("pending", ""), []event.Type{event.OrderUpdated}},
		{"processing unpaid", "order.updated", order("processing", ""), []event.Type{event.OrderUpdated}},
		{"processing paid", "order.updated", order("processing", "2026-06-30T10:00:00"), []event.Type{event.OrderUpdated, event.OrderPaid}},
		{"completed paid", "order.updated", order("completed", "2026-06-30T10:00:00"), []event.Type{event.OrderUpdated, event.OrderPaid, event.OrderFulfilled}},
		{"refunded keeps date_paid", "order.updated", order("refunded", "2026-06-30T10:00:00"), []event.Type{event.OrderUpdated}},
		{"cancelled", "order.updated", order("cancelled", ""), []event.Type{event.OrderUpdated, event.OrderCancelled}},
		{"on-hold", "order.updated", order("on-hold", ""), []event.Type{event.OrderUpdated}},
		{"custom status", "order.updated", order("wc-shipped", ""), []event.Type{event.OrderUpdated}},
		{"created completed", "order.created", order("completed", "2026-06-30T10:00:00"), []event.Type{event.OrderPlaced, event.OrderPaid}},
		{"created failed", "order.created", order("failed", ""), []event.Type{event.OrderPlaced}},
		{"created auto-draft", "order.created", order("auto-draft", ""), nil},
		{"created new", "order.created", order("new", ""), nil},
		{"updated auto-draft", "order.updated", order("auto-draft", ""), nil},
		{"updated new", "order.updated", order("new", ""), nil},
		{"draft with email", "order.updated", order("checkout-draft", ""), []event.Type{event.CheckoutUpdated}},
		{"draft without order key", "order.updated", `{"id":9,"status":"checkout-draft","billing":{"email":"a@example.com"}}`, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			res := b.normalize(t, tc.topic, []byte(tc.body))
			var got []event.Type
			for _, ev := range events(t, res) {
				got = append(got, ev.Type)
			}
			require.Equal(t, tc.want, got)
		})
	}
}

// The checkout a draft becomes and the order it is placed as share the
// order_key, so the order ends the abandonment run.
func TestNormalizeDraftLinksToPlacedOrder(t *testing.T) {
	t.Parallel()
	b := setup(t)
	draft := events(t, b.normalize(t, "order.updated", readSample(t, "order.updated.checkout-draft.json")))
	require.Len(t, draft, 1)
	checkout, ok := draft[0].Data.(*event.Checkout)
	require.True(t, ok)

	var placed map[string]any
	require.NoError(t, json.Unmarshal(readSample(t, "order.updated.checkout-draft.json"), &placed))
	placed["status"] = "processing"
	placed["date_modified_gmt"] = "2017-03-22T20:09:00"
	placed["date_paid_gmt"] = "2017-03-22T20:09:00"
	body, err := json.Marshal(placed)
	require.NoError(t, err)
	evs := events(t, b.normalize(t, "order.created", body))
	require.Equal(t, event.OrderPlaced, evs[0].Type)
	o, ok := evs[0].Data.(*event.Order)
	require.True(t, ok)
	require.Equal(t, checkout.Token, o.CheckoutToken)
	require.Equal(t, checkout.CartToken, o.CartToken)
	require.Equal(t, checkout.Email, o.Email)
}

func TestNormalizeIdentity(t *testing.T) {
	t.Parallel()
	b := setup(t)
	body := readSample(t, "order.updated.json")
	ids := func(res *ingest.Result) []string {
		var out []string
		for _, m := range res.Messages {
			out = append(out, m.MsgID)
		}
		return out
	}
	first := b.normalize(t, "order.updated", body)

	t.Run("delivery id header and arrival time do not matter", func(t *testing.T) {
		t.Parallel()
		req := deliver("http://EXAMPLE.com", "order.updated", body, "another-delivery", b.shop.WebhookSecret, receivedAt.Add(time.Hour))
		res, err := b.adapter.Normalize(b.shop, req)
		require.NoError(t, err)
		require.Equal(t, ids(first), ids(res))
		require.Equal(t, first.DeliveryID, res.DeliveryID)
	})
	t.Run("a later modification is a new delivery; one-time transitions keep their key", func(t *testing.T) {
		t.Parallel()
		later := []byte(strings.Replace(string(body), `"date_modified_gmt": "2017-03-22T19:30:35"`, `"date_modified_gmt": "2017-03-22T19:45:00"`, 1))
		require.NotEqual(t, body, later)
		res := b.normalize(t, "order.updated", later)
		a, c := events(t, first), events(t, res)
		require.Len(t, c, len(a))
		for i := range a {
			require.NotEqual(t, a[i].ID, c[i].ID, a[i].Type)
			if a[i].Type == event.OrderUpdated {
				require.NotEqual(t, a[i].Key, c[i].Key)
			} else {
				require.Equal(t, a[i].Key, c[i].Key, a[i].Type)
			}
		}
	})
	t.Run("without date_modified_gmt the body tells deliveries apart", func(t *testing.T) {
		t.Parallel()
		r1 := b.normalize(t, "customer.updated", []byte(`{"id":25,"first_name":"A"}`))
		r2 := b.normalize(t, "customer.updated", []byte(`{"id":25,"first_name":"B"}`))
		r3 := b.normalize(t, "customer.updated", []byte(`{"id":25,"first_name":"A"}`))
		require.NotEqual(t, r1.DeliveryID, r2.DeliveryID)
		require.Equal(t, r1.DeliveryID, r3.DeliveryID)
	})
	t.Run("deleted bodies are identified by site, topic and id", func(t *testing.T) {
		t.Parallel()
		res := b.normalize(t, "product.deleted", []byte(`{"id":794}`))
		require.Equal(t, "example.com|product.deleted|794", res.DeliveryID)
	})
	t.Run("the same resource on another shop is another event", func(t *testing.T) {
		t.Parallel()
		other := newShop("other")
		req := deliver("https://other.example.com/", "order.updated", body, "x", other.WebhookSecret, receivedAt)
		res, err := b.adapter.Normalize(other, req)
		require.NoError(t, err)
		require.NotEqual(t, ids(first)[0], ids(res)[0])
	})
}

func TestNormalizeTimes(t *testing.T) {
	t.Parallel()
	b := setup(t)
	// *_gmt dates have no offset and are UTC; the site-local ones are ignored.
	body := `{"id":25,"date_created":"2026-06-30T02:00:00","date_created_gmt":"2026-06-30T09:00:00",
		"date_modified":"2026-06-30T03:00:00","date_modified_gmt":"2026-06-30T10:00:00.5"}`
	req := b.request("customer.updated", []byte(body))
	req.ReceivedAt = receivedAt.In(time.FixedZone("PDT", -7*3600))
	res, err := b.adapter.Normalize(b.shop, req)
	require.NoError(t, err)
	ev := events(t, res)[0]
	require.Equal(t, time.Date(2026, 6, 30, 10, 0, 0, 5e8, time.UTC), ev.OccurredAt)
	require.Equal(t, time.UTC, ev.OccurredAt.Location())
	require.Equal(t, time.UTC, ev.ReceivedAt.Location())
	require.Equal(t, receivedAt, ev.ReceivedAt)
	c, ok := ev.Data.(*event.CustomerData)
	require.True(t, ok)
	require.Equal(t, time.Date(2026, 6, 30, 9, 0, 0, 0, time.UTC), c.CreatedAt)
	require.Equal(t, "customer.updated:demo-woo:25@2026-06-30T10:00:00.5Z", ev.Key)

	// An offset, should a plugin add one, is honoured.
	res = b.normalize(t, "coupon.updated", []byte(`{"id":1,"date_modified_gmt":"2026-06-30T12:00:00+02:00","date_expires_gmt":""}`))
	ev = events(t, res)[0]
	require.Equal(t, time.Date(2026, 6, 30, 10, 0, 0, 0, time.UTC), ev.OccurredAt)
	require.Nil(t, ev.Data.(*event.Coupon).ExpiresAt)

	// Without a modification date, the creation date is the version.
	res = b.normalize(t, "customer.created", []byte(`{"id":26,"date_created_gmt":"2026-06-30T09:00:00","date_modified_gmt":null}`))
	ev = events(t, res)[0]
	require.Equal(t, "customer.created:demo-woo:26@2026-06-30T09:00:00Z", ev.Key)
	require.Equal(t, time.Date(2026, 6, 30, 9, 0, 0, 0, time.UTC), ev.OccurredAt)
}

func TestNormalizeCustomerFallsBackToBilling(t *testing.T) {
	t.Parallel()
	b := setup(t)
	body := `{"id":27,"email":"","first_name":"","last_name":"",
		"billing":{"first_name":"Ana","last_name":"Lima","email":"ana@example.com","phone":"+5511999999999","country":"BR"},
		"orders_count":3,"total_spent":"120.50"}`
	ev := events(t, b.normalize(t, "customer.updated", []byte(body)))[0]
	require.Equal(t, &event.Customer{ID: "27", Email: "ana@example.com", Phone: "+5511999999999", FirstName: "Ana", LastName: "Lima"}, ev.Customer)
	c, ok := ev.Data.(*event.CustomerData)
	require.True(t, ok)
	require.Equal(t, 3, *c.OrdersCount)
	require.Equal(t, event.Decimal("120.50"), c.TotalSpent)
	require.Equal(t, "BR", c.Address.CountryCode)
	require.Nil(t, c.EmailConsent)
}

func TestNormalizeGuestOrderHasNoCustomerID(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ev := events(t, b.normalize(t, "order.created", readSample(t, "order.created.guest.json")))[0]
	require.Empty(t, ev.Customer.ID)
	require.Equal(t, "zoe.celik@example.com", ev.Customer.Email)
	require.Equal(t, "Zoë", ev.Customer.FirstName)
	o, ok := ev.Data.(*event.Order)
	require.True(t, ok)
	require.False(t, o.AcceptsMarketing)
	require.Nil(t, o.ShippingAddress)
	require.Equal(t, "Köln", o.BillingAddress.City)
	require.Equal(t, "Woo Single #1 – 3-pack", o.LineItems[0].Title)
}

func TestNormalizeProductAvailability(t *testing.T) {
	t.Parallel()
	cases := []struct {
		body string
		want bool
	}{
		{`{"id":1,"status":"publish","stock_status":"instock","purchasable":true}`, true},
		{`{"id":1,"status":"publish","stock_status":"onbackorder"}`, true},
		{`{"id":1,"stock_status":"instock"}`, true},
		{`{"id":1,"status":"publish","stock_status":"outofstock"}`, false},
		{`{"id":1,"status":"draft","stock_status":"instock"}`, false},
		{`{"id":1,"status":"private"}`, false},
		{`{"id":1,"status":"publish","purchasable":false}`, false},
	}
	for _, tc := range cases {
		b := setup(t)
		ev := events(t, b.normalize(t, "product.updated", []byte(tc.body)))[0]
		require.Equal(t, tc.want, ev.Data.(*event.Product).Available, tc.body)
	}
}

func TestNormalizeAPIVersion(t *testing.T) {
	t.Parallel()
	b := setup(t)
	cases := map[string]string{
		`{"id":1,"_links":{"self":[{"href":"https://example.com/wp-json/wc/v3/coupons/1"}]}}`:       "wc/v3",
		`{"id":1,"_links":{"self":[{"href":"https://example.com/?rest_route=/wc/v2/coupons/1"}]}}`:  "wc/v2",
		`{"id":1,"_links":{"self":[{"href":"https://example.com/wp-json/wc/store/v1/coupons/1"}]}}`: "",
		`{"id":1,"_links":{"self":[]}}`: "",
		`{"id":1,"_links":"x"}`:         "",
	}
	for body, want := range cases {
		ev := events(t, b.normalize(t, "coupon.updated", []byte(body)))[0]
		require.Equal(t, want, ev.Source.APIVersion, body)
	}
}
