package twilio

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzPathShop checks that pathShop reads back the shop of every
// ShopWebhookPath, as the server decodes it, and that any other path is
// the role's.
func FuzzPathShop(f *testing.F) {
	for _, s := range []string{"demo", "", "a/b", "%zz", "shop-1_x", "ü", "/webhooks/twilio/x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := url.Parse("https://app.example" + ShopWebhookPath(s))
		require.NoError(t, err)
		shop, perShop := pathShop(u.Path)
		require.True(t, perShop)
		require.Equal(t, s, shop)

		shop, perShop = pathShop(s)
		require.Equal(t, strings.HasPrefix(s, WebhookPath+"/"), perShop)
		if !perShop {
			require.Empty(t, shop)
		}
	})
}
