package bigcommerce

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/ingest/ingesttest"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// Paths of the fake API the docs' webhook samples lead to.
const (
	cartPath      = "/v3/carts/09346904-4175-44fd-be53-f7e598531b6c"
	order250      = "/v2/orders/250"
	products250   = "/v2/orders/250/products"
	order252      = "/v2/orders/252"
	products252   = "/v2/orders/252/products"
	shipmentPath  = "/v2/orders/251/shipments/12"
	customersPath = "/v3/customers"
)

// TestResolveGolden resolves the docs' webhook samples against an API that
// answers with the docs' response examples, and compares the canonical
// events with testdata/resolve/*.golden.
func TestResolveGolden(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		webhook string
		body    []byte // instead of webhook
		routes  map[string][]byte
		paths   []string
	}{
		{
			name: "store_cart_created", webhook: "store_cart_created",
			routes: map[string][]byte{cartPath: readFile(t, "api", "cart.json")},
			paths:  []string{cartPath + "?include=" + cartInclude},
		},
		{
			name: "store_cart_updated", webhook: "store_cart_updated",
			routes: map[string][]byte{cartPath: readFile(t, "api", "cart.json")},
		},
		{
			name: "store_cart_abandoned", webhook: "store_cart_abandoned",
			routes: map[string][]byte{cartPath: readFile(t, "api", "cart.json")},
		},
		{
			name: "store_cart_abandoned_cart_gone", webhook: "store_cart_abandoned",
			paths: []string{cartPath + "?include=" + cartInclude},
		},
		{
			name: "store_cart_converted", webhook: "store_cart_converted",
			routes: map[string][]byte{order252: readFile(t, "api", "order_247.json"), products252: readFile(t, "api", "order_products.json")},
			paths:  []string{order252, products252 + "?limit=250&page=1"},
		},
		{
			name: "store_order_created", webhook: "store_order_created",
			routes: map[string][]byte{order250: readFile(t, "api", "order_218.json"), products250: readFile(t, "api", "order_products.json")},
		},
		{
			name: "store_order_updated", webhook: "store_order_updated",
			routes: map[string][]byte{order250: readFile(t, "api", "order_218.json"), products250: readFile(t, "api", "order_products.json")},
		},
		{
			name: "store_order_statusUpdated", webhook: "store_order_statusUpdated",
			routes: map[string][]byte{order250: readFile(t, "api", "order_247.json"), products250: readFile(t, "api", "order_products.json")},
		},
		{
			name: "store_shipment_created", webhook: "store_shipment_created",
			routes: map[string][]byte{shipmentPath: readFile(t, "api", "shipment.json")},
			paths:  []string{shipmentPath},
		},
		{
			name: "store_shipment_updated", webhook: "store_shipment_updated",
			routes: map[string][]byte{shipmentPath: readFile(t, "api", "shipment.json")},
		},
		{
			name: "store_customer_created", webhook: "store_customer_created",
			routes: map[string][]byte{customersPath: readFile(t, "api", "customers.json")},
			paths:  []string{customersPath + "?id:in=32"},
		},
		{
			name: "store_subscriber_created", webhook: "store_subscriber_created",
			routes: map[string][]byte{"/v3/customers/subscribers/5": readFile(t, "api", "subscriber.json")},
			paths:  []string{"/v3/customers/subscribers/5"},
		},
		{
			name: "store_app_uninstalled", webhook: "store_app_uninstalled",
			paths: []string{},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			for p, body := range tc.routes {
				b.api.on(p, json200(body))
			}
			evs, err := b.resolve(t, readFile(t, "webhooks", tc.webhook+".json"))
			require.NoError(t, err)
			ingesttest.Golden(t, filepath.Join("testdata", "resolve", tc.name+".golden"), eventLines(t, evs))
			if tc.paths != nil {
				require.Equal(t, tc.paths, b.api.paths())
			}
			for _, r := range b.api.calls {
				require.Equal(t, "api-token", r.Header.Get(HeaderAuthToken))
				require.Equal(t, "application/json", r.Header.Get("Accept"))
				require.Equal(t, http.MethodGet, r.Method)
			}
		})
	}
}

func TestResolveRateLimitThenSuccess(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.api.on(order250,
		reply{status: http.StatusTooManyRequests, header: map[string]string{
			"X-Rate-Limit-Time-Window-Ms": "30000", "X-Rate-Limit-Time-Reset-Ms": "1500",
			"X-Rate-Limit-Requests-Quota": "150", "X-Rate-Limit-Requests-Left": "0",
		}},
		json200(readFile(t, "api", "order_218.json")))
	b.api.on(products250, json200(readFile(t, "api", "order_products.json")))
	evs, err := b.resolve(t, readFile(t, "webhooks", "store_order_created.json"))
	require.NoError(t, err)
	require.Equal(t, []time.Duration{1500 * time.Millisecond}, b.slept())
	require.Len(t, evs, 1)
	require.Equal(t, event.OrderPlaced, evs[0].Type)
	require.Equal(t, []string{order250, order250, products250 + "?limit=250&page=1"}, b.api.paths())
}

func TestResolveRateLimitPastMaxWait(t *testing.T) {
	t.Parallel()
	t.Run("one long wait", func(t *testing.T) {
		t.Parallel()
		b := setup(t, func(c *FetcherConfig) { c.MaxWait = time.Second })
		b.api.on(order250, reply{status: http.StatusTooManyRequests, header: map[string]string{"X-Rate-Limit-Time-Reset-Ms": "15000"}})
		_, err := b.resolve(t, readFile(t, "webhooks", "store_order_created.json"))
		var ra *RetryAfterError
		require.ErrorAs(t, err, &ra)
		require.Equal(t, 15*time.Second, ra.After)
		require.NotErrorIs(t, err, ErrPermanent)
		require.Empty(t, b.slept())
	})
	t.Run("waits add up", func(t *testing.T) {
		t.Parallel()
		b := setup(t, func(c *FetcherConfig) { c.MaxWait = 2 * time.Second })
		b.api.on(order250, reply{status: http.StatusTooManyRequests, header: map[string]string{"X-Rate-Limit-Time-Reset-Ms": "1500"}})
		_, err := b.resolve(t, readFile(t, "webhooks", "store_order_created.json"))
		var ra *RetryAfterError
		require.ErrorAs(t, err, &ra)
		require.Equal(t, 1500*time.Millisecond, ra.After)
		require.Equal(t, []time.Duration{1500 * time.Millisecond}, b.slept())
		require.Len(t, b.api.paths(), 2)
	})
	t.Run("wrapped error still matches", func(t *testing.T) {
		t.Parallel()
		err := error(&RetryAfterError{After: time.Minute})
		wrapped := errors.Join(errors.New("fetch worker"), err)
		var ra *RetryAfterError
		require.ErrorAs(t, wrapped, &ra)
		require.Equal(t, time.Minute, ra.After)
		require.Contains(t, ra.Error(), "1m0s")
	})
}

func TestResolveSleepCancelled(t *testing.T) {
	t.Parallel()
	b := setup(t, func(c *FetcherConfig) {
		c.Sleep = func(context.Context, time.Duration) error { return context.Canceled }
	})
	b.api.on(order250, reply{status: http.StatusTooManyRequests, header: map[string]string{"Retry-After": "2"}})
	_, err := b.resolve(t, readFile(t, "webhooks", "store_order_created.json"))
	require.ErrorIs(t, err, context.Canceled)
	require.NotErrorIs(t, err, ErrPermanent)
}

func TestResolveErrors(t *testing.T) {
	t.Parallel()
	orderCreated := readFile(t, "webhooks", "store_order_created.json")
	cases := []struct {
		name      string
		reply     reply
		permanent bool
	}{
		{"404 order", reply{status: http.StatusNotFound}, true},
		{"401 token revoked", reply{status: http.StatusUnauthorized}, true},
		{"403 scope missing", reply{status: http.StatusForbidden}, true},
		{"500", reply{status: http.StatusInternalServerError}, false},
		{"503", reply{status: http.StatusServiceUnavailable}, false},
		{"200 not JSON", reply{status: http.StatusOK, body: []byte("<html>maintenance</html>")}, true},
		{"200 wrong shape", reply{status: http.StatusOK, body: []byte(`[{"id":250}]`)}, true},
		{"200 null", reply{status: http.StatusOK, body: []byte(`null`)}, true},
		{"redirect not followed", reply{status: http.StatusFound, header: map[string]string{"Location": "http://127.0.0.1:1/steal"}}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			b.api.on(order250, tc.reply)
			evs, err := b.resolve(t, orderCreated)
			require.Error(t, err)
			require.Nil(t, evs)
			var ra *RetryAfterError
			require.NotErrorAs(t, err, &ra)
			if tc.permanent {
				require.ErrorIs(t, err, ErrPermanent)
			} else {
				require.NotErrorIs(t, err, ErrPermanent)
			}
			require.NotContains(t, err.Error(), "api-token")
		})
	}
}

func TestResolveNetworkError(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	b := setup(t, func(c *FetcherConfig) { c.APIURL = url + "/{store_hash}" })
	_, err := b.resolve(t, readFile(t, "webhooks", "store_order_created.json"))
	require.Error(t, err)
	require.NotErrorIs(t, err, ErrPermanent)
}

// TestResolveIncompleteOrder: store/order/created fires for incomplete
// orders (status 0, failed payment) too; they are not placed.
func TestResolveIncompleteOrder(t *testing.T) {
	t.Parallel()
	for _, status := range []string{"0", "1", "5", "6"} {
		t.Run("status "+status, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			b.api.on(order250, json200(withStatus(t, status)))
			evs, err := b.resolve(t, readFile(t, "webhooks", "store_order_created.json"))
			require.NoError(t, err)
			require.Empty(t, evs)
			require.Equal(t, []string{order250}, b.api.paths(), "products are not fetched for an order not placed")
		})
	}
}

// withStatus returns the docs' order 218 with another status_id.
func withStatus(t *testing.T, status string) []byte {
	t.Helper()
	body := string(readFile(t, "api", "order_218.json"))
	out := strings.Replace(body, `"status_id": 7`, `"status_id": `+status, 1)
	if status != "7" {
		require.NotEqual(t, body, out)
	}
	return []byte(out)
}

func TestResolveStatusTransitions(t *testing.T) {
	t.Parallel()
	cases := []struct {
		previous, current string
		want              []event.Type
	}{
		{"0", "11", []event.Type{event.OrderUpdated, event.OrderPlaced, event.OrderPaid}},
		{"1", "7", []event.Type{event.OrderUpdated, event.OrderPlaced}},
		{"7", "11", []event.Type{event.OrderUpdated, event.OrderPaid}},
		{"11", "2", []event.Type{event.OrderUpdated, event.OrderPaid, event.OrderFulfilled}},
		{"9", "10", []event.Type{event.OrderUpdated, event.OrderPaid, event.OrderFulfilled}},
		{"11", "3", []event.Type{event.OrderUpdated, event.OrderPaid}},
		{"11", "5", []event.Type{event.OrderUpdated, event.OrderCancelled}},
		{"0", "6", []event.Type{event.OrderUpdated}},
		{"11", "4", []event.Type{event.OrderUpdated}},
		{"", "8", []event.Type{event.OrderUpdated, event.OrderPlaced, event.OrderPaid}},
	}
	for _, tc := range cases {
		t.Run(tc.previous+"->"+tc.current, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			b.api.on(order250, json200(withStatus(t, tc.current)))
			b.api.on(products250, json200(readFile(t, "api", "order_products.json")))
			status := `"status":{"new_status_id":` + tc.current + `}`
			if tc.previous != "" {
				status = `"status":{"previous_status_id":` + tc.previous + `,"new_status_id":` + tc.current + `}`
			}
			body := `{"scope":"store/order/statusUpdated","store_id":"1025646","data":{"type":"order","id":250,` + status +
				`},"hash":"h-` + tc.previous + "-" + tc.current + `","created_at":1561479335,"producer":"stores/abcde"}`
			evs, err := b.resolve(t, []byte(body))
			require.NoError(t, err)
			got := make([]event.Type, 0, len(evs))
			ids := map[string]bool{}
			for _, ev := range evs {
				require.NoError(t, ev.Validate())
				got = append(got, ev.Type)
				ids[ev.ID] = true
			}
			require.Equal(t, tc.want, got)
			require.Len(t, ids, len(evs), "event ids are distinct")
			if tc.current == "5" {
				o := evs[len(evs)-1].Data.(*event.Order)
				require.NotNil(t, o.CancelledAt)
			}
		})
	}
}

func TestResolveCartEmail(t *testing.T) {
	t.Parallel()
	cartBody := func(customerID, email, items string) []byte {
		return []byte(`{"data":{"id":"09346904-4175-44fd-be53-f7e598531b6c","customer_id":` + customerID +
			`,"email":"` + email + `","currency":{"code":"usd"},"base_amount":27.95,"cart_amount":27.95,"line_items":{"physical_items":[` +
			items + `],"digital_items":[],"custom_items":[],"gift_certificates":[]},"created_time":"2018-09-17T14:27:39.000Z","updated_time":"2018-09-17T14:53:40.000Z"}}`)
	}
	item := `{"id":"6e193ce6","variant_id":362,"product_id":191,"name":"Openhouse No. 3","quantity":1,"list_price":27.95,"sale_price":27.95,"options":[{"name":"Size","value":"S"},{"name":"Date","value":1743570000}]}`
	hook := readFile(t, "webhooks", "store_cart_updated.json")
	t.Run("logged-in customer without cart email", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.api.on(cartPath, json200(cartBody("11", "", item)))
		b.api.on(customersPath, json200([]byte(`{"data":[{"id":11,"email":"jane@example.com","first_name":"Jane"}],"meta":{}}`)))
		evs, err := b.resolve(t, hook)
		require.NoError(t, err)
		require.Len(t, evs, 2)
		require.Equal(t, event.CheckoutUpdated, evs[1].Type)
		co := evs[1].Data.(*event.Checkout)
		require.Equal(t, "jane@example.com", co.Email)
		require.Equal(t, "09346904-4175-44fd-be53-f7e598531b6c", co.Token)
		require.Equal(t, "USD", co.Currency)
		require.Equal(t, "S / 1743570000", co.LineItems[0].VariantTitle)
		require.Equal(t, &event.Customer{ID: "11", Email: "jane@example.com"}, evs[1].Customer)
		require.Equal(t, []string{cartPath + "?include=" + cartInclude, customersPath + "?id:in=11"}, b.api.paths())
	})
	t.Run("customer gone", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.api.on(cartPath, json200(cartBody("11", "", item)))
		b.api.on(customersPath, json200([]byte(`{"data":[],"meta":{}}`)))
		evs, err := b.resolve(t, hook)
		require.NoError(t, err)
		require.Len(t, evs, 1)
		require.Equal(t, event.CartUpdated, evs[0].Type)
	})
	t.Run("customer lookup rate limited", func(t *testing.T) {
		t.Parallel()
		b := setup(t, func(c *FetcherConfig) { c.MaxWait = time.Second })
		b.api.on(cartPath, json200(cartBody("11", "", item)))
		b.api.on(customersPath, reply{status: http.StatusTooManyRequests, header: map[string]string{"X-Rate-Limit-Time-Reset-Ms": "5000"}})
		_, err := b.resolve(t, hook)
		var ra *RetryAfterError
		require.ErrorAs(t, err, &ra)
	})
	t.Run("guest without email", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.api.on(cartPath, json200(cartBody("0", "", item)))
		evs, err := b.resolve(t, hook)
		require.NoError(t, err)
		require.Len(t, evs, 1)
		require.Nil(t, evs[0].Customer)
		require.Len(t, b.api.paths(), 1)
	})
	t.Run("email but no items", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.api.on(cartPath, json200(cartBody("0", "guest@example.com", "")))
		evs, err := b.resolve(t, hook)
		require.NoError(t, err)
		require.Len(t, evs, 1)
		c := evs[0].Data.(*event.Cart)
		require.Equal(t, "guest@example.com", c.Email)
		require.NotNil(t, c.LineItems)
		require.Empty(t, c.LineItems)
	})
	t.Run("cart deleted", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		_, err := b.resolve(t, hook)
		require.ErrorIs(t, err, ErrPermanent)
	})
}

func TestResolveCustomerConsent(t *testing.T) {
	t.Parallel()
	hook := []byte(`{"scope":"store/customer/updated","store_id":"1025646","data":{"type":"customer","id":32},"hash":"c1","created_at":1561481571,"producer":"stores/abcde"}`)
	for _, tc := range []struct {
		accepts string
		want    *event.ConsentState
	}{
		{`true`, &event.ConsentState{State: event.ConsentSubscribed, UpdatedAt: time.Date(2021, 7, 28, 19, 0, 38, 0, time.UTC)}},
		{`false`, &event.ConsentState{State: event.ConsentNotSubscribed, UpdatedAt: time.Date(2021, 7, 28, 19, 0, 38, 0, time.UTC)}},
		{`null`, nil},
	} {
		t.Run(tc.accepts, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			b.api.on(customersPath, json200([]byte(`{"data":[{"id":32,"email":"jane@example.com","date_created":"2021-07-28T19:00:38Z","date_modified":"2021-07-28T19:00:38Z","accepts_product_review_abandoned_cart_emails":`+tc.accepts+`}]}`)))
			evs, err := b.resolve(t, hook)
			require.NoError(t, err)
			require.Len(t, evs, 1)
			require.Equal(t, event.CustomerUpdated, evs[0].Type)
			c := evs[0].Data.(*event.CustomerData)
			require.Equal(t, tc.want, c.EmailConsent)
			require.Equal(t, "customer.updated:demo:32@2021-07-28T19:00:38Z", evs[0].Key)
			require.Equal(t, time.Date(2021, 7, 28, 19, 0, 38, 0, time.UTC), evs[0].OccurredAt)
		})
	}
	t.Run("not found", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.api.on(customersPath, json200([]byte(`{"data":[],"meta":{}}`)))
		_, err := b.resolve(t, hook)
		require.ErrorIs(t, err, ErrPermanent)
	})
}

func TestResolveSubscriberStates(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		scope, consents, want string
	}{
		{"created", `["marketing_newsletter"]`, event.ConsentSubscribed},
		{"created", `["abandoned_cart"]`, event.ConsentNotSubscribed},
		{"updated", `[]`, event.ConsentUnsubscribed},
		{"updated", `null`, event.ConsentSubscribed},
	} {
		t.Run(tc.scope+" "+tc.consents, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			b.api.on("/v3/customers/subscribers/5", json200([]byte(`{"data":{"id":5,"email":"jane@example.com","source":"order","consents":`+tc.consents+`,"date_modified":"2019-06-25T17:15:53Z"}}`)))
			hook := `{"scope":"store/subscriber/` + tc.scope + `","data":{"type":"subscriber","id":5},"hash":"s1","producer":"stores/abcde"}`
			evs, err := b.resolve(t, []byte(hook))
			require.NoError(t, err)
			require.Len(t, evs, 1)
			c := evs[0].Data.(*event.Consent)
			require.Equal(t, tc.want, c.State)
			require.Equal(t, event.ChannelEmail, c.Channel)
			require.Equal(t, "order", c.CollectedFrom)
		})
	}
}

// TestResolve64BitIDs keeps ids beyond 2^53 exact from webhook to event.
func TestResolve64BitIDs(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const id = "9007199254740993"
	b.api.on("/v2/orders/"+id, json200([]byte(`{"id":9007199254740993,"customer_id":18446744073709551615,"status_id":11,"date_modified":"Mon, 11 Mar 2019 15:17:25 +0000","total_inc_tax":"69.8400","currency_code":"USD","billing_address":{"email":"a@example.com"}}`)))
	b.api.on("/v2/orders/"+id+"/products", json200([]byte(`[{"id":9007199254740995,"product_id":9007199254740997,"variant_id":0,"name":"X","quantity":1,"price_ex_tax":"1.0000"}]`)))
	evs, err := b.resolve(t, []byte(`{"scope":"store/order/updated","data":{"type":"order","id":`+id+`},"hash":"big","producer":"stores/abcde"}`))
	require.NoError(t, err)
	require.Len(t, evs, 1)
	o := evs[0].Data.(*event.Order)
	require.Equal(t, id, o.ID)
	require.Equal(t, "18446744073709551615", evs[0].Customer.ID)
	require.Equal(t, "9007199254740995", o.LineItems[0].ID)
	require.Equal(t, "9007199254740997", o.LineItems[0].ProductID)
	require.Empty(t, o.LineItems[0].VariantID)
	require.Equal(t, event.Decimal("69.8400"), o.Total)
}

// TestResolveOrderProductsPaging reads every page of a large order.
func TestResolveOrderProductsPaging(t *testing.T) {
	t.Parallel()
	b := setup(t)
	page := func(n, first int) []byte {
		var sb strings.Builder
		sb.WriteString("[")
		for i := range n {
			if i > 0 {
				sb.WriteString(",")
			}
			sb.WriteString(`{"id":` + strconv.Itoa(first+i) + `,"product_id":1,"name":"P","quantity":1,"price_ex_tax":"1.0000"}`)
		}
		sb.WriteString("]")
		return []byte(sb.String())
	}
	b.api.on(order250, json200(readFile(t, "api", "order_218.json")))
	b.api.on(products250, json200(page(250, 1)), json200(page(3, 251)))
	evs, err := b.resolve(t, readFile(t, "webhooks", "store_order_updated.json"))
	require.NoError(t, err)
	require.Len(t, evs[0].Data.(*event.Order).LineItems, 253)
	require.Equal(t, []string{order250, products250 + "?limit=250&page=1", products250 + "?limit=250&page=2"}, b.api.paths())
}

// TestResolveShopAPIURL: a shop's own API URL wins over the template.
func TestResolveShopAPIURL(t *testing.T) {
	t.Parallel()
	b := setup(t, func(c *FetcherConfig) { c.APIURL = "http://127.0.0.1:1/{store_hash}" })
	b.shop.APIURL = b.api.srv.URL + "/abcde/"
	b.api.on(shipmentPath, json200(readFile(t, "api", "shipment.json")))
	evs, err := b.resolve(t, readFile(t, "webhooks", "store_shipment_created.json"))
	require.NoError(t, err)
	require.Len(t, evs, 1)
	require.Equal(t, []string{shipmentPath}, b.api.paths())
}

func TestResolveBadInput(t *testing.T) {
	t.Parallel()
	b := setup(t)
	n := notificationOf(t, b.shop, readFile(t, "webhooks", "store_order_created.json"))
	_, err := b.fetcher.Resolve(t.Context(), nil, n)
	require.ErrorIs(t, err, ErrPermanent)
	_, err = b.fetcher.Resolve(t.Context(), b.shop, nil)
	require.ErrorIs(t, err, ErrPermanent)
	other := *n
	other.Shop = "someone-else"
	_, err = b.fetcher.Resolve(t.Context(), b.shop, &other)
	require.ErrorIs(t, err, ErrPermanent)
	bad := *n
	bad.Data = []byte(`{"id":"abc"}`)
	_, err = b.fetcher.Resolve(t.Context(), b.shop, &bad)
	require.ErrorIs(t, err, ErrPermanent)
	unknown := *n
	unknown.Scope = "store/category/updated"
	_, err = b.fetcher.Resolve(t.Context(), b.shop, &unknown)
	require.ErrorIs(t, err, ErrPermanent)
	require.Empty(t, b.api.paths())
}

func TestNewFetcherConfig(t *testing.T) {
	t.Parallel()
	_, err := NewFetcher(FetcherConfig{MaxWait: -time.Second})
	require.Error(t, err)
	_, err = NewFetcher(FetcherConfig{APIURL: "api.bigcommerce.com/stores/{store_hash}"})
	require.Error(t, err)
	f, err := NewFetcher(FetcherConfig{})
	require.NoError(t, err)
	require.Equal(t, DefaultAPIURL, f.cfg.APIURL)
	require.Equal(t, 30*time.Second, f.cfg.MaxWait)
	require.Equal(t, 10*time.Second, f.cfg.HTTPClient.Timeout)
	require.NotNil(t, f.cfg.Sleep)
	require.NotNil(t, f.cfg.Now)
	c, err := f.session(testShop(), &Notification{})
	require.NoError(t, err)
	require.Equal(t, "https://api.bigcommerce.com/stores/abcde", c.base)
}

func TestRateWait(t *testing.T) {
	t.Parallel()
	now := receivedAt
	cases := []struct {
		name   string
		header map[string]string
		want   time.Duration
	}{
		{"nothing given", nil, defaultRateWait},
		{"reset ms", map[string]string{"X-Rate-Limit-Time-Reset-Ms": "15000"}, 15 * time.Second},
		{"x-retry-after", map[string]string{"X-Retry-After": "15"}, 15 * time.Second},
		{"retry-after seconds", map[string]string{"Retry-After": "3"}, 3 * time.Second},
		{"retry-after date", map[string]string{"Retry-After": now.Add(7 * time.Second).Format(http.TimeFormat)}, 7 * time.Second},
		{"retry-after date past", map[string]string{"Retry-After": now.Add(-time.Hour).Format(http.TimeFormat)}, 0},
		{"longest wins", map[string]string{"X-Rate-Limit-Time-Reset-Ms": "1500", "X-Retry-After": "2"}, 2 * time.Second},
		{"capped", map[string]string{"X-Rate-Limit-Time-Reset-Ms": "999999999999"}, maxRateWait},
		{"garbage", map[string]string{"X-Rate-Limit-Time-Reset-Ms": "soon", "Retry-After": "later"}, defaultRateWait},
		{"negative", map[string]string{"X-Rate-Limit-Time-Reset-Ms": "-5"}, defaultRateWait},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := http.Header{}
			for k, v := range tc.header {
				h.Set(k, v)
			}
			require.Equal(t, tc.want, rateWait(h, now))
		})
	}
}
