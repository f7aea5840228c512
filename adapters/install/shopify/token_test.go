package shopify_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/install/shopify"
	"github.com/boomerang-dev/boomerang/adapters/redis/redistest"
	"github.com/boomerang-dev/boomerang/adapters/vault"
)

func TestRedisTokenStoreRotation(t *testing.T) {
	t.Parallel()
	env := redistest.Start(t)
	ctx := context.Background()
	k1, err := vault.NewKeyring(vault.Key{ID: "k1", Secret: "old"})
	require.NoError(t, err)
	store1, err := shopify.NewRedisTokenStore(env.Client, env.Prefix, k1)
	require.NoError(t, err)
	want := shopify.Token{Access: "shpat_x", Refresh: "shprt_x", Expires: testNow, RefreshExpires: testNow.AddDate(0, 3, 0), Scopes: []string{"read_orders"}}
	require.NoError(t, store1.SaveToken(ctx, "shp-x", want))

	k2, err := vault.NewKeyring(vault.Key{ID: "k2", Secret: "new"}, vault.Key{ID: "k1", Secret: "old"})
	require.NoError(t, err)
	store2, err := shopify.NewRedisTokenStore(env.Client, env.Prefix, k2)
	require.NoError(t, err)
	got, err := store2.Token(ctx, "shp-x")
	require.NoError(t, err)
	require.Equal(t, want, got)

	require.NoError(t, store2.SaveToken(ctx, "shp-x", got))
	raw, err := env.Client.Get(ctx, env.Prefix+":install:token:{shp-x}").Result()
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(raw, "k2:"), raw)
	_, err = store1.Token(ctx, "shp-x")
	require.Error(t, err, "the old ring alone cannot read the new value")

	// Copying one shop's value to another shop's key does not work.
	require.NoError(t, env.Client.Set(ctx, env.Prefix+":install:token:{shp-y}", raw, 0).Err())
	_, err = store2.Token(ctx, "shp-y")
	require.Error(t, err)

	require.NoError(t, store2.DeleteToken(ctx, "shp-x"))
	_, err = store2.Token(ctx, "shp-x")
	require.ErrorIs(t, err, shopify.ErrNoToken)
}
