package sendgrid_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/sendgrid"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// fakeShops maps shop ids to their SendGrid accounts.
type fakeShops map[string]sendgrid.ShopAccount

func (s fakeShops) Account(shop string) (sendgrid.ShopAccount, bool) {
	a, ok := s[shop]
	return a, ok
}

// shopBundle is a Webhook with the role's key (global) and shops: own
// with its own account and key, plain on the role's account, nokey with
// its own account but no key, badkey with a key that is not one.
type shopBundle struct {
	global, own *signer
	pub         *fakePublisher
	reg         *prometheus.Registry
	webhook     *sendgrid.Webhook
	now         time.Time
}

func setupShopWebhook(t *testing.T, mutate ...func(*sendgrid.WebhookConfig)) *shopBundle {
	t.Helper()
	b := &shopBundle{
		global: newSigner(t), own: newSigner(t), pub: &fakePublisher{}, reg: prometheus.NewRegistry(),
		now: time.Unix(1772366950, 0),
	}
	cfg := sendgrid.WebhookConfig{
		PublicKey: b.global.publicKey,
		Shops: fakeShops{
			"own":    {Own: true, WebhookKey: b.own.publicKey},
			"plain":  {},
			"nokey":  {Own: true},
			"badkey": {Own: true, WebhookKey: "bm90IGEga2V5"},
		},
		Publisher:  b.pub,
		Now:        func() time.Time { return b.now },
		Registerer: b.reg,
	}
	for _, m := range mutate {
		m(&cfg)
	}
	w, err := sendgrid.NewWebhook(cfg)
	require.NoError(t, err)
	b.webhook = w
	return b
}

// post sends body to path signed by s (nil: unsigned).
func (b *shopBundle) post(t *testing.T, path string, body []byte, s *signer) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, path, bytes.NewReader(body))
	ts := strconv.FormatInt(b.now.Unix(), 10)
	req.Header.Set(sendgrid.HeaderTimestamp, ts)
	if s != nil {
		req.Header.Set(sendgrid.HeaderSignature, s.sign(t, ts, body))
	}
	rec := httptest.NewRecorder()
	b.webhook.ServeHTTP(rec, req)
	return rec
}

// shops returns the shops of the published events, in order.
func (b *shopBundle) shops(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, m := range b.pub.published() {
		var ev event.Event
		require.NoError(t, json.Unmarshal(m.data, &ev))
		out = append(out, ev.Shop)
	}
	return out
}

// count is boomerang_sendgrid_webhooks_total for outcome.
func (b *shopBundle) count(t *testing.T, outcome string) float64 {
	t.Helper()
	return (&webhookBundle{reg: b.reg}).count(t, outcome)
}

// eventsFor is a batch with one delivered event per shop.
func eventsFor(t *testing.T, shops ...string) []byte {
	t.Helper()
	var batch []map[string]any
	for i, s := range shops {
		batch = append(batch, map[string]any{
			"email": "ann@example.com", "timestamp": 1772366400 + i, "event": "delivered",
			"sg_event_id": "ev-" + s + strconv.Itoa(i), "sg_message_id": "sgm" + strconv.Itoa(i) + ".filter",
			"boomerang_shop": s, "boomerang_message_id": "run-" + s + "/reminder",
		})
	}
	b, err := json.Marshal(batch)
	require.NoError(t, err)
	return b
}

func TestShopWebhookPath(t *testing.T) {
	t.Parallel()
	require.Equal(t, "/webhooks/sendgrid/own", sendgrid.ShopWebhookPath("own"))
	require.Equal(t, "/webhooks/sendgrid/a%2Fb", sendgrid.ShopWebhookPath("a/b"))
}

func TestShopPathVerifiesWithTheShopsKey(t *testing.T) {
	t.Parallel()
	b := setupShopWebhook(t)
	path := sendgrid.ShopWebhookPath("own")
	body := eventsFor(t, "own")

	rec := b.post(t, path, body, b.global)
	require.Equal(t, http.StatusUnauthorized, rec.Code, "the role's key does not sign a shop's own account's events")
	require.Equal(t, "invalid signature\n", rec.Body.String())
	rec = b.post(t, sendgrid.WebhookPath, body, b.own)
	require.Equal(t, http.StatusUnauthorized, rec.Code, "nor does the shop's key sign the role's path")
	require.Empty(t, b.pub.published())
	require.InDelta(t, 2.0, b.count(t, "bad_signature"), 0)

	rec = b.post(t, path, body, b.own)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	require.Equal(t, []string{"own"}, b.shops(t))
	require.Equal(t, "events.own.message.delivered", b.pub.published()[0].subject)
	require.InDelta(t, 1.0, b.count(t, "accepted"), 0)
}

func TestShopPathPublishesOnlyItsShop(t *testing.T) {
	t.Parallel()
	b := setupShopWebhook(t)
	// A shop's key speaks for its own messages only.
	rec := b.post(t, sendgrid.ShopWebhookPath("own"), eventsFor(t, "plain", "own", "other", "own"), b.own)
	require.Equal(t, http.StatusOK, rec.Code)
	require.Equal(t, []string{"own", "own"}, b.shops(t))

	// A shop on the role's account: its path takes the role's key, and the
	// same rule.
	rec = b.post(t, sendgrid.ShopWebhookPath("plain"), eventsFor(t, "plain", "own"), b.own)
	require.Equal(t, http.StatusUnauthorized, rec.Code)
	rec = b.post(t, sendgrid.ShopWebhookPath("plain"), eventsFor(t, "plain", "own"), b.global)
	require.Equal(t, http.StatusOK, rec.Code)
	require.Equal(t, []string{"own", "own", "plain"}, b.shops(t))

	// The role's path keeps publishing every shop's events.
	rec = b.post(t, sendgrid.WebhookPath, eventsFor(t, "plain", "own"), b.global)
	require.Equal(t, http.StatusOK, rec.Code)
	require.Equal(t, []string{"own", "own", "plain", "plain", "own"}, b.shops(t))
}

func TestShopPathWithoutAUsableKey(t *testing.T) {
	t.Parallel()
	b := setupShopWebhook(t)
	for _, shop := range []string{"nokey", "badkey"} {
		for _, s := range []*signer{b.global, b.own, nil} {
			rec := b.post(t, sendgrid.ShopWebhookPath(shop), eventsFor(t, shop), s)
			require.Equal(t, http.StatusUnauthorized, rec.Code, shop)
			require.Equal(t, "invalid signature\n", rec.Body.String())
		}
	}
	require.InDelta(t, 6.0, b.count(t, "no_key"), 0)
	require.Empty(t, b.pub.published())
}

func TestUnknownShopPath(t *testing.T) {
	t.Parallel()
	b := setupShopWebhook(t)
	for _, path := range []string{"/webhooks/sendgrid/nobody", "/webhooks/sendgrid/", "/webhooks/sendgrid/Not%20Valid", "/webhooks/sendgrid/a/b"} {
		// Forged, or signed by a shop's own account: 401, exactly as for a
		// known shop, so nobody learns which shops exist.
		for _, s := range []*signer{nil, b.own, newSigner(t)} {
			rec := b.post(t, path, eventsFor(t, "nobody"), s)
			require.Equal(t, http.StatusUnauthorized, rec.Code, path)
			require.Equal(t, "invalid signature\n", rec.Body.String())
		}
		// Signed by the role's account: 404.
		rec := b.post(t, path, eventsFor(t, "nobody"), b.global)
		require.Equal(t, http.StatusNotFound, rec.Code, path)
		require.Equal(t, "unknown shop\n", rec.Body.String())
	}
	require.InDelta(t, 4.0, b.count(t, "unknown_shop"), 0)
	require.Empty(t, b.pub.published())

	// Without Shops, every shop is unknown.
	b = setupShopWebhook(t, func(c *sendgrid.WebhookConfig) { c.Shops = nil })
	require.Equal(t, http.StatusNotFound, b.post(t, sendgrid.ShopWebhookPath("own"), eventsFor(t, "own"), b.global).Code)
	require.Equal(t, http.StatusUnauthorized, b.post(t, sendgrid.ShopWebhookPath("own"), eventsFor(t, "own"), b.own).Code)
}

func TestShopPathWithoutRoleKey(t *testing.T) {
	t.Parallel()
	// No BOOMERANG_SENDGRID_WEBHOOK_KEY, but a shop with its own key: its
	// path works, everything else is refused.
	b := setupShopWebhook(t, func(c *sendgrid.WebhookConfig) { c.PublicKey = "" })
	require.Equal(t, http.StatusUnauthorized, b.post(t, sendgrid.WebhookPath, eventsFor(t, "plain"), b.global).Code)
	require.Equal(t, http.StatusUnauthorized, b.post(t, sendgrid.ShopWebhookPath("plain"), eventsFor(t, "plain"), b.global).Code)
	require.Equal(t, http.StatusUnauthorized, b.post(t, sendgrid.ShopWebhookPath("nobody"), eventsFor(t, "plain"), b.global).Code)
	require.InDelta(t, 3.0, b.count(t, "no_key"), 0)
	require.Equal(t, http.StatusOK, b.post(t, sendgrid.ShopWebhookPath("own"), eventsFor(t, "own"), b.own).Code)
	require.Equal(t, []string{"own"}, b.shops(t))
}

func TestShopPathAnswersInOrder(t *testing.T) {
	t.Parallel()
	b := setupShopWebhook(t, func(c *sendgrid.WebhookConfig) { c.MaxBodyBytes = 64 })
	big := eventsFor(t, "own", "own")
	require.Equal(t, http.StatusRequestEntityTooLarge, b.post(t, sendgrid.ShopWebhookPath("own"), big, nil).Code, "413 before the signature")
	require.Equal(t, http.StatusRequestEntityTooLarge, b.post(t, sendgrid.ShopWebhookPath("nobody"), big, nil).Code)
	require.Equal(t, http.StatusBadRequest, b.post(t, sendgrid.ShopWebhookPath("own"), []byte(`{"event":1}`), b.own).Code,
		"400 after the signature")
	require.Equal(t, http.StatusUnauthorized, b.post(t, sendgrid.ShopWebhookPath("own"), []byte(`{"event":1}`), nil).Code)
}
