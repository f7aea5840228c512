package shopify_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeShopify answers as Shopify's documented endpoints do, for many shops
// under http://127.0.0.1:PORT/{shop}: the token endpoint (authorization code
// with expiring=1, refresh_token rotation) and the GraphQL Admin API
// (webhookSubscriptions, webhookSubscriptionCreate, webhookSubscriptionUpdate,
// shop; and the poller's orders, abandonedCheckouts, customers and node
// queries, answered from in-memory nodes with paging, search on updated_at,
// the cost extension and THROTTLED answers on demand).
type fakeShopify struct {
	srv    *httptest.Server
	apiKey string
	secret string

	mu sync.Mutex
	// granted is the scope list the token endpoint answers with.
	granted string
	// codes maps an issued authorization code to its shop.
	codes map[string]string
	shops map[string]*fakeShop
	// denied topics get a user error from webhookSubscriptionCreate.
	denied map[string]bool
	// refreshStatus, when set, is the status of every refresh.
	refreshStatus int
	// pageCap bounds a webhookSubscriptions page.
	pageCap      int
	seq          int
	exchanges    int
	refreshes    int
	lastExchange map[string]any
	// poll is the poller's side of the fake.
	poll fakePoll
}

// fakeShop is one shop's state at the fake.
type fakeShop struct {
	access, refresh string
	subs            []fakeSub
	name, email     string
	timezone        string
	// nodes are the shop's orders, abandonedCheckouts and customers, by
	// connection name.
	nodes map[string][]fakeNode
}

// fakeSub is one webhook subscription.
type fakeSub struct {
	ID, Topic, URI, Format string
}

func newFakeShopify(tb testing.TB, apiKey, secret string) *fakeShopify {
	tb.Helper()
	f := &fakeShopify{
		apiKey: apiKey, secret: secret,
		granted: "read_customers,read_fulfillments,read_orders,read_products,write_discounts",
		codes:   map[string]string{}, shops: map[string]*fakeShop{}, denied: map[string]bool{},
		pageCap: 250,
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{shop}/admin/oauth/authorize", func(w http.ResponseWriter, r *http.Request) {
		// The merchant's consent page: the test approves through approve.
		_, _ = fmt.Fprint(w, "<html><body>Install app?</body></html>")
	})
	mux.HandleFunc("POST /{shop}/admin/oauth/access_token", f.accessToken)
	mux.HandleFunc("POST /{shop}/admin/api/2026-07/graphql.json", f.graphql)
	f.srv = httptest.NewServer(mux)
	tb.Cleanup(f.srv.Close)
	return f
}

// shopURL is BOOMERANG_SHOPIFY_URL for the fake.
func (f *fakeShopify) shopURL() string { return f.srv.URL + "/{shop}" }

// shop returns (creating) a shop's state; f.mu must be held.
func (f *fakeShopify) shop(domain string) *fakeShop {
	s, ok := f.shops[domain]
	if !ok {
		s = &fakeShop{name: "Acme & Co", email: "owner@acme.example", timezone: "Europe/Paris"}
		f.shops[domain] = s
	}
	return s
}

// next returns a new sequence number; f.mu must be held.
func (f *fakeShopify) next() int {
	f.seq++
	return f.seq
}

// approve is the merchant approving the app: Shopify issues a code.
func (f *fakeShopify) approve(domain string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	code := fmt.Sprintf("code%08d", f.next())
	f.codes[code] = domain
	return code
}

// setTokens makes access and refresh a shop's current tokens.
func (f *fakeShopify) setTokens(domain, access, refresh string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.shop(domain)
	s.access, s.refresh = access, refresh
}

// tokens returns a shop's current tokens.
func (f *fakeShopify) tokens(domain string) (access, refresh string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.shop(domain)
	return s.access, s.refresh
}

// addHookSub adds a subscription to hookDomain as if made earlier.
func (f *fakeShopify) addHookSub(topic, uri, format string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.shop(hookDomain)
	s.subs = append(s.subs, fakeSub{ID: fmt.Sprintf("gid://shopify/WebhookSubscription/%d", f.next()), Topic: topic, URI: uri, Format: format})
}

// subs returns a shop's subscriptions.
func (f *fakeShopify) subs(domain string) []fakeSub {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.shop(domain).subs)
}

func (f *fakeShopify) counts() (exchanges, refreshes int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.exchanges, f.refreshes
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// accessToken is POST /admin/oauth/access_token.
func (f *fakeShopify) accessToken(w http.ResponseWriter, r *http.Request) {
	domain := r.PathValue("shop")
	var body map[string]any
	if r.Header.Get("Content-Type") != "application/json" || json.NewDecoder(r.Body).Decode(&body) != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "body must be JSON"})
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if body["client_id"] != f.apiKey || body["client_secret"] != f.secret {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client", "error_description": "Client authentication failed"})
		return
	}
	s := f.shop(domain)
	if body["grant_type"] == "refresh_token" {
		f.refreshes++
		if f.refreshStatus != 0 {
			writeJSON(w, f.refreshStatus, map[string]string{"error": "invalid_token", "error_description": "The refresh token was revoked"})
			return
		}
		if rt, _ := body["refresh_token"].(string); rt == "" || rt != s.refresh {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": "The refresh token is invalid or expired"})
			return
		}
		f.issue(w, s, true)
		return
	}
	f.exchanges++
	f.lastExchange = body
	code, _ := body["code"].(string)
	if f.codes[code] != domain {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "The authorization code was not found or was already used"})
		return
	}
	delete(f.codes, code)
	f.issue(w, s, body["expiring"] == "1")
}

// issue answers a new token for s; expiring adds the refresh token and the
// lifetimes. f.mu must be held.
func (f *fakeShopify) issue(w http.ResponseWriter, s *fakeShop, expiring bool) {
	n := f.next()
	s.access = fmt.Sprintf("shpat_access%06d", n)
	answer := map[string]any{"access_token": s.access, "scope": f.granted}
	if expiring {
		s.refresh = fmt.Sprintf("shprt_refresh%06d", n)
		answer["expires_in"] = 3600
		answer["refresh_token"] = s.refresh
		answer["refresh_token_expires_in"] = 7776000
	}
	writeJSON(w, http.StatusOK, answer)
}

// graphql is POST /admin/api/2026-07/graphql.json.
func (f *fakeShopify) graphql(w http.ResponseWriter, r *http.Request) {
	domain := r.PathValue("shop")
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.poll.gone[domain] {
		writeJSON(w, http.StatusNotFound, map[string]string{"errors": "Not Found"})
		return
	}
	s := f.shop(domain)
	if tok := r.Header.Get("X-Shopify-Access-Token"); tok == "" || tok != s.access {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"})
		return
	}
	var req struct {
		Query     string         `json:"query"`
		Variables map[string]any `json:"variables"`
	}
	if json.NewDecoder(r.Body).Decode(&req) != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"errors": "body must be JSON"})
		return
	}
	data := func(v any) { writeJSON(w, http.StatusOK, map[string]any{"data": v}) }
	node := func(sub fakeSub) map[string]any {
		return map[string]any{"id": sub.ID, "topic": sub.Topic, "uri": sub.URI, "format": sub.Format}
	}
	switch q := req.Query; {
	case strings.Contains(q, "node(id:"), strings.Contains(q, "orders(first:"),
		strings.Contains(q, "abandonedCheckouts(first:"), strings.Contains(q, "customers(first:"):
		f.pollQuery(w, s, q, req.Variables)
	case strings.Contains(q, "webhookSubscriptionCreate("):
		topic, _ := req.Variables["topic"].(string)
		in, _ := req.Variables["webhookSubscription"].(map[string]any)
		uri, _ := in["uri"].(string)
		format, _ := in["format"].(string)
		if f.denied[topic] {
			data(map[string]any{"webhookSubscriptionCreate": map[string]any{
				"webhookSubscription": nil,
				"userErrors": []map[string]any{{
					"field":   []string{"webhookSubscription"},
					"message": "You do not have permission to create or update webhooks with " + topic + " topic.",
				}},
			}})
			return
		}
		sub := fakeSub{ID: fmt.Sprintf("gid://shopify/WebhookSubscription/%d", f.next()), Topic: topic, URI: uri, Format: format}
		s.subs = append(s.subs, sub)
		data(map[string]any{"webhookSubscriptionCreate": map[string]any{"webhookSubscription": node(sub), "userErrors": []any{}}})
	case strings.Contains(q, "webhookSubscriptionUpdate("):
		id, _ := req.Variables["id"].(string)
		in, _ := req.Variables["webhookSubscription"].(map[string]any)
		i := slices.IndexFunc(s.subs, func(x fakeSub) bool { return x.ID == id })
		if i < 0 {
			data(map[string]any{"webhookSubscriptionUpdate": map[string]any{
				"webhookSubscription": nil,
				"userErrors":          []map[string]any{{"field": []string{"id"}, "message": "Webhook subscription does not exist"}},
			}})
			return
		}
		if uri, ok := in["uri"].(string); ok {
			s.subs[i].URI = uri
		}
		if format, ok := in["format"].(string); ok {
			s.subs[i].Format = format
		}
		data(map[string]any{"webhookSubscriptionUpdate": map[string]any{"webhookSubscription": node(s.subs[i]), "userErrors": []any{}}})
	case strings.Contains(q, "webhookSubscriptions("):
		first, _ := req.Variables["first"].(float64)
		start := 0
		if after, ok := req.Variables["after"].(string); ok {
			start, _ = strconv.Atoi(after)
		}
		n := min(int(first), f.pageCap)
		end := min(start+n, len(s.subs))
		nodes := []map[string]any{}
		for _, sub := range s.subs[start:end] {
			nodes = append(nodes, node(sub))
		}
		var cursor any
		if end > start {
			cursor = strconv.Itoa(end)
		}
		data(map[string]any{"webhookSubscriptions": map[string]any{
			"nodes":    nodes,
			"pageInfo": map[string]any{"hasNextPage": end < len(s.subs), "endCursor": cursor},
		}})
	case strings.Contains(q, "shop {"):
		data(map[string]any{"shop": map[string]any{"name": s.name, "email": s.email, "contactEmail": "hello@acme.example", "ianaTimezone": s.timezone}})
	default:
		writeJSON(w, http.StatusOK, map[string]any{"errors": []map[string]any{{"message": "Field doesn't exist", "extensions": map[string]any{"code": "undefinedField"}}}})
	}
}

// fakePoll is the poller's side of the fake: what it answers and what it saw.
type fakePoll struct {
	// gone shops answer 404 to every GraphQL call.
	gone map[string]bool
	// throttle is how many of the next poll queries get a THROTTLED answer.
	throttle int
	// throttled is called (f.mu held) after each THROTTLED answer.
	throttled func()
	// denied answers ACCESS_DENIED to every poll query.
	denied bool
	// cost is the extensions.cost of every answer; served answers take
	// their throttleStatus from served when set.
	cost   fakeCost
	served []fakeCost
	// calls counts the poll queries by root field (node for line items),
	// throttled and refused ones included.
	calls map[string]int
	// vars are the variables of every poll query, in order.
	vars []map[string]any
}

// fakeCost is a query's cost as Shopify reports it.
type fakeCost struct {
	requested, available, restore float64
}

func (c fakeCost) json() map[string]any {
	return map[string]any{"cost": map[string]any{
		"requestedQueryCost": c.requested, "actualQueryCost": c.requested / 2,
		"throttleStatus": map[string]any{"maximumAvailable": 2000.0, "currentlyAvailable": c.available, "restoreRate": c.restore},
	}}
}

// fakeNode is one order, abandoned checkout or customer, in GraphQL shape
// without its id, updatedAt and lineItems, which the fake adds.
type fakeNode struct {
	// GID is the node's global id.
	GID string
	// UpdatedAt drives the search, the sort and the node's updatedAt.
	UpdatedAt time.Time
	// Fields are the node's other fields as GraphQL answers them.
	Fields map[string]any
	// LineItems, when not nil, is the lineItems connection's nodes.
	LineItems []map[string]any
}

// addNodes gives a shop nodes of a connection (orders, abandonedCheckouts,
// customers).
func (f *fakeShopify) addNodes(domain, root string, nodes ...fakeNode) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.shop(domain)
	if s.nodes == nil {
		s.nodes = map[string][]fakeNode{}
	}
	s.nodes[root] = append(s.nodes[root], nodes...)
}

// setPoll changes the poll settings under the lock.
func (f *fakeShopify) setPoll(change func(p *fakePoll)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	change(&f.poll)
}

// pollCalls returns how many poll queries named root were answered.
func (f *fakeShopify) pollCalls(root string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.poll.calls[root]
}

// pollVars returns the variables of every poll query so far.
func (f *fakeShopify) pollVars() []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.poll.vars)
}

// searchTerm is one updated_at comparison of Shopify's search syntax, as the
// poller writes it: updated_at:>='2026-09-01T10:00:00Z'.
var searchTerm = regexp.MustCompile(`^updated_at:(>=|<=|>|<)'([^']+)'$`)

// matchSearch reports whether t passes every term of query; ok is false for
// a query the fake does not understand.
func matchSearch(query string, t time.Time) (match, ok bool) {
	match = true
	for term := range strings.FieldsSeq(query) {
		m := searchTerm.FindStringSubmatch(term)
		if m == nil {
			return false, false
		}
		at, err := time.Parse(time.RFC3339, m[2])
		if err != nil {
			return false, false
		}
		switch m[1] {
		case ">=":
			match = match && !t.Before(at)
		case ">":
			match = match && t.After(at)
		case "<=":
			match = match && !t.After(at)
		case "<":
			match = match && t.Before(at)
		}
	}
	return match, true
}

// render is a node as GraphQL answers it; lineItems pages its line items
// with first.
func (n fakeNode) render(lineItems int) map[string]any {
	out := maps.Clone(n.Fields)
	out["id"] = n.GID
	out["updatedAt"] = n.UpdatedAt.UTC().Format(time.RFC3339Nano)
	if n.LineItems != nil {
		out["lineItems"] = pageOf(n.LineItems, 0, lineItems)
	}
	return out
}

// pageOf is the connection page of items starting at start.
func pageOf(items []map[string]any, start, first int) map[string]any {
	start = min(start, len(items))
	end := min(start+first, len(items))
	var cursor any
	if end > start {
		cursor = "cursor:" + strconv.Itoa(end)
	}
	return map[string]any{
		"nodes":    slices.Clone(items[start:end]),
		"pageInfo": map[string]any{"hasNextPage": end < len(items), "endCursor": cursor},
	}
}

// cursorStart reads an "after" variable written by pageOf.
func cursorStart(v any) (int, bool) {
	if v == nil {
		return 0, true
	}
	s, ok := v.(string)
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimPrefix(s, "cursor:"))
	return n, err == nil && strings.HasPrefix(s, "cursor:")
}

// pollQuery answers the poller's queries; f.mu is held.
func (f *fakeShopify) pollQuery(w http.ResponseWriter, s *fakeShop, q string, vars map[string]any) {
	gqlError := func(code, msg string) {
		writeJSON(w, http.StatusOK, map[string]any{
			"errors":     []map[string]any{{"message": msg, "extensions": map[string]any{"code": code}}},
			"extensions": f.poll.cost.json(),
		})
	}
	root := "node"
	for _, r := range []string{"orders", "abandonedCheckouts", "customers"} {
		if strings.Contains(q, r+"(first:") {
			root = r
		}
	}
	if f.poll.calls == nil {
		f.poll.calls = map[string]int{}
	}
	f.poll.calls[root]++
	f.poll.vars = append(f.poll.vars, maps.Clone(vars))
	if f.poll.denied {
		gqlError("ACCESS_DENIED", "Access denied for orders field. Required access: `read_orders` access scope.")
		return
	}
	if f.poll.throttle > 0 {
		f.poll.throttle--
		gqlError("THROTTLED", "Throttled")
		if f.poll.throttled != nil {
			f.poll.throttled()
		}
		return
	}
	cost := f.poll.cost
	if len(f.poll.served) > 0 {
		cost, f.poll.served = f.poll.served[0], f.poll.served[1:]
	}
	answer := func(data map[string]any) {
		writeJSON(w, http.StatusOK, map[string]any{"data": data, "extensions": cost.json()})
	}
	first, _ := vars["first"].(float64)
	start, ok := cursorStart(vars["after"])
	if first < 1 || first > 250 || !ok {
		gqlError("BAD_REQUEST", "first must be within 1 to 250 and after a cursor of this connection")
		return
	}
	if root == "node" {
		id, _ := vars["id"].(string)
		for _, nodes := range s.nodes {
			for _, n := range nodes {
				if n.GID == id && n.LineItems != nil {
					answer(map[string]any{"node": map[string]any{"lineItems": pageOf(n.LineItems, start, int(first))}})
					return
				}
			}
		}
		answer(map[string]any{"node": nil})
		return
	}
	if root != "abandonedCheckouts" && !strings.Contains(q, "sortKey: UPDATED_AT") {
		gqlError("BAD_REQUEST", "the fake expects sortKey: UPDATED_AT")
		return
	}
	search, _ := vars["query"].(string)
	var matched []fakeNode
	for _, n := range s.nodes[root] {
		match, ok := matchSearch(search, n.UpdatedAt)
		if !ok {
			gqlError("BAD_REQUEST", "the fake does not understand the search query "+strconv.Quote(search))
			return
		}
		if match {
			matched = append(matched, n)
		}
	}
	if root == "abandonedCheckouts" {
		// AbandonedCheckoutSortKeys has no UPDATED_AT: the default is the id.
		slices.SortStableFunc(matched, func(a, b fakeNode) int { return strings.Compare(a.GID, b.GID) })
	} else {
		slices.SortStableFunc(matched, func(a, b fakeNode) int { return a.UpdatedAt.Compare(b.UpdatedAt) })
	}
	lineItems, _ := vars["lineItems"].(float64)
	rendered := make([]map[string]any, 0, len(matched))
	for _, n := range matched {
		rendered = append(rendered, n.render(int(lineItems)))
	}
	answer(map[string]any{root: pageOf(rendered, start, int(first))})
}
