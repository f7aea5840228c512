package bigcommerce

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/adapters/ingest/ingesttest"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// receivedAt is the fixed arrival time of every test delivery.
var receivedAt = time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)

// testWebhookID is the webhook-id of test deliveries (the Standard Webhooks
// specification's example id).
const testWebhookID = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"

// testShop returns a BigCommerce shop record for tests.
func testShop() *shop.Shop {
	return &shop.Shop{
		ID:                    "demo",
		Platform:              Name,
		Domain:                "abcde",
		WebhookSecret:         "client-secret-current",
		PreviousWebhookSecret: "client-secret-previous",
		APIToken:              "api-token",
	}
}

// signed builds a delivery of body for s signed with secret at at.
func signed(s *shop.Shop, body []byte, secret string, at time.Time) *ingest.Request {
	h := http.Header{}
	ts := strconv.FormatInt(at.Unix(), 10)
	h.Set(HeaderWebhookID, testWebhookID)
	h.Set(HeaderWebhookTimestamp, ts)
	h.Set(HeaderWebhookSignature, SignatureHeader(Sign(secret, testWebhookID, ts, body)))
	if s.HeaderSecret != "" {
		h.Set(HeaderSecret, s.HeaderSecret)
	}
	return &ingest.Request{Header: h, Body: body, ReceivedAt: receivedAt}
}

// readFile reads a file under testdata.
func readFile(t *testing.T, parts ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(append([]string{"testdata"}, parts...)...))
	require.NoError(t, err)
	return b
}

// notificationOf decodes a webhook sample into its Notification, as
// Normalize does (store/app/uninstalled included).
func notificationOf(t *testing.T, s *shop.Shop, body []byte) *Notification {
	t.Helper()
	n, err := decodeNotification(s, signed(s, body, s.WebhookSecret, receivedAt))
	require.NoError(t, err)
	return n
}

// eventLines renders events the way golden files hold them.
func eventLines(t *testing.T, evs []*event.Event) []byte {
	t.Helper()
	res := &ingest.Result{}
	for _, ev := range evs {
		require.NoError(t, ev.Validate())
		res.Messages = append(res.Messages, ingest.EventMessage(ev))
	}
	return ingesttest.JSONLines(t, res)
}

// reply is one canned API answer.
type reply struct {
	status int
	header map[string]string
	body   []byte
}

// fakeAPI answers like the BigCommerce API from canned replies, by path
// (without the /{store_hash} prefix). A path with several replies gives them
// in turn and then repeats the last. It records every request.
type fakeAPI struct {
	t      *testing.T
	srv    *httptest.Server
	mu     sync.Mutex
	routes map[string][]reply
	calls  []*http.Request
}

func newFakeAPI(t *testing.T) *fakeAPI {
	t.Helper()
	a := &fakeAPI{t: t, routes: map[string][]reply{}}
	a.srv = httptest.NewServer(http.HandlerFunc(a.serve))
	t.Cleanup(a.srv.Close)
	return a
}

// on sets the replies for path.
func (a *fakeAPI) on(path string, replies ...reply) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.routes[path] = replies
}

// json200 is a 200 reply with a JSON body.
func json200(body []byte) reply { return reply{status: http.StatusOK, body: body} }

func (a *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	a.calls = append(a.calls, r.Clone(context.Background()))
	path := strings.TrimPrefix(r.URL.Path, "/abcde")
	replies := a.routes[path]
	var rp reply
	switch len(replies) {
	case 0:
		rp = reply{status: http.StatusNotFound, body: []byte(`{"status":404,"title":"The requested resource was not found."}`)}
	case 1:
		rp = replies[0]
	default:
		rp, a.routes[path] = replies[0], replies[1:]
	}
	a.mu.Unlock()
	for k, v := range rp.header {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(rp.status)
	_, _ = w.Write(rp.body)
}

// paths lists the requested paths with their queries.
func (a *fakeAPI) paths() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]string, 0, len(a.calls))
	for _, r := range a.calls {
		p := strings.TrimPrefix(r.URL.Path, "/abcde")
		if r.URL.RawQuery != "" {
			p += "?" + r.URL.RawQuery
		}
		out = append(out, p)
	}
	return out
}

// fetchBundle is what a fetcher test needs.
type fetchBundle struct {
	api     *fakeAPI
	fetcher *Fetcher
	shop    *shop.Shop
	mu      sync.Mutex
	sleeps  []time.Duration
}

// setup starts a fake API and a Fetcher pointed at it, with a Sleep that
// records and returns at once.
func setup(t *testing.T, mod ...func(*FetcherConfig)) *fetchBundle {
	t.Helper()
	b := &fetchBundle{api: newFakeAPI(t), shop: testShop()}
	cfg := FetcherConfig{
		APIURL: b.api.srv.URL + "/{store_hash}",
		Sleep: func(ctx context.Context, d time.Duration) error {
			b.mu.Lock()
			defer b.mu.Unlock()
			b.sleeps = append(b.sleeps, d)
			return ctx.Err()
		},
		Now: func() time.Time { return receivedAt },
	}
	for _, m := range mod {
		m(&cfg)
	}
	f, err := NewFetcher(cfg)
	require.NoError(t, err)
	b.fetcher = f
	return b
}

// slept returns the waits asked of Sleep.
func (b *fetchBundle) slept() []time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]time.Duration(nil), b.sleeps...)
}

// resolve normalises a webhook body and resolves it.
func (b *fetchBundle) resolve(t *testing.T, body []byte) ([]*event.Event, error) {
	t.Helper()
	return b.fetcher.Resolve(t.Context(), b.shop, notificationOf(t, b.shop, body))
}
