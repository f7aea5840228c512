package woocommerce_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/adapters/install/woocommerce"
	"github.com/boomerang-dev/boomerang/adapters/reconcile"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	wooadapter "github.com/boomerang-dev/boomerang/adapters/woocommerce"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// The poll tests' window; the clock is testNow (the fake site checks OAuth
// timestamps against it).
var (
	wooSince = time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
	wooUntil = time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	wooWin   = reconcile.Window{Since: wooSince, Until: wooUntil}
)

func wat(d time.Duration) time.Time { return wooSince.Add(d) }

// wooOrder is one order of the fake store.
type wooOrder struct {
	id                                 int
	status                             string
	created, modified, paid, completed time.Time
	email                              string
	customerID                         int
	// broken makes the body one the normaliser refuses.
	broken bool
}

// wooCustomer is one customer of the fake store.
type wooCustomer struct {
	id                int
	created, modified time.Time // modified zero: never updated (null)
	email             string
}

// wooStore is a WooCommerce site's REST API for orders and customers,
// authenticated as WC_REST_Authentication does (the install tests'
// fakeSite checks the keys): GET /wp-json/wc/v3/orders with modified_after
// and modified_before (exclusive, GMT with dates_are_gmt=true),
// orderby=modified, order=asc, per_page (at most 100) and page, answering
// X-WP-Total and X-WP-TotalPages; GET /wp-json/wc/v3/customers with
// orderby=id, order=asc, per_page and page. Answers can be queued ahead of
// the real ones with inject.
type wooStore struct {
	t    *testing.T
	site *fakeSite
	srv  *httptest.Server
	key  string
	sec  string

	mu        sync.Mutex
	orders    map[int]*wooOrder
	customers map[int]*wooCustomer
	injected  map[string][]wooReply
	requests  []*url.URL
	afterList func(page int)
}

// wooReply is one canned answer.
type wooReply struct {
	status int
	header map[string]string
	body   string
}

func newWooStore(t *testing.T, tls bool) *wooStore {
	t.Helper()
	s := &wooStore{
		t: t, key: "ck_" + randHex(16), sec: "cs_" + randHex(16),
		orders: map[int]*wooOrder{}, customers: map[int]*wooCustomer{}, injected: map[string][]wooReply{},
	}
	s.site = &fakeSite{keys: map[string]siteKey{s.key: {secret: s.sec, permissions: "read_write"}}, nonces: map[string]bool{}}
	if tls {
		s.srv = httptest.NewTLSServer(http.HandlerFunc(s.serve))
	} else {
		s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	}
	s.site.srv = s.srv
	t.Cleanup(s.srv.Close)
	return s
}

// shop is the shop record an install of this site saves.
func (s *wooStore) shop() *shop.Shop {
	return &shop.Shop{ID: "woo-poll", Platform: "woocommerce", Domain: s.srv.URL, APIToken: s.key + ":" + s.sec}
}

func (s *wooStore) addOrder(o wooOrder) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.orders[o.id] = &o
}

func (s *wooStore) addCustomer(c wooCustomer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.customers[c.id] = &c
}

func (s *wooStore) inject(path string, replies ...wooReply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.injected[path] = append(s.injected[path], replies...)
}

func (s *wooStore) requested() []*url.URL {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// listRequests are the requests of path, with their queries.
func (s *wooStore) listRequests(path string) []url.Values {
	var out []url.Values
	for _, u := range s.requested() {
		if u.Path == path {
			out = append(out, u.Query())
		}
	}
	return out
}

func gmt(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format("2006-01-02T15:04:05")
}

// local is the site-time form of a date (the site runs at UTC+2).
func local(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Add(2 * time.Hour).Format("2006-01-02T15:04:05")
}

// orderBody renders an order as the REST API (and an order webhook) does.
func (s *wooStore) orderBody(o *wooOrder) map[string]any {
	id := strconv.Itoa(o.id)
	addr := map[string]any{
		"first_name": "Ann", "last_name": "Lee", "company": "", "address_1": "1 Main St", "address_2": "",
		"city": "Lyon", "state": "", "postcode": "69001", "country": "FR",
	}
	billing := map[string]any{"email": o.email, "phone": "+33 6 12 34 56 78"}
	maps.Copy(billing, addr)
	lines := any([]map[string]any{{
		"id": 1000 + o.id, "name": "Mug &ndash; Blue", "product_id": 93, "variation_id": 0, "quantity": 2,
		"tax_class": "", "subtotal": "20.00", "subtotal_tax": "0.00", "total": "18.00", "total_tax": "0.00",
		"taxes": []any{}, "meta_data": []any{}, "sku": "MUG-B", "price": 9,
		"image": map[string]any{"id": 7, "src": "https://shop.example/mug.jpg"},
	}})
	if o.broken {
		lines = "not a list"
	}
	return map[string]any{
		"id": o.id, "parent_id": 0, "number": id, "order_key": "wc_order_" + id, "created_via": "checkout",
		"version": "9.9.0", "status": o.status, "currency": "EUR",
		"date_created": local(o.created), "date_created_gmt": gmt(o.created),
		"date_modified": local(o.modified), "date_modified_gmt": gmt(o.modified),
		"date_paid": local(o.paid), "date_paid_gmt": gmt(o.paid),
		"date_completed": local(o.completed), "date_completed_gmt": gmt(o.completed),
		"discount_total": "2.00", "discount_tax": "0.00", "shipping_total": "5.00", "shipping_tax": "0.00",
		"cart_tax": "0.00", "total": "23.00", "total_tax": "0.00", "prices_include_tax": false,
		"customer_id": o.customerID, "customer_ip_address": "", "customer_user_agent": "", "customer_note": "",
		"billing": billing, "shipping": addr, "payment_method": "bacs", "payment_method_title": "Bank transfer",
		"transaction_id": "", "cart_hash": "h" + id, "meta_data": []any{},
		"line_items": lines, "tax_lines": []any{}, "shipping_lines": []any{}, "fee_lines": []any{},
		"coupon_lines": []any{map[string]any{"id": 1, "code": "summer", "discount": "2.00"}}, "refunds": []any{},
		"_links": map[string]any{
			"self":       []any{map[string]any{"href": s.srv.URL + "/wp-json/wc/v3/orders/" + id}},
			"collection": []any{map[string]any{"href": s.srv.URL + "/wp-json/wc/v3/orders"}},
		},
	}
}

// customerBody renders a customer as the REST API does.
func (s *wooStore) customerBody(c *wooCustomer) map[string]any {
	id := strconv.Itoa(c.id)
	return map[string]any{
		"id": c.id, "date_created": local(c.created), "date_created_gmt": gmt(c.created),
		"date_modified": local(c.modified), "date_modified_gmt": gmt(c.modified),
		"email": c.email, "first_name": "Cu" + id, "last_name": "Stomer", "role": "customer", "username": "cu" + id,
		"billing":  map[string]any{"first_name": "Cu" + id, "last_name": "Stomer", "email": c.email, "phone": "555", "country": "US"},
		"shipping": map[string]any{}, "is_paying_customer": false, "avatar_url": "", "meta_data": []any{},
		"_links": map[string]any{"self": []any{map[string]any{"href": s.srv.URL + "/wp-json/wc/v3/customers/" + id}}},
	}
}

func (s *wooStore) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r.URL)
	if q := s.injected[r.URL.Path]; len(q) > 0 {
		rp := q[0]
		s.injected[r.URL.Path] = q[1:]
		s.mu.Unlock()
		for k, v := range rp.header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(rp.status)
		_, _ = io.WriteString(w, rp.body)
		return
	}
	s.mu.Unlock()
	if _, perms, ok := s.site.authenticate(r); !ok || perms == "write" {
		wooError(w, http.StatusUnauthorized, "woocommerce_rest_authentication_error", "Invalid signature - provided signature does not match.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch r.URL.Path {
	case "/wp-json/wc/v3/orders":
		s.listOrders(w, r.URL.Query())
	case "/wp-json/wc/v3/customers":
		s.listCustomers(w, r.URL.Query())
	default:
		wooError(w, http.StatusNotFound, "rest_no_route", "No route was found matching the URL and request method.")
	}
}

// paged writes one page of items as WC_REST_CRUD_Controller::get_items does.
func paged(w http.ResponseWriter, q url.Values, items []map[string]any) int {
	per, _ := strconv.Atoi(q.Get("per_page"))
	page, _ := strconv.Atoi(q.Get("page"))
	if per < 1 || per > 100 {
		per = 10
	}
	if page < 1 {
		page = 1
	}
	start := min((page-1)*per, len(items))
	out := items[start:min(start+per, len(items))]
	w.Header().Set("X-Wp-Total", strconv.Itoa(len(items)))
	w.Header().Set("X-Wp-Totalpages", strconv.Itoa((len(items)+per-1)/per))
	writeJSON(w, http.StatusOK, out)
	return page
}

func (s *wooStore) listOrders(w http.ResponseWriter, q url.Values) {
	if q.Get("orderby") != "modified" || q.Get("order") != "asc" || q.Get("dates_are_gmt") != "true" {
		s.t.Errorf("order list asked as %v", q)
		wooError(w, http.StatusBadRequest, "rest_invalid_param", "Invalid parameter(s)")
		return
	}
	var after, before time.Time
	for name, dst := range map[string]*time.Time{"modified_after": &after, "modified_before": &before} {
		if v := q.Get(name); v != "" {
			t, err := time.ParseInLocation("2006-01-02T15:04:05", v, time.UTC)
			if err != nil {
				s.t.Errorf("%s=%q is not an ISO 8601 date without offset", name, v)
				wooError(w, http.StatusBadRequest, "rest_invalid_param", "Invalid parameter(s): "+name)
				return
			}
			*dst = t
		}
	}
	var match []*wooOrder
	for _, o := range s.orders {
		if (after.IsZero() || o.modified.After(after)) && (before.IsZero() || o.modified.Before(before)) {
			match = append(match, o)
		}
	}
	slices.SortFunc(match, func(a, b *wooOrder) int {
		if c := a.modified.Compare(b.modified); c != 0 {
			return c
		}
		return a.id - b.id
	})
	items := make([]map[string]any, 0, len(match))
	for _, o := range match {
		items = append(items, s.orderBody(o))
	}
	page := paged(w, q, items)
	if s.afterList != nil {
		s.afterList(page)
	}
}

func (s *wooStore) listCustomers(w http.ResponseWriter, q url.Values) {
	if q.Get("orderby") != "id" || q.Get("order") != "asc" {
		s.t.Errorf("customer list asked as %v", q)
		wooError(w, http.StatusBadRequest, "rest_invalid_param", "Invalid parameter(s)")
		return
	}
	ids := make([]int, 0, len(s.customers))
	for id := range s.customers {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	items := make([]map[string]any, 0, len(ids))
	for _, id := range ids {
		items = append(items, s.customerBody(s.customers[id]))
	}
	paged(w, q, items)
}

// pollerBundle is a fake store and a Poller pointed at it.
type pollerBundle struct {
	store  *wooStore
	poller *woocommerce.Poller
	shop   *shop.Shop
	mu     sync.Mutex
	sleeps []time.Duration
}

func setupPoller(t *testing.T, tls bool, adjust ...func(*woocommerce.PollerConfig)) *pollerBundle {
	t.Helper()
	b := &pollerBundle{store: newWooStore(t, tls)}
	b.shop = b.store.shop()
	transport := &http.Transport{}
	if tls {
		transport.TLSClientConfig = b.store.srv.Client().Transport.(*http.Transport).TLSClientConfig
	}
	t.Cleanup(transport.CloseIdleConnections)
	cfg := woocommerce.PollerConfig{
		HTTPClient:        &http.Client{Transport: transport, Timeout: 10 * time.Second},
		AllowPrivateHosts: true,
		Sleep: func(ctx context.Context, d time.Duration) error {
			b.mu.Lock()
			defer b.mu.Unlock()
			b.sleeps = append(b.sleeps, d)
			return ctx.Err()
		},
		Now: func() time.Time { return testNow },
	}
	for _, f := range adjust {
		f(&cfg)
	}
	p, err := woocommerce.NewPoller(cfg)
	require.NoError(t, err)
	b.poller = p
	return b
}

func (b *pollerBundle) slept() []time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.sleeps)
}

func (b *pollerBundle) changes(ctx context.Context, w reconcile.Window) ([]*event.Event, error) {
	var out []*event.Event
	err := b.poller.Changes(ctx, b.shop, w, func(ev *event.Event) error {
		out = append(out, ev)
		return nil
	})
	return out, err
}

// webhook normalises an order's or customer's body as a delivery of topic
// from the site (X-WC-Webhook-Source is home_url('/')).
func (b *pollerBundle) webhook(t *testing.T, topic string, body map[string]any) []*event.Event {
	t.Helper()
	raw, err := json.Marshal(body)
	require.NoError(t, err)
	resource, action, _ := strings.Cut(topic, ".")
	h := http.Header{}
	h.Set(wooadapter.HeaderSource, b.store.srv.URL+"/")
	h.Set(wooadapter.HeaderTopic, topic)
	h.Set(wooadapter.HeaderResource, resource)
	h.Set(wooadapter.HeaderEvent, action)
	h.Set(wooadapter.HeaderWebhookID, "12")
	res, err := wooadapter.New().Normalize(b.shop, &ingest.Request{Header: h, Body: raw, ReceivedAt: testNow.Add(-time.Hour)})
	require.NoError(t, err)
	out := make([]*event.Event, 0, len(res.Messages))
	for _, m := range res.Messages {
		out = append(out, m.Value.(*event.Event))
	}
	return out
}

// webhookOrderEvents are the events an order's order.created and
// order.updated deliveries make, by type.
func (b *pollerBundle) webhookOrderEvents(t *testing.T, o *wooOrder) map[event.Type]*event.Event {
	t.Helper()
	out := map[event.Type]*event.Event{}
	for _, topic := range []string{"order.updated", "order.created"} {
		for _, ev := range b.webhook(t, topic, b.store.orderBody(o)) {
			if _, ok := out[ev.Type]; !ok || ev.Type == event.OrderPlaced {
				out[ev.Type] = ev
			}
		}
	}
	return out
}

// requireSameAsWebhook checks a polled event against the webhook's: the
// same key, data and message id, a delivery id marked as polled.
func requireSameAsWebhook(t *testing.T, want, got *event.Event) {
	t.Helper()
	require.NoError(t, got.Validate())
	require.Equal(t, want.Type, got.Type)
	require.Equal(t, want.ID, got.ID, "the webhook's JetStream message id")
	require.Equal(t, want.Key, got.Key)
	require.Equal(t, want.Shop, got.Shop)
	require.Equal(t, want.Customer, got.Customer)
	require.Equal(t, want.Data, got.Data)
	require.Equal(t, want.OccurredAt, got.OccurredAt)
	require.Equal(t, want.Source.Topic, got.Source.Topic)
	require.Equal(t, want.Source.APIVersion, got.Source.APIVersion)
	require.Equal(t, "poll:"+want.Source.DeliveryID, got.Source.DeliveryID)
	require.Equal(t, testNow, got.ReceivedAt)
}

// TestPollerOrdersAsWebhooks: each order modified in the window yields the
// events its webhooks make, with their keys and message ids; one-time
// transitions only when their own time is in the window.
func TestPollerOrdersAsWebhooks(t *testing.T) {
	t.Parallel()
	b := setupPoller(t, false)
	old := wat(-30 * 24 * time.Hour)
	cases := []struct {
		order wooOrder
		types []event.Type
	}{
		{ // placed and paid in the window
			wooOrder{id: 101, status: "processing", created: wat(time.Hour), modified: wat(time.Hour + time.Minute), paid: wat(time.Hour + time.Minute), email: "ann@example.com", customerID: 7},
			[]event.Type{event.OrderPlaced, event.OrderUpdated, event.OrderPaid},
		},
		{ // paid a month ago, completed in the window
			wooOrder{id: 102, status: "completed", created: old, modified: wat(2 * time.Hour), paid: old, completed: wat(2 * time.Hour), email: "bo@example.com"},
			[]event.Type{event.OrderUpdated, event.OrderFulfilled},
		},
		{ // completed a month ago, a note added in the window
			wooOrder{id: 103, status: "completed", created: old, modified: wat(3 * time.Hour), paid: old, completed: old, email: "cy@example.com"},
			[]event.Type{event.OrderUpdated},
		},
		{ // cancelled in the window
			wooOrder{id: 104, status: "cancelled", created: old, modified: wat(4 * time.Hour), email: "di@example.com"},
			[]event.Type{event.OrderUpdated, event.OrderCancelled},
		},
		{ // pending, placed in the window
			wooOrder{id: 105, status: "pending", created: wat(5 * time.Hour), modified: wat(5 * time.Hour), email: "ed@example.com"},
			[]event.Type{event.OrderPlaced, event.OrderUpdated},
		},
		{ // placed before the window, paid in it
			wooOrder{id: 106, status: "processing", created: wat(-time.Minute), modified: wat(6 * time.Hour), paid: wat(6 * time.Hour), email: "fa@example.com"},
			[]event.Type{event.OrderUpdated, event.OrderPaid},
		},
		{ // modified exactly at Since
			wooOrder{id: 107, status: "on-hold", created: wat(-time.Hour), modified: wooSince, email: "gi@example.com"},
			[]event.Type{event.OrderUpdated},
		},
	}
	for _, c := range cases {
		b.store.addOrder(c.order)
	}
	b.store.addOrder(wooOrder{id: 201, status: "processing", created: wat(-time.Hour), modified: wat(-time.Second), paid: wat(-time.Second), email: "x@example.com"})
	b.store.addOrder(wooOrder{id: 202, status: "processing", created: wooUntil, modified: wooUntil, paid: wooUntil, email: "y@example.com"})
	// A draft of the Checkout Block: a checkout, not an order.
	b.store.addOrder(wooOrder{id: 203, status: "checkout-draft", created: wat(7 * time.Hour), modified: wat(7 * time.Hour), email: "dr@example.com"})

	evs, err := b.changes(t.Context(), wooWin)
	require.NoError(t, err)
	byOrder := map[string][]*event.Event{}
	var seq []string
	for _, ev := range evs {
		o, ok := ev.Data.(*event.Order)
		require.True(t, ok, "no %s without Checkouts", ev.Type)
		if len(byOrder[o.ID]) == 0 {
			seq = append(seq, o.ID)
		}
		byOrder[o.ID] = append(byOrder[o.ID], ev)
	}
	require.Equal(t, []string{"107", "101", "102", "103", "104", "105", "106"}, seq, "oldest change first")
	for _, c := range cases {
		got := byOrder[strconv.Itoa(c.order.id)]
		types := make([]event.Type, 0, len(got))
		for _, ev := range got {
			types = append(types, ev.Type)
		}
		require.Equal(t, c.types, types, "order %d", c.order.id)
		hooks := b.webhookOrderEvents(t, &c.order)
		for _, ev := range got {
			want, ok := hooks[ev.Type]
			require.True(t, ok, "order %d: the webhooks make no %s", c.order.id, ev.Type)
			requireSameAsWebhook(t, want, ev)
		}
	}
}

// TestPollerCheckoutDrafts: a checkout-draft order with an email is the
// webhook path's checkout.updated, listed only when checkouts are asked.
func TestPollerCheckoutDrafts(t *testing.T) {
	t.Parallel()
	b := setupPoller(t, false)
	draft := wooOrder{id: 203, status: "checkout-draft", created: wat(7 * time.Hour), modified: wat(7 * time.Hour), email: "dr@example.com"}
	b.store.addOrder(draft)
	evs, err := b.changes(t.Context(), wooWin)
	require.NoError(t, err)
	require.Empty(t, evs)

	w := wooWin
	w.Checkouts = true
	evs, err = b.changes(t.Context(), w)
	require.NoError(t, err)
	require.Len(t, evs, 1)
	hook := b.webhook(t, "order.updated", b.store.orderBody(&draft))
	require.Len(t, hook, 1)
	requireSameAsWebhook(t, hook[0], evs[0])
	require.Equal(t, event.CheckoutUpdated, evs[0].Type)
	require.Equal(t, "wc_order_203", evs[0].Data.(*event.Checkout).Token)
}

func TestPollerQuery(t *testing.T) {
	t.Parallel()
	b := setupPoller(t, false)
	w := reconcile.Window{Since: wat(90 * time.Minute).Add(300 * time.Millisecond), Until: wooUntil.Add(-time.Millisecond)}
	_, err := b.changes(t.Context(), w)
	require.NoError(t, err)
	reqs := b.store.listRequests("/wp-json/wc/v3/orders")
	require.Len(t, reqs, 1, "an empty list ends the paging")
	q := reqs[0]
	for _, p := range []string{"oauth_consumer_key", "oauth_nonce", "oauth_signature", "oauth_signature_method", "oauth_timestamp"} {
		require.NotEmpty(t, q.Get(p), p)
		q.Del(p)
	}
	require.Equal(t, url.Values{
		"modified_after":  {"2026-06-30T01:29:59"},
		"modified_before": {"2026-07-01T00:00:00"},
		"orderby":         {"modified"},
		"order":           {"asc"},
		"per_page":        {"100"},
		"page":            {"1"},
		"dates_are_gmt":   {"true"},
	}, q)

	t.Run("no bounds", func(t *testing.T) {
		t.Parallel()
		b := setupPoller(t, false)
		b.store.addOrder(wooOrder{id: 1, status: "on-hold", created: wat(-9000 * time.Hour), modified: wat(-8000 * time.Hour)})
		evs, err := b.changes(t.Context(), reconcile.Window{})
		require.NoError(t, err)
		require.Len(t, evs, 2, "placed and updated: every time is after the zero time")
		q := b.store.listRequests("/wp-json/wc/v3/orders")[0]
		require.NotContains(t, q, "modified_after")
		require.NotContains(t, q, "modified_before")
	})
}

// TestPollerBasicAuthOverHTTPS: over https the keys go as HTTP Basic, and
// no OAuth parameter is sent.
func TestPollerBasicAuthOverHTTPS(t *testing.T) {
	t.Parallel()
	b := setupPoller(t, true)
	b.store.addOrder(wooOrder{id: 1, status: "processing", created: wat(time.Hour), modified: wat(time.Hour), paid: wat(time.Hour), email: "a@example.com"})
	evs, err := b.changes(t.Context(), wooWin)
	require.NoError(t, err)
	require.Len(t, evs, 3)
	q := b.store.listRequests("/wp-json/wc/v3/orders")[0]
	require.Empty(t, q.Get("oauth_signature"))

	b.shop.APIToken = b.store.key + ":cs_wrong"
	_, err = b.changes(t.Context(), wooWin)
	require.ErrorIs(t, err, woocommerce.ErrPermanent)
	require.NotContains(t, err.Error(), "cs_wrong")
}

// TestPollerKeysetPaging: 250 orders, 150 of them modified in one second,
// and one order modified again while the list is read: every order is
// seen, the re-modified one at both versions.
func TestPollerKeysetPaging(t *testing.T) {
	t.Parallel()
	b := setupPoller(t, false)
	const n = 250
	shared := wat(time.Hour)
	for i := 1; i <= n; i++ {
		mod := shared
		if i > 150 {
			mod = shared.Add(time.Duration(i) * time.Second)
		}
		b.store.addOrder(wooOrder{id: i, status: "on-hold", created: wat(-time.Hour), modified: mod, email: fmt.Sprintf("c%d@example.com", i)})
	}
	moved := false
	b.store.afterList = func(page int) {
		if !moved && page == 1 {
			b.store.orders[5].modified = wat(20 * time.Hour)
			moved = true
		}
	}
	evs, err := b.changes(t.Context(), wooWin)
	require.NoError(t, err)
	seen := map[string]int{}
	keys := map[string]bool{}
	for _, ev := range evs {
		require.Equal(t, event.OrderUpdated, ev.Type)
		require.False(t, keys[ev.Key], "key %s twice", ev.Key)
		keys[ev.Key] = true
		seen[ev.Data.(*event.Order).ID]++
	}
	require.Len(t, seen, n)
	for id, c := range seen {
		if id == "5" {
			require.Equal(t, 2, c)
			continue
		}
		require.Equal(t, 1, c, "order %s", id)
	}
	var pages []string
	for _, q := range b.store.listRequests("/wp-json/wc/v3/orders") {
		pages = append(pages, q.Get("modified_after")+" p"+q.Get("page"))
	}
	require.Equal(t, []string{
		"2026-06-29T23:59:59 p1",
		"2026-06-30T00:59:59 p1", // the shared second: 99 seen, 1 new
		"2026-06-30T00:59:59 p2", // still that second: turn the page
		"2026-06-30T01:03:20 p1", // from order 200's time: the rest
	}, pages)
}

func TestPollerCustomers(t *testing.T) {
	t.Parallel()
	const n = 150
	setupCustomers := func(t *testing.T) *pollerBundle {
		t.Helper()
		b := setupPoller(t, false)
		for i := 1; i <= n; i++ {
			c := wooCustomer{id: i, created: wat(-48 * time.Hour), email: fmt.Sprintf("c%d@example.com", i)}
			switch i % 3 {
			case 0:
				c.modified = wat(time.Duration(i) * time.Minute) // in the window
			case 1:
				c.modified = wat(-time.Duration(i) * time.Minute) // before it
			default:
				c.created = wat(time.Duration(i) * time.Second) // registered in it, never updated
			}
			b.store.addCustomer(c)
		}
		return b
	}
	t.Run("not asked", func(t *testing.T) {
		t.Parallel()
		b := setupCustomers(t)
		_, err := b.changes(t.Context(), wooWin)
		require.NoError(t, err)
		require.Empty(t, b.store.listRequests("/wp-json/wc/v3/customers"))
	})
	t.Run("asked", func(t *testing.T) {
		t.Parallel()
		b := setupCustomers(t)
		w := wooWin
		w.Customers = true
		evs, err := b.changes(t.Context(), w)
		require.NoError(t, err)
		got := map[int]*event.Event{}
		for _, ev := range evs {
			require.Equal(t, event.CustomerUpdated, ev.Type)
			id, err := strconv.Atoi(ev.Data.(*event.CustomerData).ID)
			require.NoError(t, err)
			require.NotEqual(t, 1, id%3, "customer %d changed before the window", id)
			got[id] = ev
		}
		require.Len(t, got, 100)
		for _, id := range []int{2, 3, 149, 150} {
			hook := b.webhook(t, "customer.updated", b.store.customerBody(b.store.customers[id]))
			require.Len(t, hook, 1)
			requireSameAsWebhook(t, hook[0], got[id])
		}
		reqs := b.store.listRequests("/wp-json/wc/v3/customers")
		require.Len(t, reqs, 2, "X-WP-TotalPages ends the list")
		require.Equal(t, "2", reqs[1].Get("page"))
	})
}

func TestPollerErrors(t *testing.T) {
	t.Parallel()
	const orders = "/wp-json/wc/v3/orders"
	cases := []struct {
		name      string
		replies   []wooReply
		permanent bool
		sleeps    int
	}{
		{"404 no route", []wooReply{{status: 404, body: `{"code":"rest_no_route","message":"No route","data":{"status":404}}`}}, true, 0},
		{"403", []wooReply{{status: 403, body: `{"code":"woocommerce_rest_cannot_view","message":"no","data":{"status":403}}`}}, true, 0},
		{"400", []wooReply{{status: 400, body: `{"code":"rest_invalid_param","message":"Invalid parameter(s): orderby"}`}}, true, 0},
		{"redirect", []wooReply{{status: 301, header: map[string]string{"Location": "https://elsewhere.example/"}}}, true, 0},
		{"not JSON", []wooReply{{status: 200, body: `<html>maintenance</html>`}}, true, 0},
		{"an object", []wooReply{{status: 200, body: `{"id":1}`}}, true, 0},
		{"503 every time", slices.Repeat([]wooReply{{status: 503}}, 5), false, 4},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setupPoller(t, false)
			b.store.addOrder(wooOrder{id: 1, status: "processing", created: wat(time.Hour), modified: wat(time.Hour), paid: wat(time.Hour)})
			b.store.inject(orders, tc.replies...)
			evs, err := b.changes(t.Context(), wooWin)
			require.Error(t, err)
			require.Empty(t, evs)
			if tc.permanent {
				require.ErrorIs(t, err, woocommerce.ErrPermanent)
			} else {
				require.NotErrorIs(t, err, woocommerce.ErrPermanent)
			}
			require.Len(t, b.slept(), tc.sleeps)
			require.NotContains(t, err.Error(), b.store.sec)
			require.NotContains(t, err.Error(), "oauth_signature")
		})
	}
	t.Run("401 wrong keys", func(t *testing.T) {
		t.Parallel()
		b := setupPoller(t, false)
		b.shop.APIToken = "ck_unknown:cs_unknown"
		_, err := b.changes(t.Context(), wooWin)
		require.ErrorIs(t, err, woocommerce.ErrPermanent)
		require.Contains(t, err.Error(), "401")
		require.Contains(t, err.Error(), "woocommerce_rest_authentication_error")
	})
	t.Run("bad shop records", func(t *testing.T) {
		t.Parallel()
		b := setupPoller(t, false)
		for _, s := range []*shop.Shop{
			{ID: "a", Domain: b.store.srv.URL, APIToken: "no-colon"},
			{ID: "b", APIToken: "k:s"},
			{ID: "c", Domain: "ftp://shop.example", APIToken: "k:s"},
		} {
			err := b.poller.Changes(t.Context(), s, wooWin, func(*event.Event) error { return nil })
			require.ErrorIs(t, err, woocommerce.ErrPermanent, s.ID)
		}
		require.Empty(t, b.store.requested())
	})
	t.Run("private hosts refused by default", func(t *testing.T) {
		t.Parallel()
		b := setupPoller(t, false, func(c *woocommerce.PollerConfig) { c.AllowPrivateHosts = false })
		_, err := b.changes(t.Context(), wooWin)
		require.ErrorIs(t, err, woocommerce.ErrPermanent)
		require.Empty(t, b.store.requested())
	})
}

func TestPollerRetries(t *testing.T) {
	t.Parallel()
	b := setupPoller(t, false)
	b.store.addOrder(wooOrder{id: 1, status: "processing", created: wat(time.Hour), modified: wat(time.Hour), paid: wat(time.Hour), email: "a@example.com"})
	b.store.inject("/wp-json/wc/v3/orders",
		wooReply{status: 429, header: map[string]string{"Retry-After": "7"}},
		wooReply{status: 500},
		wooReply{status: 502},
	)
	evs, err := b.changes(t.Context(), wooWin)
	require.NoError(t, err)
	require.Len(t, evs, 3)
	require.Equal(t, []time.Duration{7 * time.Second, 2 * time.Second, 4 * time.Second}, b.slept(),
		"Retry-After, then the backoff doubling from its second attempt")
}

// TestPollerSkipsUnreadableOrders: an order the normaliser refuses is
// skipped; the others still come.
func TestPollerSkipsUnreadableOrders(t *testing.T) {
	t.Parallel()
	b := setupPoller(t, false)
	b.store.addOrder(wooOrder{id: 1, status: "processing", created: wat(time.Hour), modified: wat(time.Hour), paid: wat(time.Hour), broken: true})
	b.store.addOrder(wooOrder{id: 2, status: "on-hold", created: wat(-time.Hour), modified: wat(2 * time.Hour)})
	evs, err := b.changes(t.Context(), wooWin)
	require.NoError(t, err)
	require.Len(t, evs, 1)
	require.Equal(t, "2", evs[0].Data.(*event.Order).ID)
}

func TestPollerStops(t *testing.T) {
	t.Parallel()
	t.Run("emit error", func(t *testing.T) {
		t.Parallel()
		b := setupPoller(t, false)
		b.store.addOrder(wooOrder{id: 1, status: "processing", created: wat(time.Hour), modified: wat(time.Hour), paid: wat(time.Hour)})
		b.store.addOrder(wooOrder{id: 2, status: "processing", created: wat(2 * time.Hour), modified: wat(2 * time.Hour), paid: wat(2 * time.Hour)})
		boom := errors.New("publish failed")
		calls := 0
		err := b.poller.Changes(t.Context(), b.shop, wooWin, func(*event.Event) error {
			calls++
			return boom
		})
		require.ErrorIs(t, err, boom)
		require.Equal(t, 1, calls)
	})
	t.Run("ctx cancelled", func(t *testing.T) {
		t.Parallel()
		b := setupPoller(t, false, func(c *woocommerce.PollerConfig) { c.PerPage = 2 })
		for i := 1; i <= 6; i++ {
			b.store.addOrder(wooOrder{id: i, status: "on-hold", created: wat(-time.Hour), modified: wat(time.Duration(i) * time.Hour)})
		}
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		calls := 0
		err := b.poller.Changes(ctx, b.shop, wooWin, func(*event.Event) error {
			calls++
			cancel()
			return nil
		})
		require.ErrorIs(t, err, context.Canceled)
		require.Equal(t, 2, calls, "the page in hand is finished, no other is read")
		require.Len(t, b.store.listRequests("/wp-json/wc/v3/orders"), 1)
	})
	t.Run("the backoff honours ctx", func(t *testing.T) {
		t.Parallel()
		b := setupPoller(t, false, func(c *woocommerce.PollerConfig) { c.Sleep = nil; c.Backoff = 10 * time.Minute })
		b.store.inject("/wp-json/wc/v3/orders", wooReply{status: 503})
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := b.changes(ctx, wooWin)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.Less(t, time.Since(start), 10*time.Second)
	})
}

func TestNewPollerValidates(t *testing.T) {
	t.Parallel()
	for _, cfg := range []woocommerce.PollerConfig{{PerPage: -1}, {PerPage: 101}, {Attempts: -1}, {Backoff: -time.Second}} {
		_, err := woocommerce.NewPoller(cfg)
		require.Error(t, err)
	}
	p, err := woocommerce.NewPoller(woocommerce.PollerConfig{})
	require.NoError(t, err)
	require.NotNil(t, p)
}

// roundTripFunc is an http.RoundTripper made of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// FuzzPollerOrderList feeds any answer to the order list (and any
// X-WP-TotalPages): Changes never panics, what it emits is valid and
// labelled as polled, and a failure is a permanent one.
func FuzzPollerOrderList(f *testing.F) {
	order := func(status, created, modified, paid string) string {
		return `[{"id":5,"number":"5","order_key":"wc_order_5","status":"` + status + `","currency":"EUR",` +
			`"date_created_gmt":` + created + `,"date_modified_gmt":` + modified + `,"date_paid_gmt":` + paid +
			`,"date_completed_gmt":null,"total":"3.00","customer_id":0,"billing":{"email":"a@example.com"},` +
			`"shipping":[],"line_items":[{"id":1,"name":"x","product_id":2,"variation_id":0,"quantity":1,"subtotal":"3.00","price":3}]}]`
	}
	f.Add([]byte(order("processing", `"2026-06-30T01:00:00"`, `"2026-06-30T02:00:00"`, `"2026-06-30T02:00:00"`)), "1")
	f.Add([]byte(order("completed", `"2026-01-01T00:00:00"`, `"2026-06-30T02:00:00Z"`, `null`)), "")
	f.Add([]byte(order("checkout-draft", `""`, `"2026-06-30T02:00:00"`, `null`)), "x")
	f.Add([]byte(`[{"id":"007","date_modified_gmt":"2026-06-30T02:00:00"}]`), "3")
	f.Add([]byte(`[{"id":-1},{"id":1.5},{"date_modified_gmt":5}]`), "1")
	f.Add([]byte(`[]`), "0")
	f.Add([]byte(`null`), "1")
	f.Add([]byte(`{}`), "1")
	f.Fuzz(func(t *testing.T, body []byte, total string) {
		client := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			answer := []byte(`[]`)
			if r.URL.Path == "/wp-json/wc/v3/orders" && r.URL.Query().Get("page") == "1" &&
				r.URL.Query().Get("modified_after") == "2026-06-29T23:59:59" {
				answer = body
			}
			h := http.Header{}
			h.Set("X-Wp-Totalpages", total)
			return &http.Response{StatusCode: http.StatusOK, Body: io.NopCloser(bytes.NewReader(answer)), Header: h, Request: r}, nil
		})}
		p, err := woocommerce.NewPoller(woocommerce.PollerConfig{HTTPClient: client, AllowPrivateHosts: true, Now: func() time.Time { return testNow }})
		require.NoError(t, err)
		s := &shop.Shop{ID: "woo-fuzz", Platform: "woocommerce", Domain: "https://shop.example", APIToken: "ck_a:cs_b"}
		w := wooWin
		w.Checkouts = true
		err = p.Changes(t.Context(), s, w, func(ev *event.Event) error {
			require.NoError(t, ev.Validate())
			require.True(t, strings.HasPrefix(ev.Source.DeliveryID, "poll:"))
			return nil
		})
		if err != nil {
			require.ErrorIs(t, err, woocommerce.ErrPermanent)
		}
	})
}
