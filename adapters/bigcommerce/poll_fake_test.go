package bigcommerce

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// storeOrder is one order of the fake store.
type storeOrder struct {
	id                         int
	status                     int
	created, modified, shipped time.Time
	email                      string
	customerID                 int
}

// storeCustomer is one customer of the fake store.
type storeCustomer struct {
	id                int
	created, modified time.Time
	email             string
}

// fakeStore answers like a BigCommerce store's API from in-memory orders
// and customers: the v2 order list (min_date_modified, max_date_modified,
// sort=date_modified:asc, limit, page; 204 when nothing is left), one
// order, an order's products, and the v3 customer list (id:in, or
// date_modified:min and :max with sort, limit, page and meta.pagination).
// Every request needs the X-Auth-Token; other answers can be queued ahead of
// the real ones with inject. It records each request.
type fakeStore struct {
	t         *testing.T
	srv       *httptest.Server
	token     string
	orderTmpl map[string]any
	custTmpl  map[string]any
	products  []byte

	mu        sync.Mutex
	orders    map[int]*storeOrder
	customers map[int]*storeCustomer
	injected  map[string][]reply // by path (without the store hash), served first
	requests  []string           // path?query of each request
	// afterList, when set, runs (under mu) after each order-list answer is
	// built: tests change the store while Changes pages through it.
	afterList func(page int)
}

func newFakeStore(t *testing.T) *fakeStore {
	t.Helper()
	f := &fakeStore{
		t: t, token: "api-token",
		orders: map[int]*storeOrder{}, customers: map[int]*storeCustomer{}, injected: map[string][]reply{},
		products: readFile(t, "api", "order_products.json"),
	}
	f.orderTmpl = decodeTemplate(t, readFile(t, "api", "order_218.json"))
	var custs struct {
		Data []map[string]any `json:"data"`
	}
	dec := json.NewDecoder(bytes.NewReader(readFile(t, "api", "customers.json")))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&custs))
	f.custTmpl = custs.Data[0]
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func decodeTemplate(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&m))
	return m
}

// apiURL is the FetcherConfig.APIURL that reaches the fake.
func (f *fakeStore) apiURL() string { return f.srv.URL + "/{store_hash}" }

func (f *fakeStore) addOrder(o storeOrder) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.orders[o.id] = &o
}

func (f *fakeStore) addCustomer(c storeCustomer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.customers[c.id] = &c
}

// inject queues answers for path, served before the store's own.
func (f *fakeStore) inject(path string, replies ...reply) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.injected[path] = append(f.injected[path], replies...)
}

// requested returns the requests so far, as path?query.
func (f *fakeStore) requested() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.requests)
}

// bcStatusNames are the order statuses' names (GET /v2/order_statuses).
var bcStatusNames = map[int]string{
	0: "Incomplete", 1: "Pending", 2: "Shipped", 3: "Partially Shipped", 4: "Refunded", 5: "Cancelled",
	6: "Declined", 7: "Awaiting Payment", 8: "Awaiting Pickup", 9: "Awaiting Shipment", 10: "Completed",
	11: "Awaiting Fulfillment", 12: "Manual Verification Required", 13: "Disputed", 14: "Partially Refunded",
}

// orderJSON renders an order as GET /v2/orders/{id} does.
func (f *fakeStore) orderJSON(o *storeOrder) map[string]any {
	m := maps.Clone(f.orderTmpl)
	m["id"] = o.id
	m["customer_id"] = o.customerID
	m["status_id"] = o.status
	m["status"] = bcStatusNames[o.status]
	m["date_created"] = o.created.Format(time.RFC1123Z)
	m["date_modified"] = o.modified.Format(time.RFC1123Z)
	m["date_shipped"] = ""
	if !o.shipped.IsZero() {
		m["date_shipped"] = o.shipped.Format(time.RFC1123Z)
	}
	billing := maps.Clone(f.orderTmpl["billing_address"].(map[string]any))
	billing["email"] = o.email
	m["billing_address"] = billing
	m["products"] = map[string]any{"url": f.srv.URL + "/abcde/v2/orders/" + strconv.Itoa(o.id) + "/products", "resource": "/orders/" + strconv.Itoa(o.id) + "/products"}
	return m
}

// customerJSON renders a customer as GET /v3/customers does.
func (f *fakeStore) customerJSON(c *storeCustomer) map[string]any {
	m := maps.Clone(f.custTmpl)
	m["id"] = c.id
	m["email"] = c.email
	m["date_created"] = c.created.Format(time.RFC3339)
	m["date_modified"] = c.modified.Format(time.RFC3339)
	return m
}

func (f *fakeStore) serve(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/abcde")
	f.mu.Lock()
	f.requests = append(f.requests, path+"?"+r.URL.RawQuery)
	if q := f.injected[path]; len(q) > 0 {
		rp := q[0]
		f.injected[path] = q[1:]
		f.mu.Unlock()
		for k, v := range rp.header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(rp.status)
		_, _ = w.Write(rp.body)
		return
	}
	defer f.mu.Unlock()
	if r.Header.Get(HeaderAuthToken) != f.token || !strings.HasPrefix(r.URL.Path, "/abcde/") {
		bcJSON(w, http.StatusUnauthorized, map[string]any{"status": 401, "title": "Unauthorized"})
		return
	}
	q := r.URL.Query()
	parts := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case path == "/v2/orders":
		f.listOrders(w, q)
	case len(parts) == 3 && parts[0] == "v2" && parts[1] == "orders":
		id, _ := strconv.Atoi(parts[2])
		if o, ok := f.orders[id]; ok {
			bcJSON(w, http.StatusOK, f.orderJSON(o))
			return
		}
		bcJSON(w, http.StatusNotFound, []map[string]any{{"status": 404, "message": "The requested resource was not found."}})
	case len(parts) == 4 && parts[0] == "v2" && parts[1] == "orders" && parts[3] == "products":
		id, _ := strconv.Atoi(parts[2])
		if _, ok := f.orders[id]; !ok {
			bcJSON(w, http.StatusNotFound, []map[string]any{{"status": 404}})
			return
		}
		if q.Get("page") != "1" {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(f.products)
	case path == "/v3/customers":
		f.listCustomers(w, q)
	default:
		bcJSON(w, http.StatusNotFound, map[string]any{"status": 404, "title": "The requested resource was not found."})
	}
}

// parseBCDate reads a date filter in the forms the API documents.
func parseBCDate(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC1123Z, time.RFC3339} {
		if v, err := time.Parse(layout, s); err == nil {
			return v, true
		}
	}
	v, err := time.ParseInLocation("2006-01-02T15:04:05", s, time.UTC)
	return v, err == nil
}

// window reads a pair of inclusive date filters; ok is false (and the test
// failed) when one is not a documented date.
func (f *fakeStore) window(minV, maxV string) (lo, hi time.Time, ok bool) {
	okLo, okHi := true, true
	if minV != "" {
		lo, okLo = parseBCDate(minV)
	}
	if maxV != "" {
		hi, okHi = parseBCDate(maxV)
	}
	if !okLo || !okHi {
		f.t.Errorf("date filters %q, %q are not in a documented form", minV, maxV)
	}
	return lo, hi, okLo && okHi
}

// badRequest fails the test from the server's goroutine and answers 400.
func (f *fakeStore) badRequest(w http.ResponseWriter, format string, args ...any) {
	f.t.Errorf(format, args...)
	bcJSON(w, http.StatusBadRequest, map[string]any{"status": 400, "title": "Bad request"})
}

func inRange(t, lo, hi time.Time) bool {
	return (lo.IsZero() || !t.Before(lo)) && (hi.IsZero() || !t.After(hi))
}

// pageOf reads limit and page and returns the bounds of that page.
func pageOf(q map[string][]string, n int) (start, end, page, limit int) {
	get := func(k string, def int) int {
		if v, ok := q[k]; ok && len(v) > 0 {
			if i, err := strconv.Atoi(v[0]); err == nil && i > 0 {
				return i
			}
		}
		return def
	}
	limit, page = min(get("limit", 50), 250), get("page", 1)
	start = min((page-1)*limit, n)
	return start, min(start+limit, n), page, limit
}

func (f *fakeStore) listOrders(w http.ResponseWriter, q map[string][]string) {
	first := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	if first("sort") != "date_modified:asc" {
		f.badRequest(w, "order list sorted by %q", first("sort"))
		return
	}
	lo, hi, ok := f.window(first("min_date_modified"), first("max_date_modified"))
	if !ok {
		bcJSON(w, http.StatusBadRequest, map[string]any{"status": 400})
		return
	}
	var match []*storeOrder
	for _, o := range f.orders {
		if inRange(o.modified, lo, hi) {
			match = append(match, o)
		}
	}
	slices.SortFunc(match, func(a, b *storeOrder) int {
		if c := a.modified.Compare(b.modified); c != 0 {
			return c
		}
		return a.id - b.id
	})
	start, end, page, _ := pageOf(q, len(match))
	out := make([]map[string]any, 0, end-start)
	for _, o := range match[start:end] {
		out = append(out, f.orderJSON(o))
	}
	if f.afterList != nil {
		f.afterList(page)
	}
	if len(out) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	bcJSON(w, http.StatusOK, out)
}

func (f *fakeStore) listCustomers(w http.ResponseWriter, q map[string][]string) {
	first := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	var match []*storeCustomer
	if ids := first("id:in"); ids != "" {
		for s := range strings.SplitSeq(ids, ",") {
			id, _ := strconv.Atoi(s)
			if c, ok := f.customers[id]; ok {
				match = append(match, c)
			}
		}
	} else {
		if first("sort") != "date_modified:asc" {
			f.badRequest(w, "customer list sorted by %q", first("sort"))
			return
		}
		lo, hi, ok := f.window(first("date_modified:min"), first("date_modified:max"))
		if !ok {
			bcJSON(w, http.StatusBadRequest, map[string]any{"status": 400})
			return
		}
		for _, c := range f.customers {
			if inRange(c.modified, lo, hi) {
				match = append(match, c)
			}
		}
		slices.SortFunc(match, func(a, b *storeCustomer) int {
			if c := a.modified.Compare(b.modified); c != 0 {
				return c
			}
			return a.id - b.id
		})
	}
	start, end, page, limit := pageOf(q, len(match))
	data := make([]map[string]any, 0, end-start)
	for _, c := range match[start:end] {
		data = append(data, f.customerJSON(c))
	}
	total := (len(match) + limit - 1) / limit
	bcJSON(w, http.StatusOK, map[string]any{"data": data, "meta": map[string]any{"pagination": map[string]any{
		"total": len(match), "count": len(data), "per_page": limit, "current_page": page, "total_pages": total,
	}}})
}

func bcJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
