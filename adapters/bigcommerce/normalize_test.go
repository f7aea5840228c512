package bigcommerce

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/adapters/ingest/ingesttest"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// TestNormalizeGolden normalises every webhook sample under
// testdata/webhooks and compares the thin form (or the error, for the docs'
// samples that carry the wrong scope) with its .golden file.
func TestNormalizeGolden(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("testdata", "webhooks", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			body, err := os.ReadFile(file)
			require.NoError(t, err)
			s := testShop()
			req := signed(s, body, s.WebhookSecret, receivedAt)
			require.NoError(t, New().Verify(s, req))
			res, err := New().Normalize(s, req)
			var got []byte
			if err != nil {
				got = []byte("error: " + err.Error() + "\n")
			} else {
				got = ingesttest.JSONLines(t, res)
			}
			ingesttest.Golden(t, strings.TrimSuffix(file, ".json")+".golden", got)
		})
	}
}

func TestNormalizeMessage(t *testing.T) {
	t.Parallel()
	s := testShop()
	body := readFile(t, "webhooks", "store_order_statusUpdated.json")
	res, err := New().Normalize(s, signed(s, body, s.WebhookSecret, receivedAt))
	require.NoError(t, err)
	require.Equal(t, "store/order/statusUpdated", res.Topic)
	require.Equal(t, "store/order/statusUpdated:7ee67cd1cf2ca60bc1aa9e5fe957d2de373be4ca:1561479335", res.DeliveryID)
	require.Len(t, res.Messages, 1)
	m := res.Messages[0]
	require.Equal(t, "fetch.bigcommerce.demo", m.Subject)
	require.Equal(t, event.DeliveryID("bigcommerce", "demo", "store/order/statusUpdated:7ee67cd1cf2ca60bc1aa9e5fe957d2de373be4ca:1561479335", "notification"), m.MsgID)
	n, ok := m.Value.(*Notification)
	require.True(t, ok)
	require.JSONEq(t, `{"type":"order","id":250,"status":{"previous_status_id":0,"new_status_id":11}}`, string(n.Data))
	require.Equal(t, testWebhookID, n.WebhookID)
	require.Equal(t, "1025646", n.StoreID)
	require.Equal(t, receivedAt, n.ReceivedAt)
	require.Equal(t, int64(1561479335), n.CreatedAt.Unix())
	raw, err := json.Marshal(n)
	require.NoError(t, err)
	require.NotContains(t, string(raw), "webhook-signature")
}

// TestNormalizeDedupIdentity checks that the message id follows the hash,
// scope, created_at and shop, and nothing else. The hash covers only the
// data object ({type, id} for most scopes), so without created_at a second
// change to one cart inside the dedup window would be dropped, and the fetch
// would never see it; a duplicate costs only a second fetch, which the
// processor's semantic key makes harmless.
func TestNormalizeDedupIdentity(t *testing.T) {
	t.Parallel()
	msgID := func(shopID, body, webhookID string) string {
		s := testShop()
		s.ID = shopID
		req := signed(s, []byte(body), s.WebhookSecret, receivedAt)
		req.Header.Set(HeaderWebhookID, webhookID)
		res, err := New().Normalize(s, req)
		require.NoError(t, err)
		return res.Messages[0].MsgID
	}
	const a = `{"scope":"store/order/updated","data":{"type":"order","id":250},"hash":"h1","created_at":1561479335,"producer":"stores/abcde"}`
	// A retry of the same event: same hash and time, whatever the webhook-id.
	require.Equal(t, msgID("demo", a, "w1"), msgID("demo", a, "w2"))
	// A later change to the same resource: same hash, another time.
	require.NotEqual(t, msgID("demo", a, "w1"), msgID("demo", strings.Replace(a, "1561479335", "1561479999", 1), "w1"))
	// Another scope with the same hash, another hash, another shop: distinct.
	require.NotEqual(t, msgID("demo", a, "w1"), msgID("demo", strings.Replace(a, "updated", "created", 1), "w1"))
	require.NotEqual(t, msgID("demo", a, "w1"), msgID("demo", strings.Replace(a, `"h1"`, `"h2"`, 1), "w1"))
	require.NotEqual(t, msgID("demo", a, "w1"), msgID("other", a, "w1"))
	// Without a hash the webhook-id stands in, then the body's SHA-1.
	noHash := strings.Replace(a, `"hash":"h1",`, "", 1)
	first, again := msgID("demo", noHash, "w1"), msgID("demo", noHash, "w1")
	require.Equal(t, first, again)
	require.NotEqual(t, first, msgID("demo", noHash, "w2"))
	bodyOnly, bodyOnlyAgain := msgID("demo", noHash, ""), msgID("demo", noHash, "")
	require.Equal(t, bodyOnly, bodyOnlyAgain)
	require.NotEqual(t, bodyOnly, msgID("demo", strings.Replace(noHash, "250", "251", 1), ""))
}

func TestNormalizeUninstalled(t *testing.T) {
	t.Parallel()
	s := testShop()
	body := []byte(`{"scope":"store/app/uninstalled","store_id":"1025646","data":{"type":"store"},"hash":"abc","producer":"stores/abcde"}`)
	res, err := New().Normalize(s, signed(s, body, s.WebhookSecret, receivedAt))
	require.NoError(t, err)
	require.Len(t, res.Messages, 1)
	ev, ok := res.Messages[0].Value.(*event.Event)
	require.True(t, ok)
	require.NoError(t, ev.Validate())
	require.Equal(t, event.ShopUninstalled, ev.Type)
	require.Equal(t, "events.demo.shop.uninstalled", res.Messages[0].Subject)
	require.Equal(t, receivedAt, ev.OccurredAt, "no created_at: occurred_at falls back to received_at")
	require.Equal(t, &event.ShopData{PlatformShopID: "1025646", Domain: "abcde"}, ev.Data)
}

func TestNormalizeErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		body string
		want error
	}{
		{"not JSON", `{"scope": "store/order/created", "data": {`, ingest.ErrMalformed},
		{"array", `[1,2,3]`, ingest.ErrMalformed},
		{"string", `"store/order/created"`, ingest.ErrMalformed},
		{"null", `null`, ingest.ErrMalformed},
		{"no scope", `{"data":{"type":"order","id":1},"hash":"h"}`, ingest.ErrMalformed},
		{"scope not a string", `{"scope":7,"data":{"type":"order","id":1},"hash":"h"}`, ingest.ErrMalformed},
		{"no data", `{"scope":"store/order/created","hash":"h"}`, ingest.ErrMalformed},
		{"data null", `{"scope":"store/order/created","data":null,"hash":"h"}`, ingest.ErrMalformed},
		{"data a string id", `{"scope":"store/order/created","data":"250","hash":"h"}`, ingest.ErrMalformed},
		{"malformed before unknown topic", `{"scope":"store/category/updated","data":[1]}`, ingest.ErrMalformed},
		{"unknown topic", `{"scope":"store/category/updated","data":{"type":"category","id":1},"hash":"h"}`, ingest.ErrUnknownTopic},
		{"unknown topic, odd data", `{"scope":"store/category/updated","data":{"id":{"x":1}},"hash":"h"}`, ingest.ErrUnknownTopic},
		{"lineItem scope unused", `{"scope":"store/cart/lineItem/created","data":{"type":"cart_line_item","id":"x","cartId":"y"}}`, ingest.ErrUnknownTopic},
		{"order id missing", `{"scope":"store/order/created","data":{"type":"order"},"hash":"h"}`, ingest.ErrMalformed},
		{"order id a word", `{"scope":"store/order/created","data":{"type":"order","id":"abc"},"hash":"h"}`, ingest.ErrMalformed},
		{"order id a fraction", `{"scope":"store/order/created","data":{"type":"order","id":250.5},"hash":"h"}`, ingest.ErrMalformed},
		{"order id negative", `{"scope":"store/order/created","data":{"type":"order","id":-250},"hash":"h"}`, ingest.ErrMalformed},
		{"order id an object", `{"scope":"store/order/created","data":{"type":"order","id":{"id":250}},"hash":"h"}`, ingest.ErrMalformed},
		{"cart id with a slash", `{"scope":"store/cart/updated","data":{"type":"cart","id":"../orders/1"},"hash":"h"}`, ingest.ErrMalformed},
		{"converted without orderId", `{"scope":"store/cart/converted","data":{"type":"cart","id":"abc"},"hash":"h"}`, ingest.ErrMalformed},
		{"statusUpdated without status", `{"scope":"store/order/statusUpdated","data":{"type":"order","id":1},"hash":"h"}`, ingest.ErrMalformed},
		{"statusUpdated status a number", `{"scope":"store/order/statusUpdated","data":{"type":"order","id":1,"status":11},"hash":"h"}`, ingest.ErrMalformed},
		{"shipment without orderId", `{"scope":"store/shipment/created","data":{"type":"shipment","id":12},"hash":"h"}`, ingest.ErrMalformed},
		{"created_at a word", `{"scope":"store/order/created","data":{"type":"order","id":1},"created_at":"yesterday"}`, ingest.ErrMalformed},
		{"created_at out of range", `{"scope":"store/order/created","data":{"type":"order","id":1},"created_at":99999999999999}`, ingest.ErrMalformed},
		{"hash not a string", `{"scope":"store/order/created","data":{"type":"order","id":1},"hash":5}`, ingest.ErrMalformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := testShop()
			_, err := New().Normalize(s, signed(s, []byte(tc.body), s.WebhookSecret, receivedAt))
			require.ErrorIs(t, err, tc.want)
			if errors.Is(tc.want, ingest.ErrMalformed) {
				require.NotErrorIs(t, err, ingest.ErrUnknownTopic)
			}
		})
	}
}

// TestNormalizeOptionalFields accepts deliveries without the optional
// top-level fields and ids written as strings.
func TestNormalizeOptionalFields(t *testing.T) {
	t.Parallel()
	s := testShop()
	body := []byte(`{"scope":"store/shipment/updated","data":{"type":"shipment","id":"12","orderId":"251"}}`)
	res, err := New().Normalize(s, signed(s, body, s.WebhookSecret, receivedAt))
	require.NoError(t, err)
	n := res.Messages[0].Value.(*Notification)
	require.True(t, n.CreatedAt.IsZero())
	require.Empty(t, n.StoreID)
	require.Equal(t, testWebhookID, n.Hash, "webhook-id stands in for the missing hash")
}

// Test64BitIDs keeps ids beyond 2^53 exact in the thin form.
func Test64BitIDs(t *testing.T) {
	t.Parallel()
	s := testShop()
	body := []byte(`{"scope":"store/order/created","store_id":18446744073709551615,"data":{"type":"order","id":9007199254740993},"hash":"h"}`)
	res, err := New().Normalize(s, signed(s, body, s.WebhookSecret, receivedAt))
	require.NoError(t, err)
	n := res.Messages[0].Value.(*Notification)
	require.Equal(t, "18446744073709551615", n.StoreID)
	out, err := json.Marshal(n)
	require.NoError(t, err)
	require.Contains(t, string(out), `"id":9007199254740993`)
	d, err := parseHookData(n.Scope, n.Data)
	require.NoError(t, err)
	require.Equal(t, "9007199254740993", d.ID)
	// Past 64 bits an id is no id.
	body = []byte(`{"scope":"store/order/created","data":{"type":"order","id":18446744073709551616},"hash":"h"}`)
	_, err = New().Normalize(s, signed(s, body, s.WebhookSecret, receivedAt))
	require.ErrorIs(t, err, ingest.ErrMalformed)
}

func TestIdentify(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, body, want string
	}{
		{"docs sample", string(readFile(t, "webhooks", "store_order_created.json")), "{store_hash}"},
		{"store hash", `{"producer":"stores/abcde","scope":"x"}`, "abcde"},
		{"no producer", `{"scope":"store/order/created"}`, ""},
		{"producer without prefix", `{"producer":"abcde"}`, ""},
		{"empty hash", `{"producer":"stores/"}`, ""},
		{"nested path", `{"producer":"stores/abc/de"}`, ""},
		{"producer a number", `{"producer":5}`, ""},
		{"array", `[{"producer":"stores/abcde"}]`, ""},
		{"not JSON", `{"producer":"stores/abcde"`, ""},
		{"empty", ``, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := New().Identify(&ingest.Request{Body: []byte(tc.body)})
			if tc.want == "" {
				require.ErrorIs(t, err, ingest.ErrUnidentified)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestScopes(t *testing.T) {
	t.Parallel()
	require.Len(t, Scopes(), len(scopes))
	for _, sc := range Scopes() {
		require.True(t, Used(sc), sc)
	}
	require.False(t, Used("store/cart/deleted"))
	require.Equal(t, "bigcommerce", New().Name())
}
