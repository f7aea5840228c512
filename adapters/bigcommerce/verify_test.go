package bigcommerce

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/adapters/shop"
)

// TestSignStandardWebhooksVector checks Sign against the test vector the
// Standard Webhooks libraries share (libraries/go/webhook_test.go
// TestWebhookSign and libraries/python/tests/test_webhooks.py
// test_sign_function): key whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw, whose
// base64 part decodes to the raw key bytes that BigCommerce's client secret
// plays.
func TestSignStandardWebhooksVector(t *testing.T) {
	t.Parallel()
	key, err := base64.StdEncoding.DecodeString("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	require.NoError(t, err)
	const (
		msgID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
		ts    = "1614265330"
		want  = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
	)
	body := []byte(`{"test": 2432232314}`)
	require.Equal(t, want, SignatureHeader(Sign(string(key), msgID, ts, body)))

	s := &shop.Shop{ID: "vector", Platform: Name, WebhookSecret: string(key)}
	h := http.Header{}
	h.Set(HeaderWebhookID, msgID)
	h.Set(HeaderWebhookTimestamp, ts)
	h.Set(HeaderWebhookSignature, want)
	sent := time.Unix(1614265330, 0).UTC()
	require.NoError(t, New().Verify(s, &ingest.Request{Header: h, Body: body, ReceivedAt: sent.Add(time.Minute)}))
	// The same request, arrived too late or too early, is refused.
	require.ErrorIs(t, New().Verify(s, &ingest.Request{Header: h, Body: body, ReceivedAt: sent.Add(6 * time.Minute)}), ingest.ErrSignature)
	require.ErrorIs(t, New().Verify(s, &ingest.Request{Header: h, Body: body, ReceivedAt: sent.Add(-6 * time.Minute)}), ingest.ErrSignature)
}

func TestVerify(t *testing.T) {
	t.Parallel()
	body := []byte(`{"scope":"store/order/created","store_id":"1025646","data":{"type":"order","id":250},"hash":"dd70c0976e06b67aaf671e73f49dcb79230ebf9d","created_at":1561479335,"producer":"stores/abcde"}`)
	withHeaderSecret := func() *shop.Shop {
		s := testShop()
		s.HeaderSecret = "custom-header-value"
		return s
	}
	cases := []struct {
		name string
		shop func() *shop.Shop
		req  func(s *shop.Shop) *ingest.Request
		ok   bool
	}{
		{"current secret", testShop, func(s *shop.Shop) *ingest.Request {
			return signed(s, body, s.WebhookSecret, receivedAt)
		}, true},
		{"previous secret during rotation", testShop, func(s *shop.Shop) *ingest.Request {
			return signed(s, body, s.PreviousWebhookSecret, receivedAt)
		}, true},
		{"wrong secret", testShop, func(s *shop.Shop) *ingest.Request {
			return signed(s, body, "another-app-secret", receivedAt)
		}, false},
		{"tampered body", testShop, func(s *shop.Shop) *ingest.Request {
			r := signed(s, body, s.WebhookSecret, receivedAt)
			r.Body = append([]byte(nil), body...)
			r.Body[len(r.Body)-2] = 'X'
			return r
		}, false},
		{"tampered webhook-id", testShop, func(s *shop.Shop) *ingest.Request {
			r := signed(s, body, s.WebhookSecret, receivedAt)
			r.Header.Set(HeaderWebhookID, "msg_other")
			return r
		}, false},
		{"timestamp 4m59s old", testShop, func(s *shop.Shop) *ingest.Request {
			return signed(s, body, s.WebhookSecret, receivedAt.Add(-4*time.Minute-59*time.Second))
		}, true},
		{"timestamp 5m01s old", testShop, func(s *shop.Shop) *ingest.Request {
			return signed(s, body, s.WebhookSecret, receivedAt.Add(-5*time.Minute-time.Second))
		}, false},
		{"timestamp 5m01s ahead", testShop, func(s *shop.Shop) *ingest.Request {
			return signed(s, body, s.WebhookSecret, receivedAt.Add(5*time.Minute+time.Second))
		}, false},
		{"timestamp re-signed but header changed", testShop, func(s *shop.Shop) *ingest.Request {
			r := signed(s, body, s.WebhookSecret, receivedAt)
			r.Header.Set(HeaderWebhookTimestamp, strconv.FormatInt(receivedAt.Unix()+1, 10))
			return r
		}, false},
		{"timestamp with leading zero", testShop, func(s *shop.Shop) *ingest.Request {
			ts := "0" + strconv.FormatInt(receivedAt.Unix(), 10)
			r := signed(s, body, s.WebhookSecret, receivedAt)
			r.Header.Set(HeaderWebhookTimestamp, ts)
			r.Header.Set(HeaderWebhookSignature, SignatureHeader(Sign(s.WebhookSecret, testWebhookID, ts, body)))
			return r
		}, false},
		{"timestamp not a number", testShop, func(s *shop.Shop) *ingest.Request {
			r := signed(s, body, s.WebhookSecret, receivedAt)
			r.Header.Set(HeaderWebhookTimestamp, "soon")
			return r
		}, false},
		{"one of several signatures matches", testShop, func(s *shop.Shop) *ingest.Request {
			r := signed(s, body, s.WebhookSecret, receivedAt)
			ts := r.Header.Get(HeaderWebhookTimestamp)
			r.Header.Set(HeaderWebhookSignature, "v1a,bm90IGVkMjU1MTk= v1,"+
				base64.StdEncoding.EncodeToString(Sign("old-key", testWebhookID, ts, body))+" "+r.Header.Get(HeaderWebhookSignature))
			return r
		}, true},
		{"right MAC under another version", testShop, func(s *shop.Shop) *ingest.Request {
			r := signed(s, body, s.WebhookSecret, receivedAt)
			r.Header.Set(HeaderWebhookSignature, "v2"+r.Header.Get(HeaderWebhookSignature)[2:])
			return r
		}, false},
		{"signature not base64", testShop, func(s *shop.Shop) *ingest.Request {
			r := signed(s, body, s.WebhookSecret, receivedAt)
			r.Header.Set(HeaderWebhookSignature, "v1,***")
			return r
		}, false},
		{"missing signature", testShop, func(s *shop.Shop) *ingest.Request {
			r := signed(s, body, s.WebhookSecret, receivedAt)
			r.Header.Del(HeaderWebhookSignature)
			return r
		}, false},
		{"missing webhook-id", testShop, func(s *shop.Shop) *ingest.Request {
			r := signed(s, body, s.WebhookSecret, receivedAt)
			r.Header.Del(HeaderWebhookID)
			return r
		}, false},
		{"missing timestamp", testShop, func(s *shop.Shop) *ingest.Request {
			r := signed(s, body, s.WebhookSecret, receivedAt)
			r.Header.Del(HeaderWebhookTimestamp)
			return r
		}, false},
		{"shop without secrets", func() *shop.Shop {
			s := testShop()
			s.WebhookSecret, s.PreviousWebhookSecret = "", ""
			return s
		}, func(s *shop.Shop) *ingest.Request {
			return signed(s, body, "", receivedAt)
		}, false},
		{"header secret present", withHeaderSecret, func(s *shop.Shop) *ingest.Request {
			return signed(s, body, s.WebhookSecret, receivedAt)
		}, true},
		{"header secret missing", withHeaderSecret, func(s *shop.Shop) *ingest.Request {
			r := signed(s, body, s.WebhookSecret, receivedAt)
			r.Header.Del(HeaderSecret)
			return r
		}, false},
		{"header secret wrong", withHeaderSecret, func(s *shop.Shop) *ingest.Request {
			r := signed(s, body, s.WebhookSecret, receivedAt)
			r.Header.Set(HeaderSecret, "custom-header-valuf")
			return r
		}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := tc.shop()
			err := New().Verify(s, tc.req(s))
			if tc.ok {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ingest.ErrSignature)
			for _, secret := range []string{"client-secret-current", "client-secret-previous", "custom-header-value"} {
				require.NotContains(t, err.Error(), secret)
			}
			require.NotContains(t, err.Error(), "dd70c0976e")
		})
	}
}
