package discount_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/discount"
	"github.com/boomerang-dev/boomerang/adapters/discount/discounttest"
)

func TestWooCommerceAuthModes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		tls, query bool
		want       string
	}{
		{"https basic", true, false, discounttest.WooAuthBasic},
		{"https query keys", true, true, discounttest.WooAuthQuery},
		{"http oauth1", false, false, discounttest.WooAuthOAuth},
		{"http ignores query keys", false, true, discounttest.WooAuthOAuth},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, fake := newWoo(t, setupOpts{}, tt.tls, func(c *discount.WooCommerceConfig) { c.QueryStringAuth = tt.query })
			created, err := m.Ensure(t.Context(), discount.Code{Code: "AUTH-1", Percent: 10})
			require.NoError(t, err)
			require.True(t, created)
			require.Equal(t, tt.want, fake.LastAuth())
			require.Equal(t, 1, fake.Lookups())
			require.Equal(t, 1, fake.Creates())
		})
	}
}

func TestWooCommerceOAuthSignsAwkwardCodes(t *testing.T) {
	t.Parallel()
	m, fake := newWoo(t, setupOpts{}, false, nil)
	for _, code := range []string{"SAVE 10+~", "ÉTÉ-20%", "a&b=c;d/e?f"} {
		created, err := m.Ensure(t.Context(), discount.Code{Code: code, Percent: 10})
		require.NoError(t, err, code)
		require.True(t, created, code)
		require.Equal(t, discounttest.WooAuthOAuth, fake.LastAuth())
	}
	require.Len(t, fake.Discounts(), 3)
}

func TestWooCommerceOAuthClockSkewIsRefused(t *testing.T) {
	t.Parallel()
	late := func() time.Time { return testNow.Add(time.Hour) }
	m, fake := newWoo(t, setupOpts{now: late}, false, nil)
	_, err := m.Ensure(t.Context(), discount.Code{Code: "SKEW-1", Percent: 10})
	de := requireKind(t, err, discount.ErrPermanent, 401, fake.ConsumerSecret)
	require.Equal(t, []string{"woocommerce_rest_authentication_error: Invalid timestamp."}, de.Messages)
}

func TestWooCommerceCreateBody(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		code discount.Code
		want string
	}{
		{
			name: "percent, expiring",
			code: discount.Code{Code: "COMEBACK-7KQ2XW9A", Title: "Boomerang abandoned-checkout", Percent: 10, ExpiresAt: testNow.Add(72 * time.Hour)},
			want: `{"code":"COMEBACK-7KQ2XW9A","discount_type":"percent","amount":"10","description":"Boomerang abandoned-checkout",
				"date_expires_gmt":"2026-03-04T12:00:00","individual_use":true,"usage_limit":1,"usage_limit_per_user":1,"free_shipping":false}`,
		},
		{
			name: "amount off products",
			code: discount.Code{Code: "XSELL-1", Amount: "7.50", ProductIDs: []string{"93", "94"}, UsageLimit: 2},
			want: `{"code":"XSELL-1","discount_type":"fixed_cart","amount":"7.50","description":"Boomerang","date_expires_gmt":null,
				"individual_use":true,"product_ids":[93,94],"usage_limit":2,"usage_limit_per_user":1,"free_shipping":false}`,
		},
		{
			name: "free shipping",
			code: discount.Code{Code: "SHIP-1", FreeShipping: true},
			want: `{"code":"SHIP-1","discount_type":"fixed_cart","amount":"0","description":"Boomerang","date_expires_gmt":null,
				"individual_use":true,"usage_limit":1,"usage_limit_per_user":1,"free_shipping":true}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, fake := newWoo(t, setupOpts{}, true, nil)
			_, err := m.Ensure(t.Context(), tt.code)
			require.NoError(t, err)
			d, ok := fake.Discount(tt.code.Code)
			require.True(t, ok)
			require.JSONEq(t, tt.want, string(d.Raw))
		})
	}
}

func TestWooCommerceOtherBadRequestIsPermanent(t *testing.T) {
	t.Parallel()
	m, fake := newWoo(t, setupOpts{}, true, nil)
	fake.Respond(discounttest.Response{Status: 200, Body: `[]`})
	fake.Respond(discounttest.Response{Status: 400, Body: `{"code":"rest_invalid_param","message":"Invalid parameter(s): amount","data":{"status":400}}`})
	_, err := m.Ensure(t.Context(), discount.Code{Code: "BAD-1", Percent: 10})
	de := requireKind(t, err, discount.ErrPermanent, 400, fake.ConsumerSecret)
	require.Equal(t, []string{"rest_invalid_param: Invalid parameter(s): amount"}, de.Messages)
}

func TestWooCommerceQueryKeysNeverInErrors(t *testing.T) {
	t.Parallel()
	m, fake := newWoo(t, setupOpts{}, true, func(c *discount.WooCommerceConfig) { c.QueryStringAuth = true })
	fake.Server.Close()
	_, err := m.Ensure(t.Context(), discount.Code{Code: "LEAK-1", Percent: 10})
	requireKind(t, err, discount.ErrTemporary, 0, fake.ConsumerSecret)
	require.NotContains(t, err.Error(), fake.ConsumerKey)
	require.NotContains(t, err.Error(), "consumer_secret")
}

func TestWooCommerceRedirectIsPermanent(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://www.shop.example/wp-json/wc/v3/coupons?oauth_signature=x", http.StatusMovedPermanently)
	}))
	t.Cleanup(srv.Close)
	m, err := discount.NewWooCommerce(discount.WooCommerceConfig{SiteURL: srv.URL, ConsumerKey: "ck_1", ConsumerSecret: "cs_1"})
	require.NoError(t, err)
	_, err = m.Ensure(t.Context(), discount.Code{Code: "MOVED-1", Percent: 10})
	requireKind(t, err, discount.ErrPermanent, http.StatusMovedPermanently, "cs_1")
	require.Contains(t, err.Error(), "redirected to https://www.shop.example/wp-json/wc/v3/coupons;")
}

func TestNewWooCommerceValidates(t *testing.T) {
	t.Parallel()
	_, err := discount.NewWooCommerce(discount.WooCommerceConfig{ConsumerKey: "ck", ConsumerSecret: "cs"})
	require.ErrorContains(t, err, "SiteURL")
	_, err = discount.NewWooCommerce(discount.WooCommerceConfig{SiteURL: "ftp://shop.example", ConsumerKey: "ck", ConsumerSecret: "cs"})
	require.ErrorContains(t, err, "scheme")
	_, err = discount.NewWooCommerce(discount.WooCommerceConfig{SiteURL: "https://shop.example", ConsumerKey: "ck"})
	require.ErrorContains(t, err, "ConsumerSecret")
}
