package redis_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/adapters/redis/redistest"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/adapters/vault"
)

func TestShopStoreSealsCredentials(t *testing.T) {
	t.Parallel()
	env := redistest.Start(t)
	keys := redis.Keys{Prefix: env.Prefix}
	v, err := vault.NewKeyring(vault.Key{Secret: "secret-key"})
	require.NoError(t, err)
	st := redis.NewShopStore(env.Client, keys, v)
	ctx := context.Background()
	s := &shop.Shop{
		ID: "shp-acme", Platform: "shopify", Domain: "acme.myshopify.com", Timezone: "Europe/Berlin",
		WebhookSecret: "app-secret", APIToken: "shpat_token_value",
		Email: shop.EmailSender{SendGridAPIKey: "SG.own-key", SendGridWebhookKey: "webhook-key-b64", SendingDomain: "acme.example"},
		SMS:   shop.SMSSender{TwilioAccountSID: "AC0123", TwilioAuthToken: "own-twilio-token", MessagingServiceSID: "MG0123"},
	}
	require.NoError(t, st.Save(ctx, s))
	raw, err := env.Client.HGet(ctx, keys.InstalledShops(), "shp-acme").Result()
	require.NoError(t, err)
	require.NotContains(t, raw, "shpat_token_value", "no credential in the clear")
	require.NotContains(t, raw, "app-secret")
	for _, secret := range []string{"SG.own-key", "webhook-key-b64", "AC0123", "own-twilio-token"} {
		require.NotContains(t, raw, secret, "the shop's own provider credentials are sealed too")
	}
	require.Contains(t, raw, "MG0123", "a Messaging Service id is no secret")
	require.Contains(t, raw, "acme.myshopify.com")

	all, err := st.All(ctx)
	require.NoError(t, err)
	require.Len(t, all, 1)
	require.Equal(t, "shpat_token_value", all[0].APIToken)
	require.Equal(t, "app-secret", all[0].WebhookSecret)
	require.Equal(t, "Europe/Berlin", all[0].Timezone)
	require.Equal(t, s.Email, all[0].Email)
	require.Equal(t, s.SMS, all[0].SMS)

	// A record moved to another shop id does not open.
	require.NoError(t, env.Client.HSet(ctx, keys.InstalledShops(), "shp-evil", strings.Replace(raw, "shp-acme", "shp-evil", 1)).Err())
	_, err = st.All(ctx)
	require.Error(t, err)
	require.NoError(t, env.Client.HDel(ctx, keys.InstalledShops(), "shp-evil").Err())

	require.NoError(t, st.MarkUninstalled(ctx, s))
	all, err = st.All(ctx)
	require.NoError(t, err)
	require.Empty(t, all, "an uninstalled shop is not served")
}
