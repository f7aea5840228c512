package bigcommerce

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/reconcile"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// The poll tests' window and clock.
var (
	pollSince = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	pollUntil = time.Date(2026, 6, 2, 0, 0, 0, 0, time.UTC)
	pollNow   = pollUntil.Add(5 * time.Minute)
	pollWin   = reconcile.Window{Since: pollSince, Until: pollUntil}
)

// pollBundle is a fake store and a Fetcher pointed at it.
type pollBundle struct {
	store   *fakeStore
	fetcher *Fetcher
	shop    *shop.Shop
	mu      sync.Mutex
	sleeps  []time.Duration
}

func setupPoll(t *testing.T, mod ...func(*FetcherConfig)) *pollBundle {
	t.Helper()
	b := &pollBundle{store: newFakeStore(t), shop: testShop()}
	cfg := FetcherConfig{
		APIURL: b.store.apiURL(),
		Sleep: func(ctx context.Context, d time.Duration) error {
			b.mu.Lock()
			defer b.mu.Unlock()
			b.sleeps = append(b.sleeps, d)
			return ctx.Err()
		},
		Now: func() time.Time { return pollNow },
	}
	for _, m := range mod {
		m(&cfg)
	}
	f, err := NewFetcher(cfg)
	require.NoError(t, err)
	b.fetcher = f
	return b
}

// changes runs Changes and collects the events.
func (b *pollBundle) changes(ctx context.Context, w reconcile.Window) ([]*event.Event, error) {
	var out []*event.Event
	err := b.fetcher.Changes(ctx, b.shop, w, func(ev *event.Event) error {
		out = append(out, ev)
		return nil
	})
	return out, err
}

// webhook resolves a webhook body the way the fetch worker does, against
// the same store.
func (b *pollBundle) webhook(t *testing.T, scope, data string, hash string) []*event.Event {
	t.Helper()
	body := `{"scope":"` + scope + `","store_id":"1025646","data":` + data + `,"hash":"` + hash +
		`","created_at":1780300000,"producer":"stores/abcde"}`
	evs, err := b.fetcher.Resolve(t.Context(), b.shop, notificationOf(t, b.shop, []byte(body)))
	require.NoError(t, err)
	return evs
}

// webhookOrderEvents are the events the webhook path makes for an order:
// store/order/created, store/order/updated and store/order/statusUpdated
// (to its current status), by type.
func (b *pollBundle) webhookOrderEvents(t *testing.T, id, status int) map[event.Type]*event.Event {
	t.Helper()
	out := map[event.Type]*event.Event{}
	ref := `{"type":"order","id":` + strconv.Itoa(id)
	for _, ev := range b.webhook(t, ScopeOrderCreated, ref+`}`, fmt.Sprint("c", id)) {
		out[ev.Type] = ev
	}
	for _, ev := range b.webhook(t, ScopeOrderUpdated, ref+`}`, fmt.Sprint("u", id)) {
		out[ev.Type] = ev
	}
	status1 := ref + `,"status":{"new_status_id":` + strconv.Itoa(status) + `}}`
	for _, ev := range b.webhook(t, ScopeOrderStatusUpdated, status1, fmt.Sprint("s", id)) {
		if _, ok := out[ev.Type]; !ok {
			out[ev.Type] = ev
		}
	}
	return out
}

// requireSameEvent checks that a polled event says what the webhook's does.
func requireSameEvent(t *testing.T, want, got *event.Event) {
	t.Helper()
	require.NoError(t, got.Validate())
	require.Equal(t, want.Type, got.Type)
	require.Equal(t, want.Key, got.Key)
	require.Equal(t, want.Shop, got.Shop)
	require.Equal(t, want.Platform, got.Platform)
	require.Equal(t, want.Customer, got.Customer)
	require.Equal(t, want.Data, got.Data)
	require.Equal(t, want.OccurredAt, got.OccurredAt)
	require.Equal(t, want.Source.Topic, got.Source.Topic)
	require.Equal(t, want.Source.APIVersion, got.Source.APIVersion)
	require.True(t, strings.HasPrefix(got.Source.DeliveryID, "poll:"+got.Source.Topic+":"), got.Source.DeliveryID)
	require.Equal(t, event.DeliveryID(Name, got.Shop, got.Source.DeliveryID, got.Type), got.ID)
	require.Equal(t, pollNow, got.ReceivedAt)
}

func at(d time.Duration) time.Time { return pollSince.Add(d) }

// TestChangesOrdersAsWebhooks: each order modified in the window yields the
// events the webhook path makes for it, one-time transitions only when
// their time is in the window, oldest change first.
func TestChangesOrdersAsWebhooks(t *testing.T) {
	t.Parallel()
	b := setupPoll(t)
	type want struct {
		order storeOrder
		types []event.Type
	}
	cases := []want{
		{ // placed and paid in the window
			storeOrder{id: 101, status: 11, created: at(time.Hour), modified: at(time.Hour), email: "ann@example.com", customerID: 11},
			[]event.Type{event.OrderPlaced, event.OrderUpdated, event.OrderPaid},
		},
		{ // an old order shipped in the window: not placed again
			storeOrder{id: 102, status: 2, created: at(-30 * 24 * time.Hour), modified: at(2 * time.Hour), shipped: at(2 * time.Hour), email: "bo@example.com"},
			[]event.Type{event.OrderUpdated, event.OrderPaid, event.OrderFulfilled},
		},
		{ // completed long ago, touched in the window: not fulfilled again
			storeOrder{id: 103, status: 10, created: at(-40 * 24 * time.Hour), modified: at(3 * time.Hour), shipped: at(-39 * 24 * time.Hour), email: "cy@example.com"},
			[]event.Type{event.OrderUpdated, event.OrderPaid},
		},
		{ // a digital order completed in the window, no date_shipped
			storeOrder{id: 104, status: 10, created: at(-time.Hour), modified: at(4 * time.Hour), email: "di@example.com"},
			[]event.Type{event.OrderUpdated, event.OrderPaid, event.OrderFulfilled},
		},
		{ // cancelled in the window
			storeOrder{id: 105, status: 5, created: at(5 * time.Hour), modified: at(5*time.Hour + time.Minute), email: "ed@example.com"},
			[]event.Type{event.OrderUpdated, event.OrderCancelled},
		},
		{ // awaiting payment: placed, not paid
			storeOrder{id: 106, status: 7, created: at(6 * time.Hour), modified: at(6 * time.Hour), email: "fa@example.com"},
			[]event.Type{event.OrderPlaced, event.OrderUpdated},
		},
		{ // modified exactly at Since: in the window
			storeOrder{id: 107, status: 1, created: at(-time.Hour), modified: pollSince, email: "gi@example.com"},
			[]event.Type{event.OrderUpdated},
		},
	}
	for _, c := range cases {
		b.store.addOrder(c.order)
	}
	// Outside the window: before Since, at Until (exclusive), after Until.
	b.store.addOrder(storeOrder{id: 201, status: 11, created: at(-2 * time.Hour), modified: at(-time.Second), email: "x@example.com"})
	b.store.addOrder(storeOrder{id: 202, status: 11, created: pollUntil, modified: pollUntil, email: "y@example.com"})
	b.store.addOrder(storeOrder{id: 203, status: 11, created: pollUntil.Add(time.Hour), modified: pollUntil.Add(time.Hour), email: "z@example.com"})

	evs, err := b.changes(t.Context(), pollWin)
	require.NoError(t, err)

	byOrder := map[string][]*event.Event{}
	var orderSeq []string
	for _, ev := range evs {
		id := ev.Data.(*event.Order).ID
		if len(byOrder[id]) == 0 {
			orderSeq = append(orderSeq, id)
		}
		byOrder[id] = append(byOrder[id], ev)
	}
	require.Equal(t, []string{"107", "101", "102", "103", "104", "105", "106"}, orderSeq, "oldest change first")
	ids := map[string]bool{}
	for _, c := range cases {
		id := strconv.Itoa(c.order.id)
		got := byOrder[id]
		types := make([]event.Type, 0, len(got))
		for _, ev := range got {
			types = append(types, ev.Type)
		}
		require.Equal(t, c.types, types, "order %s", id)
		hooks := b.webhookOrderEvents(t, c.order.id, c.order.status)
		for _, ev := range got {
			want, ok := hooks[ev.Type]
			require.True(t, ok, "order %s: the webhook path makes no %s", id, ev.Type)
			requireSameEvent(t, want, ev)
			require.False(t, ids[ev.ID], "event ids are distinct")
			ids[ev.ID] = true
		}
	}

	// Polling again yields the same message ids: JetStream drops the copies.
	again, err := b.changes(t.Context(), pollWin)
	require.NoError(t, err)
	require.Len(t, again, len(evs))
	for i := range evs {
		require.Equal(t, evs[i].ID, again[i].ID)
		require.Equal(t, evs[i].Key, again[i].Key)
	}
}

func TestChangesOrderQuery(t *testing.T) {
	t.Parallel()
	b := setupPoll(t)
	w := reconcile.Window{Since: at(90 * time.Minute).Add(300 * time.Millisecond), Until: pollUntil.Add(-time.Millisecond)}
	evs, err := b.changes(t.Context(), w)
	require.NoError(t, err)
	require.Empty(t, evs)
	reqs := b.store.requested()
	require.Len(t, reqs, 1, "a 204 ends the list")
	u, err := url.Parse(reqs[0])
	require.NoError(t, err)
	require.Equal(t, "/v2/orders", u.Path)
	require.Equal(t, url.Values{
		"min_date_modified": {"Mon, 01 Jun 2026 01:29:59 +0000"},
		"max_date_modified": {"Tue, 02 Jun 2026 00:00:00 +0000"},
		"sort":              {"date_modified:asc"},
		"limit":             {"250"},
		"page":              {"1"},
	}, u.Query())

	t.Run("no upper bound", func(t *testing.T) {
		t.Parallel()
		b := setupPoll(t)
		_, err := b.changes(t.Context(), reconcile.Window{Since: pollSince})
		require.NoError(t, err)
		u, err := url.Parse(b.store.requested()[0])
		require.NoError(t, err)
		require.NotContains(t, u.Query(), "max_date_modified")
		require.Contains(t, u.Query(), "min_date_modified")
	})
	t.Run("no bounds", func(t *testing.T) {
		t.Parallel()
		b := setupPoll(t)
		b.store.addOrder(storeOrder{id: 1, status: 1, created: time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC), modified: time.Date(2001, 1, 2, 0, 0, 0, 0, time.UTC)})
		b.store.addCustomer(storeCustomer{id: 2, created: time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC), modified: time.Date(2001, 1, 2, 0, 0, 0, 0, time.UTC)})
		evs, err := b.changes(t.Context(), reconcile.Window{Customers: true})
		require.NoError(t, err)
		require.Len(t, evs, 2)
		reqs := b.store.requested()
		require.Equal(t, "/v2/orders?limit=250&page=1&sort=date_modified%3Aasc", reqs[0])
		require.Equal(t, "/v3/customers?sort=date_modified:asc&limit=250&page=1", reqs[len(reqs)-1])
	})
}

// TestChangesKeysetPaging: 600 orders, 300 of them modified in one second,
// and one order modified again while the list is read: every order is seen,
// the re-modified one at both versions, none twice at one version.
func TestChangesKeysetPaging(t *testing.T) {
	t.Parallel()
	b := setupPoll(t)
	const n = 600
	sameSecond := at(time.Hour)
	for i := 1; i <= n; i++ {
		mod := sameSecond
		if i > n/2 {
			mod = sameSecond.Add(time.Duration(i) * time.Second)
		}
		b.store.addOrder(storeOrder{id: i, status: 1, created: at(-time.Hour), modified: mod, email: "c" + strconv.Itoa(i) + "@example.com"})
	}
	moved := false
	b.store.afterList = func(page int) {
		if !moved && page == 1 {
			// Order 5 is on the first page; it moves to the end of the list.
			b.store.orders[5].modified = at(20 * time.Hour)
			moved = true
		}
	}
	evs, err := b.changes(t.Context(), pollWin)
	require.NoError(t, err)
	keys := map[string]bool{}
	seen := map[string]int{}
	var last time.Time
	for _, ev := range evs {
		require.Equal(t, event.OrderUpdated, ev.Type)
		require.False(t, keys[ev.Key], "key %s emitted twice", ev.Key)
		keys[ev.Key] = true
		o := ev.Data.(*event.Order)
		seen[o.ID]++
		require.False(t, o.UpdatedAt.Before(last), "oldest change first")
		last = o.UpdatedAt
	}
	require.Len(t, seen, n, "every order is listed")
	for id, count := range seen {
		if id == "5" {
			require.Equal(t, 2, count, "order 5 at both of its versions")
			continue
		}
		require.Equal(t, 1, count, "order %s", id)
	}
	var pages []string
	for _, r := range b.store.requested() {
		if strings.HasPrefix(r, "/v2/orders?") {
			u, _ := url.Parse(r)
			pages = append(pages, u.Query().Get("min_date_modified")+" p"+u.Query().Get("page"))
		}
	}
	require.Equal(t, []string{
		"Sun, 31 May 2026 23:59:59 +0000 p1",
		"Mon, 01 Jun 2026 00:59:59 +0000 p1", // from the shared second: 249 seen, 1 new
		"Mon, 01 Jun 2026 00:59:59 +0000 p2", // still that second: turn the page
		"Mon, 01 Jun 2026 01:08:20 +0000 p1", // from order 501's time: the rest, order 5 last
	}, pages)
}

func TestChangesCustomers(t *testing.T) {
	t.Parallel()
	const n = 260 // two pages
	setupCustomers := func(t *testing.T) *pollBundle {
		t.Helper()
		b := setupPoll(t)
		for i := 1; i <= n; i++ {
			b.store.addCustomer(storeCustomer{id: i, created: at(-48 * time.Hour), modified: at(time.Duration(i) * time.Minute), email: fmt.Sprintf("c%d@example.com", i)})
		}
		b.store.addCustomer(storeCustomer{id: 900, created: at(-48 * time.Hour), modified: at(-time.Minute), email: "old@example.com"})
		b.store.addCustomer(storeCustomer{id: 901, created: at(-48 * time.Hour), modified: pollUntil, email: "late@example.com"})
		return b
	}
	t.Run("not asked", func(t *testing.T) {
		t.Parallel()
		b := setupCustomers(t)
		evs, err := b.changes(t.Context(), pollWin)
		require.NoError(t, err)
		require.Empty(t, evs)
		for _, r := range b.store.requested() {
			require.False(t, strings.HasPrefix(r, "/v3/customers"), r)
		}
	})
	t.Run("asked", func(t *testing.T) {
		t.Parallel()
		b := setupCustomers(t)
		w := pollWin
		w.Customers = true
		evs, err := b.changes(t.Context(), w)
		require.NoError(t, err)
		require.Len(t, evs, n)
		for i, ev := range evs {
			require.Equal(t, event.CustomerUpdated, ev.Type)
			require.Equal(t, strconv.Itoa(i+1), ev.Data.(*event.CustomerData).ID, "oldest change first")
		}
		for _, i := range []int{1, 250, 251, n} {
			hook := b.webhook(t, ScopeCustomerUpdated, `{"type":"customer","id":`+strconv.Itoa(i)+`}`, fmt.Sprint("cu", i))
			require.Len(t, hook, 1)
			requireSameEvent(t, hook[0], evs[i-1])
		}
		var lists []string
		for _, r := range b.store.requested() {
			if strings.HasPrefix(r, "/v3/customers?date_modified") {
				lists = append(lists, r)
			}
		}
		require.Equal(t, []string{
			"/v3/customers?date_modified:min=2026-05-31T23%3A59%3A59&date_modified:max=2026-06-02T00%3A00%3A00&sort=date_modified:asc&limit=250&page=1",
			"/v3/customers?date_modified:min=2026-06-01T04%3A09%3A59&date_modified:max=2026-06-02T00%3A00%3A00&sort=date_modified:asc&limit=250&page=1",
		}, lists)
	})
}

// TestChangesCheckouts: BigCommerce lists no abandoned carts; asking for
// checkouts reads nothing more.
func TestChangesCheckouts(t *testing.T) {
	t.Parallel()
	b := setupPoll(t)
	w := pollWin
	w.Checkouts = true
	evs, err := b.changes(t.Context(), w)
	require.NoError(t, err)
	require.Empty(t, evs)
	require.Len(t, b.store.requested(), 1)
}

func TestChangesErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		reply     reply
		permanent bool
	}{
		{"401 token revoked", reply{status: http.StatusUnauthorized, body: []byte(`{"status":401}`)}, true},
		{"403 scope missing", reply{status: http.StatusForbidden}, true},
		{"500", reply{status: http.StatusInternalServerError}, false},
		{"200 not JSON", reply{status: http.StatusOK, body: []byte("<html>maintenance</html>")}, true},
		{"200 wrong shape", reply{status: http.StatusOK, body: []byte(`{"id":250}`)}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setupPoll(t)
			b.store.addOrder(storeOrder{id: 1, status: 11, created: at(time.Hour), modified: at(time.Hour)})
			b.store.inject("/v2/orders", tc.reply)
			evs, err := b.changes(t.Context(), pollWin)
			require.Error(t, err)
			require.Empty(t, evs)
			if tc.permanent {
				require.ErrorIs(t, err, ErrPermanent)
			} else {
				require.NotErrorIs(t, err, ErrPermanent)
			}
			require.NotContains(t, err.Error(), "api-token")
		})
	}
	t.Run("wrong token", func(t *testing.T) {
		t.Parallel()
		b := setupPoll(t)
		b.shop.APIToken = "revoked"
		b.store.addOrder(storeOrder{id: 1, status: 11, created: at(time.Hour), modified: at(time.Hour)})
		evs, err := b.changes(t.Context(), pollWin)
		require.ErrorIs(t, err, ErrPermanent)
		require.Contains(t, err.Error(), "401")
		require.Empty(t, evs)
	})
	t.Run("no store hash", func(t *testing.T) {
		t.Parallel()
		b := setupPoll(t)
		b.shop.Domain = ""
		_, err := b.changes(t.Context(), pollWin)
		require.ErrorIs(t, err, ErrPermanent)
		require.Empty(t, b.store.requested())
	})
	t.Run("emit error stops", func(t *testing.T) {
		t.Parallel()
		b := setupPoll(t)
		b.store.addOrder(storeOrder{id: 1, status: 11, created: at(time.Hour), modified: at(time.Hour)})
		b.store.addOrder(storeOrder{id: 2, status: 11, created: at(2 * time.Hour), modified: at(2 * time.Hour)})
		boom := errors.New("publish failed")
		calls := 0
		err := b.fetcher.Changes(t.Context(), b.shop, pollWin, func(*event.Event) error {
			calls++
			return boom
		})
		require.ErrorIs(t, err, boom)
		require.Equal(t, 1, calls)
	})
}

// TestChangesOrderGone: an order deleted between the list and its products
// is skipped; the others still come.
func TestChangesOrderGone(t *testing.T) {
	t.Parallel()
	b := setupPoll(t)
	b.store.addOrder(storeOrder{id: 1, status: 11, created: at(time.Hour), modified: at(time.Hour)})
	b.store.addOrder(storeOrder{id: 2, status: 7, created: at(2 * time.Hour), modified: at(2 * time.Hour)})
	b.store.inject("/v2/orders/1/products", reply{status: http.StatusNotFound, body: []byte(`[{"status":404}]`)})
	evs, err := b.changes(t.Context(), pollWin)
	require.NoError(t, err)
	require.NotEmpty(t, evs)
	for _, ev := range evs {
		require.Equal(t, "2", ev.Data.(*event.Order).ID)
	}
}

func TestChangesRateLimit(t *testing.T) {
	t.Parallel()
	limited := reply{status: http.StatusTooManyRequests, header: map[string]string{
		"X-Rate-Limit-Time-Window-Ms": "30000", "X-Rate-Limit-Time-Reset-Ms": "1200",
		"X-Rate-Limit-Requests-Quota": "150", "X-Rate-Limit-Requests-Left": "0",
	}}
	t.Run("waits the reset and goes on", func(t *testing.T) {
		t.Parallel()
		b := setupPoll(t)
		b.store.addOrder(storeOrder{id: 1, status: 11, created: at(time.Hour), modified: at(time.Hour)})
		b.store.inject("/v2/orders", limited)
		b.store.inject("/v2/orders/1/products", limited, limited)
		evs, err := b.changes(t.Context(), pollWin)
		require.NoError(t, err)
		require.Len(t, evs, 3)
		require.Equal(t, []time.Duration{1200 * time.Millisecond, 1200 * time.Millisecond, 1200 * time.Millisecond}, b.sleeps)
	})
	t.Run("past MaxWait", func(t *testing.T) {
		t.Parallel()
		b := setupPoll(t, func(c *FetcherConfig) { c.MaxWait = time.Second })
		b.store.inject("/v2/orders", limited)
		_, err := b.changes(t.Context(), pollWin)
		var ra *RetryAfterError
		require.ErrorAs(t, err, &ra)
		require.Equal(t, 1200*time.Millisecond, ra.After)
		require.NotErrorIs(t, err, ErrPermanent)
	})
	t.Run("the wait honours ctx", func(t *testing.T) {
		t.Parallel()
		b := setupPoll(t, func(c *FetcherConfig) { c.Sleep = nil; c.MaxWait = time.Hour })
		b.store.inject("/v2/orders", reply{status: http.StatusTooManyRequests, header: map[string]string{"X-Rate-Limit-Time-Reset-Ms": "600000"}})
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := b.changes(ctx, pollWin)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.Less(t, time.Since(start), 10*time.Second)
	})
}

func TestChangesContextCancelled(t *testing.T) {
	t.Parallel()
	b := setupPoll(t)
	for i := 1; i <= 5; i++ {
		b.store.addOrder(storeOrder{id: i, status: 1, created: at(-time.Hour), modified: at(time.Duration(i) * time.Hour)})
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var got []*event.Event
	err := b.fetcher.Changes(ctx, b.shop, pollWin, func(ev *event.Event) error {
		got = append(got, ev)
		cancel()
		return nil
	})
	require.ErrorIs(t, err, context.Canceled)
	require.Len(t, got, 1, "nothing is read once ctx ends")
}

// roundTripFunc is an http.RoundTripper made of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// FuzzChangesOrderList feeds any answer to the order list: Changes never
// panics, and what it emits is valid and labelled as polled.
func FuzzChangesOrderList(f *testing.F) {
	one := func(status, created, modified string) string {
		return `[{"id":218,"customer_id":11,"date_created":"` + created + `","date_modified":"` + modified +
			`","date_shipped":"","status_id":` + status + `,"status":"x","total_inc_tax":"1.0000","billing_address":{"email":"a@example.com"}}]`
	}
	f.Add([]byte(one("11", "Mon, 01 Jun 2026 01:00:00 +0000", "Mon, 01 Jun 2026 02:00:00 +0000")))
	f.Add([]byte(one("2", "2026-05-01T00:00:00Z", "2026-06-01T03:00:00Z")))
	f.Add([]byte(one(`"5"`, "", "Mon, 01 Jun 2026 02:00:00 +0000")))
	f.Add([]byte(`[{"id":"../x","date_modified":"Mon, 01 Jun 2026 02:00:00 +0000"}]`))
	f.Add([]byte(`[{"id":1.5}]`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`not json`))
	f.Fuzz(func(t *testing.T, body []byte) {
		client := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			answer := []byte(`[]`)
			switch {
			case r.URL.Path == "/abcde/v2/orders" && r.URL.Query().Get("page") == "1" &&
				r.URL.Query().Get("min_date_modified") == "Sun, 31 May 2026 23:59:59 +0000":
				answer = body
			case r.URL.Path == "/abcde/v3/customers":
				answer = []byte(`{"data":[],"meta":{}}`)
			}
			return &http.Response{StatusCode: http.StatusOK, Body: io.NopCloser(bytes.NewReader(answer)), Header: http.Header{}, Request: r}, nil
		})}
		fetcher, err := NewFetcher(FetcherConfig{APIURL: "http://store.test/{store_hash}", HTTPClient: client, Now: func() time.Time { return pollNow }})
		require.NoError(t, err)
		w := pollWin
		w.Customers = true
		err = fetcher.Changes(t.Context(), testShop(), w, func(ev *event.Event) error {
			require.NoError(t, ev.Validate())
			require.True(t, strings.HasPrefix(ev.Source.DeliveryID, "poll:"))
			require.True(t, w.Contains(ev.Data.(*event.Order).UpdatedAt))
			return nil
		})
		if err != nil {
			require.ErrorIs(t, err, ErrPermanent)
		}
	})
}
