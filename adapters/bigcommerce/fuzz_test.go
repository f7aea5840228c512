package bigcommerce

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// seedFiles adds every file matching pattern under testdata to f.
func seedFiles(f *testing.F, pattern string) [][]byte {
	f.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", pattern))
	require.NoError(f, err)
	require.NotEmpty(f, files)
	var out [][]byte
	for _, file := range files {
		b, err := os.ReadFile(file)
		require.NoError(f, err)
		out = append(out, b)
	}
	return out
}

// FuzzVerify: a body signed with one secret verifies with it and not with
// another; arbitrary signature headers never verify by accident nor panic.
func FuzzVerify(f *testing.F) {
	for _, b := range seedFiles(f, "webhooks/*.json") {
		f.Add(b, testWebhookID, "client-secret", "other-secret", "v1,AAAA", "1782907200")
	}
	f.Add([]byte(`{"test": 2432232314}`), "msg_p5jXN8AQM9LWM0D4loKWxJek", "k", "K", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", "1614265330")
	f.Add([]byte{}, "", "", "x", "", "")
	f.Add([]byte(`{}`), "id", "k", "k\x00", "", "+1782907200")
	f.Fuzz(func(t *testing.T, body []byte, id, secret, other, rawSig, rawTS string) {
		a := New()
		ts := strconv.FormatInt(receivedAt.Unix(), 10)
		h := http.Header{}
		h.Set(HeaderWebhookID, id)
		h.Set(HeaderWebhookTimestamp, ts)
		h.Set(HeaderWebhookSignature, SignatureHeader(Sign(secret, id, ts, body)))
		req := &ingest.Request{Header: h, Body: body, ReceivedAt: receivedAt}

		err := a.Verify(&shop.Shop{ID: "f", WebhookSecret: secret}, req)
		if secret != "" && strings.TrimSpace(id) != "" && id == h.Get(HeaderWebhookID) {
			require.NoError(t, err)
		} else if err != nil {
			require.ErrorIs(t, err, ingest.ErrSignature)
		}
		// HMAC zero-pads short keys, so keys differing only in trailing
		// NUL bytes are one key.
		if strings.TrimRight(other, "\x00") != strings.TrimRight(secret, "\x00") {
			require.ErrorIs(t, a.Verify(&shop.Shop{ID: "f", WebhookSecret: other}, req), ingest.ErrSignature)
		}

		// Arbitrary signature header: never panics; verifies only if it
		// carries the right MAC.
		h.Set(HeaderWebhookSignature, rawSig)
		err = a.Verify(&shop.Shop{ID: "f", WebhookSecret: secret}, req)
		if err != nil {
			require.ErrorIs(t, err, ingest.ErrSignature)
		} else {
			require.Contains(t, rawSig, SignatureHeader(Sign(secret, id, ts, body))[3:])
		}

		// Arbitrary timestamp header, correctly signed: verifies only when
		// it is plain unix seconds within the tolerance.
		h.Set(HeaderWebhookTimestamp, rawTS)
		h.Set(HeaderWebhookSignature, SignatureHeader(Sign(secret, id, rawTS, body)))
		err = a.Verify(&shop.Shop{ID: "f", WebhookSecret: secret}, req)
		if err != nil {
			require.ErrorIs(t, err, ingest.ErrSignature)
			return
		}
		sec, perr := strconv.ParseInt(rawTS, 10, 64)
		require.NoError(t, perr)
		require.Equal(t, strconv.FormatInt(sec, 10), rawTS)
		require.LessOrEqual(t, abs(sec-receivedAt.Unix()), int64(SignatureTolerance/time.Second))
	})
}

// FuzzIdentify: Identify returns a store hash that the producer names, or
// ErrUnidentified.
func FuzzIdentify(f *testing.F) {
	for _, b := range seedFiles(f, "webhooks/*.json") {
		f.Add(b)
	}
	f.Add([]byte(`{"producer":"stores/"}`))
	f.Add([]byte(`[{"producer":"stores/x"}]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		hash, err := New().Identify(&ingest.Request{Body: body})
		if err != nil {
			require.ErrorIs(t, err, ingest.ErrUnidentified)
			require.Empty(t, hash)
			return
		}
		require.NotEmpty(t, hash)
		var p struct {
			Producer string `json:"producer"`
		}
		require.NoError(t, json.Unmarshal(body, &p))
		require.Equal(t, producerPrefix+hash, p.Producer)
	})
}

// FuzzNormalize: Normalize of any body returns one publishable message, or
// an error wrapping ErrMalformed or ErrUnknownTopic; a notification it
// publishes is one the fetcher can read.
func FuzzNormalize(f *testing.F) {
	for _, b := range seedFiles(f, "webhooks/*.json") {
		f.Add(b)
	}
	f.Add([]byte(`{"scope":"store/order/statusUpdated","data":{"id":1,"status":{"new_status_id":11}}}`))
	f.Add([]byte(`{"scope":"store/cart/converted","data":{"id":"a-b","orderId":"7"},"created_at":1}`))
	f.Add([]byte(`[1,2,3]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		s := testShop()
		req := &ingest.Request{Header: http.Header{}, Body: body, ReceivedAt: receivedAt}
		res, err := New().Normalize(s, req)
		if err != nil {
			require.Nil(t, res)
			if !errors.Is(err, ingest.ErrMalformed) {
				require.ErrorIs(t, err, ingest.ErrUnknownTopic)
			}
			return
		}
		require.Len(t, res.Messages, 1)
		m := res.Messages[0]
		out, err := json.Marshal(m.Value)
		require.NoError(t, err)
		require.NotEmpty(t, m.MsgID)
		switch v := m.Value.(type) {
		case *event.Event:
			require.NoError(t, v.Validate())
		case *Notification:
			require.Equal(t, "fetch.bigcommerce.demo", m.Subject)
			var back Notification
			require.NoError(t, json.Unmarshal(out, &back))
			_, err := parseHookData(back.Scope, back.Data)
			require.NoError(t, err)
		default:
			t.Fatalf("unexpected message value %T", m.Value)
		}
	})
}

// FuzzDecodeAPI feeds any bytes to every API answer decoder and, when one
// accepts them, maps the result: never a panic, and the events always
// validate and encode.
func FuzzDecodeAPI(f *testing.F) {
	for _, b := range seedFiles(f, "api/*.json") {
		f.Add(b)
	}
	f.Add([]byte(`{"data":{"id":"x","line_items":{"physical_items":[{"parent_id":5,"options":[{"value":{}}]}]},"updated_time":"9999-12-31T23:59:59-23:59"}}`))
	f.Add([]byte(`{"id":1,"date_modified":"Fri, 31 Dec 9999 23:59:59 -2359","status_id":5,"total_inc_tax":1e400}`))
	f.Add([]byte(`[{"id":1,"quantity":2,"price_ex_tax":12.5,"product_options":[{"display_value":"S"}]}]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		n := &Notification{
			Shop: "demo", Scope: ScopeCartUpdated, Hash: "h", ReceivedAt: receivedAt,
			CreatedAt: receivedAt.Add(-1), Data: json.RawMessage(`{"id":"x"}`),
		}
		b := &builder{shop: "demo", n: n}
		var evs []*event.Event

		var cart cartEnvelope
		if json.Unmarshal(body, &cart) == nil && cart.Data != nil {
			evs = append(evs, b.cartEvents(cart.Data, cart.Data.Email)...)
			evs = append(evs, b.abandoned(cart.Data, "tok", cart.Data.Email))
		}
		var order *apiOrder
		if json.Unmarshal(body, &order) == nil && order != nil {
			evs = append(evs, b.statusEvents(order, nil, "0", order.StatusID.String())...)
		}
		var products []apiOrderProduct
		if json.Unmarshal(body, &products) == nil {
			evs = append(evs, b.orderEvent(event.OrderUpdated, &apiOrder{ID: "1"}, products))
		}
		var sh *apiShipment
		if json.Unmarshal(body, &sh) == nil && sh != nil {
			evs = append(evs, b.shipmentEvent(sh))
		}
		var customers customersEnvelope
		if json.Unmarshal(body, &customers) == nil {
			for i := range customers.Data {
				evs = append(evs, b.customerEvent(event.CustomerUpdated, &customers.Data[i]))
			}
		}
		var sub subscriberEnvelope
		if json.Unmarshal(body, &sub) == nil && sub.Data != nil {
			evs = append(evs, b.subscriberEvent(sub.Data))
		}
		for _, ev := range evs {
			if ev.Key == "" || ev.ID == "" {
				t.Fatalf("event without identity: %+v", ev)
			}
			_, err := json.Marshal(ev)
			require.NoError(t, err)
			require.Equal(t, receivedAt, ev.ReceivedAt)
			require.False(t, ev.OccurredAt.IsZero())
		}
	})
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// FuzzRateWait: any rate-limit headers give a wait within [0, maxRateWait].
func FuzzRateWait(f *testing.F) {
	f.Add("15000", "15", "3")
	f.Add("", "", "Wed, 01 Jul 2026 12:00:07 GMT")
	f.Add("-1", "9999999999999999999", "soon")
	f.Fuzz(func(t *testing.T, resetMs, xRetry, retry string) {
		h := http.Header{}
		h.Set(headerRateLimitReset, resetMs)
		h.Set(headerXRetryAfter, xRetry)
		h.Set(headerRetryAfter, retry)
		d := rateWait(h, receivedAt)
		require.GreaterOrEqual(t, d, time.Duration(0))
		require.LessOrEqual(t, d, maxRateWait)
	})
}
