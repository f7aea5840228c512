package shopify_test

import (
	"maps"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/install/shopify"
)

// Shopify's documented examples (secret "hush").
func TestVerifyQueryDocumentedVectors(t *testing.T) {
	t.Parallel()
	withState, err := url.ParseQuery("code=0907a61c0c8d55e99db179b68161bc00&hmac=700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf&shop=some-shop.myshopify.com&state=0.6784241404160823&timestamp=1337178173")
	require.NoError(t, err)
	require.Equal(t, "code=0907a61c0c8d55e99db179b68161bc00&shop=some-shop.myshopify.com&state=0.6784241404160823&timestamp=1337178173", shopify.QueryMessage(withState))
	require.True(t, shopify.VerifyQuery("hush", withState))

	noState, err := url.ParseQuery("code=0907a61c0c8d55e99db179b68161bc00&hmac=4712bf92ffc2917d15a2f5a273e39f0116667419aa4b6ac0b3baaf26fa3c4d20&shop=some-shop.myshopify.com&timestamp=1337178173")
	require.NoError(t, err)
	require.True(t, shopify.VerifyQuery("hush", noState))

	require.False(t, shopify.VerifyQuery("other", withState))
	require.False(t, shopify.VerifyQuery("", withState))
	upper := url.Values{}
	maps.Copy(upper, withState)
	upper.Set("hmac", strings.ToUpper(withState.Get("hmac")))
	require.True(t, shopify.VerifyQuery("hush", upper), "hex case does not matter")

	tampered, _ := url.ParseQuery(withState.Encode())
	tampered.Set("shop", "other-shop.myshopify.com")
	require.False(t, shopify.VerifyQuery("hush", tampered))
	twice, _ := url.ParseQuery(withState.Encode())
	twice.Add("hmac", withState.Get("hmac"))
	require.False(t, shopify.VerifyQuery("hush", twice), "two hmac parameters")
	short, _ := url.ParseQuery(withState.Encode())
	short.Set("hmac", withState.Get("hmac")[:62])
	require.False(t, shopify.VerifyQuery("hush", short))
}

// The message encodes as Shopify's libraries do: %20 for a space, form
// encoding for the rest, signature left out, repeated values joined.
func TestQueryMessageEncoding(t *testing.T) {
	t.Parallel()
	q := url.Values{
		"custom":    {"hello world"},
		"shop":      {"myshop.myshopify.com"},
		"timestamp": {"1"},
		"signature": {"x"},
		"hmac":      {"y"},
		"amp":       {"a&b=c%d+e~f*"},
		"ids[]":     {"1", "2"},
	}
	require.Equal(t, "amp=a%26b%3Dc%25d%2Be%7Ef*&custom=hello%20world&ids%5B%5D=1%2C2&shop=myshop.myshopify.com&timestamp=1", shopify.QueryMessage(q))
	q.Set("hmac", shopify.SignQuery("k", q))
	require.True(t, shopify.VerifyQuery("k", q))
}

func TestValidShopDomain(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"acme.myshopify.com", "ACME-store2.myshopify.com", "a.myshopify.com", strings.Repeat("a", 63) + ".myshopify.com"} {
		require.True(t, shopify.ValidShopDomain(ok), ok)
	}
	for _, bad := range []string{
		"", ".myshopify.com", "-a.myshopify.com", "a_b.myshopify.com", "a.b.myshopify.com",
		"a.myshopify.com.", "a.myshopify.com\n", "a.myshopify.io", "myshopify.com",
		"a.myshopify.com/x", "a.myshopify.com:1", "user@a.myshopify.com", strings.Repeat("a", 64) + ".myshopify.com",
	} {
		require.False(t, shopify.ValidShopDomain(bad), bad)
	}
	require.Equal(t, "shp-acme-store2", shopify.ShopID("ACME-store2.myshopify.com"))
}

func TestMissingScopes(t *testing.T) {
	t.Parallel()
	asked := []string{"read_orders", "read_customers", "write_discounts", "unauthenticated_read_checkouts"}
	require.Empty(t, shopify.MissingScopes(asked, []string{"write_orders", "read_customers", "write_discounts", "unauthenticated_write_checkouts"}))
	require.Equal(t, []string{"read_customers", "write_discounts"}, shopify.MissingScopes(asked, []string{"read_orders", "read_discounts", "unauthenticated_read_checkouts"}))
	require.Equal(t, []string{"read_orders", "read_customers"}, shopify.ParseScopes(" read_orders, ,read_customers,"))
}

// The timestamp window is configurable and symmetric; the test clock
// decides.
func TestToleranceIsConfigurable(t *testing.T) {
	t.Parallel()
	b := setup(t)
	mux := newMux(t, b, time.Minute)
	for at, want := range map[time.Time]int{
		testNow.Add(-50 * time.Second): 302,
		testNow.Add(70 * time.Second):  401,
		testNow.Add(-70 * time.Second): 401,
	} {
		require.Equal(t, want, serve(t, mux, shopify.InstallPath, installQuery("acme.myshopify.com", at)), at)
	}
}
