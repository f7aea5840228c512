package woocommerce_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/adapters/woocommerce"
)

func TestSignMatchesWooCommerce(t *testing.T) {
	t.Parallel()
	// base64_encode(hash_hmac('sha256', $body, $secret, true))
	body := []byte(`{"id":719}`)
	m := hmac.New(sha256.New, []byte("s3cret"))
	m.Write(body)
	require.Equal(t, base64.StdEncoding.EncodeToString(m.Sum(nil)), woocommerce.Sign("s3cret", body))
}

func TestVerify(t *testing.T) {
	t.Parallel()
	body := readSample(t, "order.created.json")
	cases := []struct {
		name string
		mod  func(b *testBundle, h *ingest.Request)
		ok   bool
	}{
		{"current secret", func(*testBundle, *ingest.Request) {}, true},
		{"previous secret", func(b *testBundle, r *ingest.Request) {
			r.Header.Set(woocommerce.HeaderSignature, woocommerce.Sign(b.shop.PreviousWebhookSecret, r.Body))
		}, true},
		{"padded header", func(b *testBundle, r *ingest.Request) {
			r.Header.Set(woocommerce.HeaderSignature, " "+woocommerce.Sign(b.shop.WebhookSecret, r.Body)+" ")
		}, true},
		{"missing", func(_ *testBundle, r *ingest.Request) { r.Header.Del(woocommerce.HeaderSignature) }, false},
		{"other secret", func(_ *testBundle, r *ingest.Request) {
			r.Header.Set(woocommerce.HeaderSignature, woocommerce.Sign("not-the-secret", r.Body))
		}, false},
		{"not base64", func(_ *testBundle, r *ingest.Request) { r.Header.Set(woocommerce.HeaderSignature, "%%%") }, false},
		{"truncated", func(b *testBundle, r *ingest.Request) {
			r.Header.Set(woocommerce.HeaderSignature, woocommerce.Sign(b.shop.WebhookSecret, r.Body)[:20])
		}, false},
		{"sha1 length", func(_ *testBundle, r *ingest.Request) {
			r.Header.Set(woocommerce.HeaderSignature, base64.StdEncoding.EncodeToString(make([]byte, 20)))
		}, false},
		{"body changed", func(_ *testBundle, r *ingest.Request) { r.Body = append(r.Body, ' ') }, false},
		{"no secrets", func(b *testBundle, _ *ingest.Request) {
			b.shop.WebhookSecret, b.shop.PreviousWebhookSecret = "", ""
		}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			secret := b.shop.WebhookSecret
			req := b.request("order.created", body)
			tc.mod(b, req)
			err := b.adapter.Verify(b.shop, req)
			if tc.ok {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ingest.ErrSignature)
			require.NotContains(t, err.Error(), secret)
			require.NotContains(t, err.Error(), "john.doe")
		})
	}
}

func TestVerifyNilShop(t *testing.T) {
	t.Parallel()
	b := setup(t)
	require.ErrorIs(t, b.adapter.Verify(nil, b.request("order.created", []byte(`{}`))), ingest.ErrSignature)
}
