package shopify_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/install/shopify"
	"github.com/boomerang-dev/boomerang/adapters/shop"
)

// refreshBundle is a test bundle with a shop whose token is stored.
type refreshBundle struct {
	*testBundle
	refresher *shopify.Refresher
	registry  *shop.Registry
}

const (
	refreshDomain = "acme.myshopify.com"
	refreshShopID = "shp-acme"
)

// setupRefresh stores a token for refreshDomain expiring at expires, with the
// fake's current tokens, and a Refresher writing back to a registry.
func setupRefresh(t *testing.T, expires time.Time) *refreshBundle {
	t.Helper()
	b := setup(t)
	b.fake.setTokens(refreshDomain, "shpat_old", "shprt_old")
	require.NoError(t, b.tokens.SaveToken(context.Background(), refreshShopID, shopify.Token{
		Access: "shpat_old", Refresh: "shprt_old", Expires: expires,
		RefreshExpires: testNow.Add(30 * 24 * time.Hour), Scopes: shopify.DefaultScopes,
	}))
	reg, err := shop.NewRegistry(&shop.Shop{ID: refreshShopID, Platform: "shopify", Domain: refreshDomain, APIToken: "shpat_old", Timezone: "Europe/Paris"})
	require.NoError(t, err)
	r, err := shopify.NewRefresher(shopify.RefresherConfig{Client: b.client, Tokens: b.tokens, Shops: reg, Saver: b.saver})
	require.NoError(t, err)
	return &refreshBundle{testBundle: b, refresher: r, registry: reg}
}

// An expired access token is refreshed; the new refresh token is persisted
// (Shopify rotates it: the old one no longer works) and the shop record gets
// the new access token.
func TestRefreshExpiredToken(t *testing.T) {
	t.Parallel()
	b := setupRefresh(t, testNow.Add(-time.Minute))
	ctx := context.Background()

	require.NoError(t, b.refresher.RefreshDue(ctx, refreshShopID))
	access, refresh := b.fake.tokens(refreshDomain)
	require.NotEqual(t, "shprt_old", refresh)

	tok, err := b.tokens.Token(ctx, refreshShopID)
	require.NoError(t, err)
	require.Equal(t, access, tok.Access)
	require.Equal(t, refresh, tok.Refresh, "the rotated refresh token is persisted")
	require.Equal(t, testNow.Add(time.Hour), tok.Expires)
	require.Equal(t, testNow.Add(90*24*time.Hour), tok.RefreshExpires)

	s, ok := b.saver.get(refreshShopID)
	require.True(t, ok, "the shop record is saved with the new token")
	require.Equal(t, access, s.APIToken)
	require.Equal(t, "Europe/Paris", s.Timezone, "the rest of the record is kept")

	// The new access token works on the Admin API; the old refresh token
	// is spent.
	_, err = b.client.EnsureWebhooks(ctx, &shop.Shop{Domain: refreshDomain, APIToken: access}, b.public+"/webhooks/shopify")
	require.NoError(t, err)
	_, err = b.client.RefreshToken(ctx, refreshDomain, "", "shprt_old")
	require.ErrorIs(t, err, shopify.ErrReinstall)

	// Refreshed once: a second run finds nothing due.
	require.NoError(t, b.refresher.RefreshDue(ctx, refreshShopID))
	_, refreshes := b.fake.counts()
	require.Equal(t, 2, refreshes, "one by RefreshDue, one by the spent-token check")
}

// A token with plenty of life left is not refreshed; one inside the margin
// (10 % of an hour) is.
func TestRefreshOnlyWhenDue(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	b := setupRefresh(t, testNow.Add(30*time.Minute))
	require.NoError(t, b.refresher.RefreshDue(ctx, refreshShopID))
	_, refreshes := b.fake.counts()
	require.Zero(t, refreshes)
	tok, err := b.tokens.Token(ctx, refreshShopID)
	require.NoError(t, err)
	require.Equal(t, "shpat_old", tok.Access)

	b = setupRefresh(t, testNow.Add(5*time.Minute))
	require.NoError(t, b.refresher.RefreshDue(ctx, refreshShopID))
	_, refreshes = b.fake.counts()
	require.Equal(t, 1, refreshes)
	tok, err = b.tokens.Token(ctx, refreshShopID)
	require.NoError(t, err)
	require.NotEqual(t, "shpat_old", tok.Access)
}

// Shopify refusing the refresh (401) is reported clearly, as a reinstall,
// and the stored token is left as it was.
func TestRefreshRefused(t *testing.T) {
	t.Parallel()
	b := setupRefresh(t, testNow.Add(-time.Minute))
	ctx := context.Background()
	b.fake.mu.Lock()
	b.fake.refreshStatus = http.StatusUnauthorized
	b.fake.mu.Unlock()

	err := b.refresher.RefreshDue(ctx, refreshShopID)
	require.ErrorIs(t, err, shopify.ErrReinstall)
	var se *shopify.Error
	require.ErrorAs(t, err, &se)
	require.Equal(t, http.StatusUnauthorized, se.StatusCode)
	require.Equal(t, "invalid_token", se.Code)
	require.Contains(t, err.Error(), "shp-acme")
	require.Contains(t, err.Error(), "HTTP 401")
	require.Contains(t, err.Error(), "The refresh token was revoked")
	require.Contains(t, err.Error(), "install the app again")
	require.NotContains(t, err.Error(), "shprt_old", "no token in errors")

	tok, err := b.tokens.Token(ctx, refreshShopID)
	require.NoError(t, err)
	require.Equal(t, "shprt_old", tok.Refresh)
	require.Zero(t, b.saver.count())

	// A 5xx is temporary, not a reinstall.
	b.fake.mu.Lock()
	b.fake.refreshStatus = http.StatusServiceUnavailable
	b.fake.mu.Unlock()
	err = b.refresher.RefreshDue(ctx, refreshShopID)
	require.ErrorIs(t, err, shopify.ErrTemporary)
	require.NotErrorIs(t, err, shopify.ErrReinstall)
}

// A refresh token past its expiry is not even tried.
func TestRefreshTokenExpired(t *testing.T) {
	t.Parallel()
	b := setupRefresh(t, testNow.Add(-time.Minute))
	ctx := context.Background()
	require.NoError(t, b.tokens.SaveToken(ctx, refreshShopID, shopify.Token{
		Access: "shpat_old", Refresh: "shprt_old", Expires: testNow.Add(-time.Minute), RefreshExpires: testNow.Add(-time.Second),
	}))
	err := b.refresher.RefreshDue(ctx, refreshShopID)
	require.ErrorIs(t, err, shopify.ErrReinstall)
	require.Contains(t, err.Error(), "refresh token expired")
	_, refreshes := b.fake.counts()
	require.Zero(t, refreshes)
}

// Without a registry the domain comes from the shop id; a missing token is
// ErrNoToken; a non-expiring token is left alone.
func TestRefreshWithoutRegistry(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	r, err := shopify.NewRefresher(shopify.RefresherConfig{Client: b.client, Tokens: b.tokens})
	require.NoError(t, err)

	require.ErrorIs(t, r.RefreshDue(ctx, "shp-nobody"), shopify.ErrNoToken)

	require.NoError(t, b.tokens.SaveToken(ctx, "shp-forever", shopify.Token{Access: "shpat_forever"}))
	require.NoError(t, r.RefreshDue(ctx, "shp-forever"))

	b.fake.setTokens("acme.myshopify.com", "shpat_a", "shprt_a")
	require.NoError(t, b.tokens.SaveToken(ctx, "shp-acme", shopify.Token{Access: "shpat_a", Refresh: "shprt_a", Expires: testNow}))
	require.NoError(t, r.RefreshDue(ctx, "shp-acme"))
	_, refresh := b.fake.tokens("acme.myshopify.com")
	tok, err := b.tokens.Token(ctx, "shp-acme")
	require.NoError(t, err)
	require.Equal(t, refresh, tok.Refresh)
}

func TestDue(t *testing.T) {
	t.Parallel()
	require.Equal(t, 6*time.Minute, shopify.RefreshMargin(time.Hour))
	require.Equal(t, time.Hour, shopify.RefreshMargin(24*time.Hour), "at most an hour")
	tok := shopify.Token{Access: "a", Refresh: "r"}
	for _, c := range []struct {
		left time.Duration
		due  bool
	}{
		{-time.Hour, true},
		{0, true},
		{5*time.Minute + 59*time.Second, true},
		{6 * time.Minute, false},
		{59 * time.Minute, false},
	} {
		tok.Expires = testNow.Add(c.left)
		require.Equal(t, c.due, shopify.Due(tok, testNow, time.Hour), c.left)
	}
	require.False(t, shopify.Due(shopify.Token{Access: "a"}, testNow, time.Hour), "non-expiring")
}
