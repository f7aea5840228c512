package shopify

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/adapters/shop"
)

// TestSignKnownVector pins Sign to a digest computed independently:
// printf '{"id":1}' | openssl dgst -sha256 -hmac hush -binary | base64
func TestSignKnownVector(t *testing.T) {
	t.Parallel()
	require.Equal(t, "VnKUjZsLuN5iZWjn5EntcBVCF9kMN43LglzCE1/GSeY=", Sign("hush", []byte(`{"id":1}`)))
}

func TestVerify(t *testing.T) {
	t.Parallel()
	body := sample(t, "orders_create")
	t.Run("current secret", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		require.NoError(t, b.adapter.Verify(b.shop, b.request("orders/create", body)))
	})
	t.Run("previous secret during rotation", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		req := b.request("orders/create", body)
		req.Header.Set(HeaderHMAC, Sign(b.shop.PreviousWebhookSecret, body))
		require.NoError(t, b.adapter.Verify(b.shop, req))
	})
	t.Run("surrounding spaces in the header", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		req := b.request("orders/create", body)
		req.Header.Set(HeaderHMAC, " "+Sign(b.shop.WebhookSecret, body)+" ")
		require.NoError(t, b.adapter.Verify(b.shop, req))
	})
	for _, tc := range []struct {
		name   string
		mutate func(b *testBundle, req *ingest.Request)
	}{
		{"wrong secret", func(_ *testBundle, req *ingest.Request) {
			req.Header.Set(HeaderHMAC, Sign("shpss_other", req.Body))
		}},
		{"missing header", func(_ *testBundle, req *ingest.Request) { req.Header.Del(HeaderHMAC) }},
		{"not base64", func(_ *testBundle, req *ingest.Request) { req.Header.Set(HeaderHMAC, "%%%not-base64%%%") }},
		{"hex instead of base64", func(_ *testBundle, req *ingest.Request) {
			req.Header.Set(HeaderHMAC, "cb03b6b457337")
		}},
		{"short digest", func(_ *testBundle, req *ingest.Request) {
			req.Header.Set(HeaderHMAC, base64.StdEncoding.EncodeToString([]byte("short")))
		}},
		{"tampered body", func(_ *testBundle, req *ingest.Request) {
			req.Body = append([]byte(nil), req.Body...)
			req.Body[len(req.Body)-2] = ' '
		}},
		{"shop without secrets", func(b *testBundle, _ *ingest.Request) {
			b.shop.WebhookSecret, b.shop.PreviousWebhookSecret = "", ""
		}},
		{"no shop", func(b *testBundle, _ *ingest.Request) { b.shop = nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			req := b.request("orders/create", body)
			tc.mutate(b, req)
			err := b.adapter.Verify(b.shop, req)
			require.ErrorIs(t, err, ingest.ErrSignature)
			require.NotContains(t, err.Error(), "shpss_", "errors never name a secret")
			require.NotContains(t, err.Error(), "820982911946154508", "errors never quote the body")
		})
	}
	t.Run("previous secret alone", func(t *testing.T) {
		t.Parallel()
		s := &shop.Shop{ID: "demo", PreviousWebhookSecret: "old"}
		req := setup(t).request("orders/create", body)
		req.Header.Set(HeaderHMAC, Sign("old", body))
		require.NoError(t, New().Verify(s, req))
		req.Header.Set(HeaderHMAC, Sign("", body))
		require.ErrorIs(t, New().Verify(s, req), ingest.ErrSignature, "an empty secret never verifies")
	})
	t.Run("verify reads the raw bytes", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		spaced := []byte(strings.ReplaceAll(string(body), ": ", ":  "))
		req := b.request("orders/create", body)
		req.Body = spaced
		require.ErrorIs(t, b.adapter.Verify(b.shop, req), ingest.ErrSignature, "equal JSON, different bytes")
	})
}
