package shopify

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/ingest"
)

func TestIdentify(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, header, want string
	}{
		{"plain", "demo.myshopify.com", "demo.myshopify.com"},
		{"mixed case and spaces", "  Demo.MyShopify.com ", "demo.myshopify.com"},
		{"scheme and slash", "https://demo.myshopify.com/", "demo.myshopify.com"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := http.Header{}
			h.Set(HeaderShopDomain, tc.header)
			got, err := New().Identify(&ingest.Request{Header: h})
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
	for _, header := range []string{"", "   "} {
		t.Run("missing "+header, func(t *testing.T) {
			t.Parallel()
			h := http.Header{}
			if header != "" {
				h.Set(HeaderShopDomain, header)
			}
			_, err := New().Identify(&ingest.Request{Header: h})
			require.ErrorIs(t, err, ingest.ErrUnidentified)
		})
	}
}

func TestName(t *testing.T) {
	t.Parallel()
	require.Equal(t, "shopify", New().Name())
	require.Equal(t, "shopify", (&Adapter{}).Name(), "the zero value works")
}
