package storefront_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/boomerang-dev/boomerang/adapters/storefront"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// sentEvent is one Publish call, its bytes decoded.
type sentEvent struct {
	subject, msgID string
	ev             *event.Event
}

// recorder is a Publisher that keeps every call and fails with err when
// set.
type recorder struct {
	mu   sync.Mutex
	sent []sentEvent
	err  error
}

func (r *recorder) Publish(_ context.Context, subject, msgID string, data []byte) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return false, r.err
	}
	var ev event.Event
	if err := json.Unmarshal(data, &ev); err != nil {
		return false, err
	}
	r.sent = append(r.sent, sentEvent{subject: subject, msgID: msgID, ev: &ev})
	return false, nil
}

func (r *recorder) all() []sentEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]sentEvent(nil), r.sent...)
}

// clock is a fake clock the test moves.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var start = time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)

type testBundle struct {
	mux   *http.ServeMux
	pub   *recorder
	clock *clock
}

func setup(t *testing.T, opts ...func(*storefront.Config)) *testBundle {
	t.Helper()
	b := &testBundle{mux: http.NewServeMux(), pub: &recorder{}, clock: &clock{t: start}}
	cfg := storefront.Config{
		Shops: func(key string) (string, bool) {
			if key == "pk_demo" {
				return "demo", true
			}
			return "", false
		},
		Publisher: b.pub,
		Now:       b.clock.Now,
	}
	for _, o := range opts {
		o(&cfg)
	}
	require.NoError(t, storefront.Mount(b.mux, cfg))
	return b
}

// post sends body to /track from ip with contentType.
func (b *testBundle) post(body, contentType, ip string) *httptest.ResponseRecorder {
	req := httptest.NewRequestWithContext(context.Background(), http.MethodPost, "/track", strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.RemoteAddr = ip + ":51000"
	rec := httptest.NewRecorder()
	b.mux.ServeHTTP(rec, req)
	return rec
}

const (
	viewBody = `{"key":"pk_demo","type":"product.viewed","visitor":"v-123","email":" Ann@Example.com ",
		"occurred_at":"2026-07-01T11:58:00Z","product":{"id":7993214468283,"variant_id":"43960883077307",
		"title":"Blue mug","url":"https://shop.example/products/mug","image_url":"//cdn.shopify.com/mug.jpg",
		"price":"18.00","currency":"usd"}}`
	itemBody = `{"key":"pk_demo","type":"cart.item_added","visitor":"v-123","phone":"+1 (500) 555-0006",
		"item":{"product_id":"p1","variant_id":"v1","title":"Mug","quantity":2,"price":18},
		"cart":{"token":"cart-1","currency":"EUR"}}`
	// cartBody is what the snippet sends from a Shopify store's /cart.js.
	cartBody = `{"key":"pk_demo","type":"cart.updated","visitor":"8ccae456-9b32-412b-a1e5-5444c153cc65",
		"occurred_at":"2026-07-01T12:00:30.5Z","email":"bob@example.com","cart":{"token":"c1-abc","currency":"USD",
		"total":"36.00","recovery_url":"https://shop.example/cart/2:2","line_items":[{"id":"2:abc","product_id":1,
		"variant_id":2,"sku":null,"title":"Mug","variant_title":"Blue","quantity":2,"price":"18.00",
		"url":"https://shop.example/products/mug?variant=2","image_url":"https://cdn.shopify.com/mug.jpg"}]}}`
)

func TestTrackMapsEachTypeToItsCanonicalEvent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		body     string
		typ      event.Type
		customer *event.Customer
		occurred time.Time
		data     any
	}{
		{
			name: "product viewed", body: viewBody, typ: event.ProductViewed,
			customer: &event.Customer{Email: "ann@example.com"},
			occurred: time.Date(2026, 7, 1, 11, 58, 0, 0, time.UTC),
			data: &event.ProductView{
				ProductID: "7993214468283", VariantID: "43960883077307", Title: "Blue mug",
				URL: "https://shop.example/products/mug", ImageURL: "https://cdn.shopify.com/mug.jpg",
				Price: "18.00", Currency: "USD",
			},
		},
		{
			name: "item added", body: itemBody, typ: event.CartItemAdded,
			customer: &event.Customer{Phone: "+15005550006"},
			occurred: start,
			data: &event.CartItem{
				CartToken: "cart-1", Currency: "EUR",
				Item: event.LineItem{ProductID: "p1", VariantID: "v1", Title: "Mug", Quantity: 2, Price: "18"},
			},
		},
		{
			name: "cart updated with the typed email", body: cartBody, typ: event.CartUpdated,
			customer: &event.Customer{Email: "bob@example.com"},
			occurred: time.Date(2026, 7, 1, 12, 0, 30, 500_000_000, time.UTC),
			data: &event.Cart{
				ID: "c1-abc", Token: "c1-abc", Email: "bob@example.com", Currency: "USD", Total: "36.00",
				RecoveryURL: "https://shop.example/cart/2:2",
				LineItems: []event.LineItem{{
					ID: "2:abc", ProductID: "1", VariantID: "2", Title: "Mug", VariantTitle: "Blue", Quantity: 2,
					Price: "18.00", URL: "https://shop.example/products/mug?variant=2", ImageURL: "https://cdn.shopify.com/mug.jpg",
				}},
				UpdatedAt: time.Date(2026, 7, 1, 12, 0, 30, 500_000_000, time.UTC),
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			rec := b.post(tc.body, "application/json", "203.0.113.7")
			require.Equal(t, http.StatusNoContent, rec.Code, rec.Body.String())
			require.Equal(t, "*", rec.Header().Get("Access-Control-Allow-Origin"))
			sent := b.pub.all()
			require.Len(t, sent, 1)
			ev := sent[0].ev
			require.NoError(t, ev.Validate())
			require.Equal(t, "events.demo."+string(tc.typ), sent[0].subject)
			require.Equal(t, ev.ID, sent[0].msgID)
			require.Equal(t, tc.typ, ev.Type)
			require.Equal(t, "demo", ev.Shop)
			require.Equal(t, event.PlatformBoomerang, ev.Platform)
			require.Equal(t, tc.customer, ev.Customer)
			require.Equal(t, tc.occurred, ev.OccurredAt)
			require.Equal(t, start, ev.ReceivedAt)
			require.Equal(t, "track", ev.Source.Topic)
			require.Equal(t, tc.data, ev.Data)
			require.NotEmpty(t, ev.Key)
		})
	}
}

func TestTrackCORS(t *testing.T) {
	t.Parallel()
	b := setup(t)
	req := httptest.NewRequestWithContext(context.Background(), http.MethodOptions, "/track", nil)
	req.Header.Set("Origin", "https://shop.example")
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "content-type")
	rec := httptest.NewRecorder()
	b.mux.ServeHTTP(rec, req)
	require.Equal(t, http.StatusNoContent, rec.Code)
	require.Equal(t, "*", rec.Header().Get("Access-Control-Allow-Origin"))
	require.Contains(t, rec.Header().Get("Access-Control-Allow-Methods"), "POST")
	require.Equal(t, "Content-Type", rec.Header().Get("Access-Control-Allow-Headers"))
	require.NotEmpty(t, rec.Header().Get("Access-Control-Max-Age"))

	rec = b.post(`{`, "application/json", "203.0.113.7")
	require.Equal(t, "*", rec.Header().Get("Access-Control-Allow-Origin"), "errors are readable cross-origin too")
}

func TestTrackTextPlainBody(t *testing.T) {
	t.Parallel()
	b := setup(t)
	// navigator.sendBeacon(url, string) sends this content type.
	rec := b.post(viewBody, "text/plain;charset=UTF-8", "203.0.113.7")
	require.Equal(t, http.StatusNoContent, rec.Code, rec.Body.String())
	rec = b.post(viewBody, "", "203.0.113.7")
	require.Equal(t, http.StatusNoContent, rec.Code, rec.Body.String())
	require.Len(t, b.pub.all(), 2)

	rec = b.post(viewBody, "application/x-www-form-urlencoded", "203.0.113.7")
	require.Equal(t, http.StatusUnsupportedMediaType, rec.Code)
	require.Len(t, b.pub.all(), 2)
}

func errorOf(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	require.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	var e struct {
		Error string `json:"error"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &e))
	require.NotEmpty(t, e.Error)
	return e.Error
}

func TestTrackRefusals(t *testing.T) {
	t.Parallel()
	const ok = `"key":"pk_demo","visitor":"v1","email":"ann@example.com"`
	tests := []struct {
		name   string
		body   string
		status int
		error  string
	}{
		{"malformed JSON", `{"key":`, http.StatusBadRequest, "malformed JSON"},
		{"not an object", `[1,2]`, http.StatusBadRequest, "malformed JSON"},
		{"data after the object", `{` + ok + `,"type":"cart.updated","cart":{"token":"c"}} {}`, http.StatusBadRequest, "data after"},
		{"wrong field type", `{` + ok + `,"type":"cart.updated","cart":{"token":"c","line_items":[{"quantity":"two"}]}}`, http.StatusBadRequest, "wrong type"},
		{"unknown type", `{` + ok + `,"type":"order.placed"}`, http.StatusBadRequest, `unknown type "order.placed"`},
		{"no key", `{"visitor":"v1","type":"product.viewed","product":{"id":"1"}}`, http.StatusBadRequest, "key is required"},
		{"no visitor", `{"key":"pk_demo","type":"product.viewed","product":{"id":"1"}}`, http.StatusBadRequest, "visitor"},
		{"bad email", `{"key":"pk_demo","visitor":"v1","email":"Ann <ann@example.com>","type":"product.viewed","product":{"id":"1"}}`, http.StatusBadRequest, "email"},
		{"bad phone", `{"key":"pk_demo","visitor":"v1","phone":"call me","type":"product.viewed","product":{"id":"1"}}`, http.StatusBadRequest, "phone"},
		{"view without product", `{` + ok + `,"type":"product.viewed"}`, http.StatusBadRequest, "needs product"},
		{"product without id", `{` + ok + `,"type":"product.viewed","product":{"title":"Mug"}}`, http.StatusBadRequest, "product.id is required"},
		{"float-ish price", `{` + ok + `,"type":"product.viewed","product":{"id":"1","price":1e3}}`, http.StatusBadRequest, "decimal"},
		{"script url", `{` + ok + `,"type":"product.viewed","product":{"id":"1","url":"javascript:alert(1)"}}`, http.StatusBadRequest, "http(s) URL"},
		{"bad currency", `{` + ok + `,"type":"product.viewed","product":{"id":"1","currency":"dollars"}}`, http.StatusBadRequest, "ISO 4217"},
		{"item without ids", `{` + ok + `,"type":"cart.item_added","item":{"title":"Mug"}}`, http.StatusBadRequest, "product_id, variant_id or id"},
		{"cart without token", `{` + ok + `,"type":"cart.updated","cart":{"line_items":[]}}`, http.StatusBadRequest, "cart.token is required"},
		{"negative quantity", `{` + ok + `,"type":"cart.updated","cart":{"token":"c","line_items":[{"id":"1","quantity":-1}]}}`, http.StatusBadRequest, "quantity"},
		{"bad time", `{` + ok + `,"occurred_at":"yesterday","type":"product.viewed","product":{"id":"1"}}`, http.StatusBadRequest, "RFC 3339"},
		{"unknown key", `{"key":"pk_other","visitor":"v1","email":"ann@example.com","type":"product.viewed","product":{"id":"1"}}`, http.StatusNotFound, "unknown key"},
		{"too large", `{"key":"pk_demo","pad":"` + strings.Repeat("x", storefront.DefaultMaxBody) + `"}`, http.StatusRequestEntityTooLarge, "bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			rec := b.post(tc.body, "application/json", "203.0.113.7")
			require.Equal(t, tc.status, rec.Code, rec.Body.String())
			require.Contains(t, errorOf(t, rec), tc.error)
			require.Empty(t, b.pub.all())
		})
	}
}

func TestTrackAnonymousIsAcceptedNotPublished(t *testing.T) {
	t.Parallel()
	b := setup(t)
	rec := b.post(`{"key":"pk_demo","type":"product.viewed","visitor":"v1","product":{"id":"1"}}`, "text/plain", "203.0.113.7")
	require.Equal(t, http.StatusNoContent, rec.Code)
	require.Empty(t, b.pub.all())
}

func TestTrackPublishFailureIs503(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.pub.err = errors.New("nats: timeout")
	rec := b.post(viewBody, "application/json", "203.0.113.7")
	require.Equal(t, http.StatusServiceUnavailable, rec.Code)
	require.Equal(t, "temporarily unavailable", errorOf(t, rec))
}

func TestTrackRateLimits(t *testing.T) {
	t.Parallel()
	t.Run("per IP", func(t *testing.T) {
		t.Parallel()
		b := setup(t, func(c *storefront.Config) { c.IPRate, c.IPBurst = 1, 2 })
		for range 2 {
			require.Equal(t, http.StatusNoContent, b.post(viewBody, "", "203.0.113.7").Code)
		}
		rec := b.post(viewBody, "", "203.0.113.7")
		require.Equal(t, http.StatusTooManyRequests, rec.Code)
		require.Equal(t, "1", rec.Header().Get("Retry-After"))
		require.Equal(t, "rate limited", errorOf(t, rec))
		require.Equal(t, http.StatusNoContent, b.post(viewBody, "", "198.51.100.1").Code, "another IP has its own limit")
		b.clock.Add(time.Second)
		require.Equal(t, http.StatusNoContent, b.post(viewBody, "", "203.0.113.7").Code, "a token came back")
		require.Len(t, b.pub.all(), 4)
	})
	t.Run("per key", func(t *testing.T) {
		t.Parallel()
		b := setup(t, func(c *storefront.Config) { c.KeyRate, c.KeyBurst = 0.2, 1 })
		require.Equal(t, http.StatusNoContent, b.post(viewBody, "", "203.0.113.7").Code)
		rec := b.post(viewBody, "", "198.51.100.1")
		require.Equal(t, http.StatusTooManyRequests, rec.Code)
		require.Equal(t, "5", rec.Header().Get("Retry-After"))
		rec = b.post(strings.Replace(viewBody, "pk_demo", "pk_nope", 1), "", "198.51.100.1")
		require.Equal(t, http.StatusNotFound, rec.Code, "an unknown key is refused before the key limit")
		b.clock.Add(5 * time.Second)
		require.Equal(t, http.StatusNoContent, b.post(viewBody, "", "198.51.100.1").Code)
		require.Len(t, b.pub.all(), 2)
	})
	t.Run("client IP from the configured function", func(t *testing.T) {
		t.Parallel()
		b := setup(t, func(c *storefront.Config) {
			c.IPRate, c.IPBurst = 1, 1
			c.ClientIP = func(r *http.Request) string { return r.Header.Get("X-Real-IP") }
		})
		// Same RemoteAddr (the proxy), different clients.
		require.Equal(t, http.StatusNoContent, b.postFrom(viewBody, "192.0.2.1").Code)
		require.Equal(t, http.StatusNoContent, b.postFrom(viewBody, "192.0.2.2").Code)
		require.Equal(t, http.StatusTooManyRequests, b.postFrom(viewBody, "192.0.2.1").Code)
	})
	t.Run("off", func(t *testing.T) {
		t.Parallel()
		b := setup(t, func(c *storefront.Config) { c.IPRate, c.KeyRate = rate.Inf, rate.Inf })
		for range 100 {
			require.Equal(t, http.StatusNoContent, b.post(viewBody, "", "203.0.113.7").Code)
		}
	})
}

func (b *testBundle) postFrom(body, realIP string) *httptest.ResponseRecorder {
	req := httptest.NewRequestWithContext(context.Background(), http.MethodPost, "/track", strings.NewReader(body))
	req.Header.Set("X-Real-IP", realIP)
	req.RemoteAddr = "10.0.0.1:443"
	rec := httptest.NewRecorder()
	b.mux.ServeHTTP(rec, req)
	return rec
}

func TestTrackClockSkew(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		client   string
		occurred time.Time
	}{
		{"client time a little behind", start.Add(-4 * time.Minute).Format(time.RFC3339), start.Add(-4 * time.Minute)},
		{"client time a little ahead", start.Add(299 * time.Second).Format(time.RFC3339Nano), start.Add(299 * time.Second)},
		{"exactly five minutes", start.Add(-5 * time.Minute).Format(time.RFC3339), start.Add(-5 * time.Minute)},
		{"client clock far behind", start.Add(-6 * time.Minute).Format(time.RFC3339), start},
		{"client clock far ahead", start.Add(26 * time.Hour).Format(time.RFC3339), start},
		{"other zone", start.Add(-time.Minute).In(time.FixedZone("CEST", 2*3600)).Format(time.RFC3339), start.Add(-time.Minute)},
		{"no client time", "", start},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			body := `{"key":"pk_demo","type":"product.viewed","visitor":"v1","email":"a@b.co","product":{"id":"1"}`
			if tc.client != "" {
				body += `,"occurred_at":"` + tc.client + `"`
			}
			rec := b.post(body+"}", "", "203.0.113.7")
			require.Equal(t, http.StatusNoContent, rec.Code, rec.Body.String())
			sent := b.pub.all()
			require.Len(t, sent, 1)
			require.Equal(t, tc.occurred, sent[0].ev.OccurredAt)
			require.Equal(t, start, sent[0].ev.ReceivedAt)
		})
	}
}

func TestTrackSameBeaconTwiceIsOneMessage(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, body := range []string{viewBody, viewBody, strings.Replace(viewBody, "11:58:00", "11:59:00", 1)} {
		require.Equal(t, http.StatusNoContent, b.post(body, "", "203.0.113.7").Code)
	}
	sent := b.pub.all()
	require.Len(t, sent, 3)
	require.Equal(t, sent[0].msgID, sent[1].msgID, "the same beacon sent twice (sendBeacon then fetch) dedups")
	require.NotEqual(t, sent[0].msgID, sent[2].msgID, "a later view is another event")
	require.NotEqual(t, sent[0].ev.Key, sent[2].ev.Key)
}

func TestMountNeedsShopsAndPublisher(t *testing.T) {
	t.Parallel()
	require.Error(t, storefront.Mount(http.NewServeMux(), storefront.Config{Publisher: &recorder{}}))
	require.Error(t, storefront.Mount(http.NewServeMux(), storefront.Config{Shops: func(string) (string, bool) { return "", false }}))
	require.Error(t, storefront.Mount(http.NewServeMux(), storefront.Config{
		Shops: func(string) (string, bool) { return "", false }, Publisher: &recorder{}, IPBurst: -1,
	}))
}

func TestSnippetIsServed(t *testing.T) {
	t.Parallel()
	b := setup(t)
	want, err := os.ReadFile("snippet.js")
	require.NoError(t, err)
	require.Less(t, len(want), 4000, "the snippet stays under 4 KB")

	req := httptest.NewRequestWithContext(context.Background(), http.MethodGet, "/track.js", nil)
	rec := httptest.NewRecorder()
	b.mux.ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.Code)
	require.Equal(t, "text/javascript; charset=utf-8", rec.Header().Get("Content-Type"))
	require.Contains(t, rec.Header().Get("Cache-Control"), "max-age=")
	require.Equal(t, string(want), rec.Body.String())
	for _, s := range []string{
		"'data-' + n", "at('key')", "sendBeacon", "keepalive", "localStorage", "identify:", "viewed:", "added:", "cart:",
		"t.type !== 'email'", "ShopifyAnalytics",
	} {
		require.Contains(t, rec.Body.String(), s)
	}
	etag := rec.Header().Get("ETag")
	require.NotEmpty(t, etag)

	req = httptest.NewRequestWithContext(context.Background(), http.MethodGet, "/track.js", nil)
	req.Header.Set("If-None-Match", etag)
	rec = httptest.NewRecorder()
	b.mux.ServeHTTP(rec, req)
	require.Equal(t, http.StatusNotModified, rec.Code)
}

// FuzzTrackBody posts any body: the answer is never a 5xx, and whatever is
// published is a valid canonical event of one of the three types about an
// identified visitor.
func FuzzTrackBody(f *testing.F) {
	for _, s := range []string{
		viewBody, itemBody, cartBody, `{}`, `{"key":"pk_demo"}`, `null`, `{"key":"pk_demo","type":"product.viewed","visitor":"v","email":"a@b.co","product":{"id":-0.5e3}}`,
		`{"key":"pk_demo","type":"cart.updated","visitor":"v","phone":"+1234567","cart":{"token":"t","line_items":[{"id":1}],"total":"1.5"}}`,
		`{"key":"pk_demo","type":"cart.item_added","visitor":"v","email":"a@b.co","item":{"id":"\u0000"}}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		b := setup(t, func(c *storefront.Config) { c.IPRate, c.KeyRate = rate.Inf, rate.Inf })
		rec := b.post(body, "text/plain", "203.0.113.7")
		require.Contains(t, []int{http.StatusNoContent, http.StatusBadRequest, http.StatusNotFound, http.StatusRequestEntityTooLarge}, rec.Code)
		sent := b.pub.all()
		if rec.Code != http.StatusNoContent {
			require.Empty(t, sent)
			return
		}
		require.LessOrEqual(t, len(sent), 1)
		for _, s := range sent {
			require.NoError(t, s.ev.Validate())
			require.Contains(t, []event.Type{event.ProductViewed, event.CartItemAdded, event.CartUpdated}, s.ev.Type)
			require.False(t, s.ev.Customer.Empty())
			require.WithinDuration(t, start, s.ev.OccurredAt, 5*time.Minute)
			require.Equal(t, s.ev.ID, s.msgID)
		}
	})
}
