package shopify

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/reconcile"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// FuzzCheckoutToken: any recovery URL gives a token of letters, digits, '-'
// and '_' that is a segment of the URL's path, or nothing.
func FuzzCheckoutToken(f *testing.F) {
	f.Add("https://acme.myshopify.com/548380009/checkouts/ac/hWN3KpL7Zq9fXa2b/recover?key=9f2d&locale=en-US")
	f.Add("https://acme.myshopify.com/548380009/checkouts/0d6ffa5a2b3c4d5e6f708192a3b4c5d6/recover?key=ab")
	f.Add("https://shop.example/checkouts/cn/Z2NwLXVzLWNlbnRyYWwx/recover")
	f.Add("/checkouts/ac/recover")
	f.Add("https://a/checkouts/x%2Fy/recover")
	f.Add("https://a/recover")
	f.Add("::")
	f.Fuzz(func(t *testing.T, raw string) {
		tok := checkoutToken(raw)
		if tok == "" {
			return
		}
		if !validToken(tok) {
			t.Fatalf("token %q from %q", tok, raw)
		}
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatalf("token %q from an unparsable URL %q", tok, raw)
		}
		path := "/" + strings.Trim(u.Path, "/")
		if !strings.HasSuffix(path, "/"+tok+"/recover") || !strings.Contains(path, "/checkouts/") {
			t.Fatalf("token %q is not the segment before recover under checkouts in %q", tok, raw)
		}
	})
}

func TestCheckoutToken(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]string{
		"https://acme.myshopify.com/548380009/checkouts/ac/hWN3KpL7Zq9fXa2b/recover?key=9f2d": "hWN3KpL7Zq9fXa2b",
		"https://acme.myshopify.com/548380009/checkouts/0d6ffa5a2b3c/recover?key=ab":          "0d6ffa5a2b3c",
		"https://shop.example/checkouts/cn/abc-DEF_1/recover/":                                "abc-DEF_1",
		"https://acme.myshopify.com/548380009/checkouts/ac/hWN3/recover/extra":                "",
		"https://acme.myshopify.com/548380009/carts/hWN3/recover":                             "",
		"https://acme.myshopify.com/checkouts/ac/a.b/recover":                                 "",
		"https://acme.myshopify.com/checkouts/" + strings.Repeat("a", 129) + "/recover":       "",
		"": "",
	} {
		require.Equal(t, want, checkoutToken(raw), raw)
	}
}

// FuzzParsePollAnswer: any status and body is data, a throttled answer
// whose waits stay within bounds, an *Error of a known kind, or
// ErrMalformed; never a panic.
func FuzzParsePollAnswer(f *testing.F) {
	f.Add(200, []byte(`{"data":{"orders":{"nodes":[],"pageInfo":{"hasNextPage":false,"endCursor":null}}},"extensions":{"cost":{"requestedQueryCost":832,"actualQueryCost":12,"throttleStatus":{"maximumAvailable":2000.0,"currentlyAvailable":1988,"restoreRate":100.0}}}}`))
	f.Add(200, []byte(`{"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED","documentation":"https://shopify.dev/api/usage/rate-limits"}}],"extensions":{"cost":{"requestedQueryCost":800,"actualQueryCost":null,"throttleStatus":{"maximumAvailable":2000.0,"currentlyAvailable":300,"restoreRate":100.0}}}}`))
	f.Add(429, []byte(`{"errors":"Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."}`))
	f.Add(200, []byte(`{"errors":[{"message":"Access denied for orders field.","extensions":{"code":"ACCESS_DENIED"}}]}`))
	f.Add(401, []byte(`{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}`))
	f.Add(404, []byte(`{"errors":"Not Found"}`))
	f.Add(503, []byte(`<html>unavailable</html>`))
	f.Add(200, []byte(`{"data":null}`))
	f.Add(200, []byte(`{"data":{},"extensions":{"cost":{"requestedQueryCost":-1,"throttleStatus":{"currentlyAvailable":1e308,"restoreRate":0}}}}`))
	const limit = time.Minute
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		a, err := parsePollAnswer(status, body)
		if err != nil {
			if e, ok := errors.AsType[*Error](err); ok {
				if len(e.Messages) > maxMessages {
					t.Fatalf("messages: %q", e.Messages)
				}
				if !errors.Is(err, ErrTemporary) && !errors.Is(err, ErrRejected) {
					t.Fatalf("kind: %v", err)
				}
				switch status {
				case http.StatusUnauthorized, http.StatusPaymentRequired, http.StatusForbidden, http.StatusNotFound, http.StatusLocked:
					if !errors.Is(err, ErrNoAccess) {
						t.Fatalf("HTTP %d is not ErrNoAccess: %v", status, err)
					}
				case http.StatusRequestTimeout, http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable:
					if !errors.Is(err, ErrTemporary) {
						t.Fatalf("HTTP %d is not ErrTemporary: %v", status, err)
					}
				}
				return
			}
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error: %v", err)
			}
			return
		}
		if a.throttled {
			for attempt := 1; attempt <= 20; attempt++ {
				if d := a.cost.throttleWait(attempt, limit); d < minThrottleWait || d > limit {
					t.Fatalf("throttle wait %s", d)
				}
			}
			return
		}
		if status < 200 || status > 299 || len(a.data) == 0 {
			t.Fatalf("served HTTP %d with data %q", status, a.data)
		}
		if d := a.cost.paceWait(limit); d < 0 || d > limit {
			t.Fatalf("pace wait %s", d)
		}
	})
}

// FuzzPollOrdersPage: any orders page a server could send is read into
// events carrying the poll's delivery id, or refused with ErrMalformed;
// never a panic. It runs the whole path: the page decode, the REST body
// and the webhook normaliser.
func FuzzPollOrdersPage(f *testing.F) {
	f.Add([]byte(`{"nodes":[{"id":"gid://shopify/Order/1","legacyResourceId":"1","name":"#1001","email":"a@example.com","customer":{"id":"gid://shopify/Customer/2","defaultEmailAddress":{"emailAddress":"a@example.com"}},"currencyCode":"USD","totalPriceSet":{"shopMoney":{"amount":"10.0","currencyCode":"USD"}},"discountCodes":["X"],"displayFinancialStatus":"PAID","displayFulfillmentStatus":"FULFILLED","createdAt":"2026-09-01T10:05:00Z","processedAt":"2026-09-01T10:05:00Z","updatedAt":"2026-09-01T10:30:00Z","fulfillments":[{"createdAt":"2026-09-01T10:20:00Z"}],"lineItems":{"nodes":[{"id":"gid://shopify/LineItem/3","quantity":1,"originalUnitPriceSet":{"shopMoney":{"amount":"10","currencyCode":"USD"}},"product":{"legacyResourceId":4},"variant":null,"image":{"url":"https://cdn/x.png"}}],"pageInfo":{"hasNextPage":false}}}],"pageInfo":{"hasNextPage":false,"endCursor":null}}`))
	f.Add([]byte(`{"nodes":[{"id":"","updatedAt":"2026-09-01T10:30:00Z"}]}`))
	f.Add([]byte(`{"nodes":[{"id":"gid://shopify/Order/9","updatedAt":"2026-09-01T10:30:00Z","cancelledAt":"2026-09-01T10:29:00Z","lineItems":{"nodes":[{"quantity":1.5}]}}]}`))
	f.Add([]byte(`{"nodes":[{"legacyResourceId":{},"updatedAt":"x"}]}`))
	f.Add([]byte(`[]`))
	client, err := NewClient(ClientConfig{APIKey: "k", APISecret: "s"})
	if err != nil {
		f.Fatal(err)
	}
	p, err := NewPoller(PollerConfig{Client: client, Now: func() time.Time { return time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC) }})
	if err != nil {
		f.Fatal(err)
	}
	w := reconcile.Window{Since: time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC)}
	f.Fuzz(func(t *testing.T, page []byte) {
		var c connection[orderNode]
		if json.Unmarshal(page, &c) != nil {
			return
		}
		ss := &session{p: p, s: &shop.Shop{ID: "s", Platform: event.PlatformShopify, Domain: "s.myshopify.com"}}
		for i := range c.Nodes {
			o := &c.Nodes[i]
			body := o.rest(o.LineItems.Nodes)
			raw, err := ss.encodeBody(opPollOrders, body.ID, body)
			if err != nil {
				t.Fatalf("encoding: %v", err)
			}
			for _, topic := range append(o.transitions(w), topicOrdersUpdated) {
				err := ss.emitWebhook(context.Background(), opPollOrders, topic, body.ID, o.UpdatedAt, raw, func(ev *event.Event) error {
					if !strings.HasPrefix(ev.Source.DeliveryID, pollDeliveryPrefix+topic+":") || ev.Source.Topic != topic {
						t.Fatalf("source %+v for %s", ev.Source, topic)
					}
					return ev.Validate()
				})
				if err != nil && !errors.Is(err, ErrMalformed) {
					t.Fatalf("%s: %v", topic, err)
				}
			}
		}
	})
}

func TestAmount(t *testing.T) {
	t.Parallel()
	for in, want := range map[flexString]string{
		"10.0": "10.00", "7": "7.00", "0.5": "0.50", "-3.1": "-3.10", "12.345": "12.345", "1e3": "1e3", "": "", "abc": "abc",
	} {
		require.Equal(t, want, amount(in), string(in))
	}
}

func TestUpdatedQuery(t *testing.T) {
	t.Parallel()
	since := time.Date(2026, 9, 1, 10, 0, 0, 999e6, time.FixedZone("x", 3600))
	until := time.Date(2026, 9, 1, 11, 0, 0, 0, time.UTC)
	require.Equal(t, "updated_at:>='2026-09-01T09:00:00Z' updated_at:<'2026-09-01T11:00:00Z'", updatedQuery(reconcile.Window{Since: since, Until: until}))
	require.Equal(t, "updated_at:<'2026-09-01T11:00:01Z'", updatedQuery(reconcile.Window{Until: until.Add(time.Nanosecond)}))
	require.Empty(t, updatedQuery(reconcile.Window{}))
}

func TestThrottleWaits(t *testing.T) {
	t.Parallel()
	c := &queryCost{RequestedQueryCost: 800}
	c.ThrottleStatus.CurrentlyAvailable, c.ThrottleStatus.RestoreRate = 300, 100
	require.Equal(t, 5*time.Second, c.throttleWait(1, time.Minute))
	require.Equal(t, 2*time.Second, c.throttleWait(1, 2*time.Second), "capped")
	require.Equal(t, 5*time.Second, c.paceWait(time.Minute))
	c.ThrottleStatus.CurrentlyAvailable = 900
	require.Equal(t, minThrottleWait, c.throttleWait(1, time.Minute), "Shopify said throttled: wait a little anyway")
	require.Zero(t, c.paceWait(time.Minute), "the bucket holds the next query")
	var none *queryCost
	require.Equal(t, 8*time.Second, none.throttleWait(4, time.Minute))
	require.Equal(t, time.Minute, none.throttleWait(40, time.Minute))
	require.Zero(t, none.paceWait(time.Minute))
}
