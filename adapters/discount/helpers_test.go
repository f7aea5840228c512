package discount_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/discount"
	"github.com/boomerang-dev/boomerang/adapters/discount/discounttest"
)

// testNow is the clock every Maker and fake in these tests share.
var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func fixedNow() time.Time { return testNow }

// setupOpts adjusts a bundle.
type setupOpts struct {
	// badCredential gives the Maker a wrong token or secret.
	badCredential bool
	// now is the Maker's clock. Default fixedNow.
	now func() time.Time
}

// testBundle is a Maker talking to a fake platform.
type testBundle struct {
	maker  discount.Maker
	fake   discounttest.Fake
	server *httptest.Server
	// secret is the credential the Maker holds, which must never show up in
	// an error.
	secret string
}

// platform is one platform under the shared suite.
type platform struct {
	name  string
	setup func(t *testing.T, o setupOpts) *testBundle
}

// platforms lists the three Makers; WooCommerce runs over plain HTTP
// (OAuth 1.0a) and HTTPS (Basic).
var platforms = []platform{
	{name: "shopify", setup: setupShopify},
	{name: "bigcommerce", setup: setupBigCommerce},
	{name: "woocommerce-http", setup: func(t *testing.T, o setupOpts) *testBundle { t.Helper(); return setupWoo(t, o, false) }},
	{name: "woocommerce-https", setup: func(t *testing.T, o setupOpts) *testBundle { t.Helper(); return setupWoo(t, o, true) }},
}

func (o setupOpts) clock() func() time.Time {
	if o.now != nil {
		return o.now
	}
	return fixedNow
}

func setupShopify(t *testing.T, o setupOpts) *testBundle {
	t.Helper()
	fake := discounttest.NewShopify(t)
	token := fake.AccessToken
	if o.badCredential {
		token = "shpat_wrong_token_9876543210"
	}
	m, err := discount.NewShopify(discount.ShopifyConfig{BaseURL: fake.BaseURL, AccessToken: token, Now: o.clock()})
	require.NoError(t, err)
	return &testBundle{maker: m, fake: fake, server: fake.Server, secret: token}
}

func setupBigCommerce(t *testing.T, o setupOpts) *testBundle {
	t.Helper()
	fake := discounttest.NewBigCommerce(t)
	token := fake.AccessToken
	if o.badCredential {
		token = "bc_wrong_token_9876543210"
	}
	m, err := discount.NewBigCommerce(discount.BigCommerceConfig{BaseURL: fake.BaseURL, AccessToken: token, Now: o.clock()})
	require.NoError(t, err)
	return &testBundle{maker: m, fake: fake, server: fake.Server, secret: token}
}

func setupWoo(t *testing.T, o setupOpts, tls bool) *testBundle {
	t.Helper()
	m, fake := newWoo(t, o, tls, nil)
	secret := fake.ConsumerSecret
	if o.badCredential {
		secret = "cs_wrong_secret_9876543210"
	}
	return &testBundle{maker: m, fake: fake, server: fake.Server, secret: secret}
}

// newWoo starts a fake WooCommerce site and a Maker for it; mutate adjusts
// the Config.
func newWoo(t *testing.T, o setupOpts, tls bool, mutate func(*discount.WooCommerceConfig)) (*discount.WooCommerce, *discounttest.WooCommerce) {
	t.Helper()
	fake := discounttest.NewWooCommerce(t, tls)
	fake.Now = fixedNow
	cfg := discount.WooCommerceConfig{
		SiteURL:        fake.SiteURL,
		ConsumerKey:    fake.ConsumerKey,
		ConsumerSecret: fake.ConsumerSecret,
		Now:            o.clock(),
	}
	if o.badCredential {
		cfg.ConsumerSecret = "cs_wrong_secret_9876543210"
	}
	if tls {
		cfg.HTTPClient = fake.Server.Client()
	}
	if mutate != nil {
		mutate(&cfg)
	}
	m, err := discount.NewWooCommerce(cfg)
	require.NoError(t, err)
	return m, fake
}

// requireKind checks err is an *Error of kind with the given status (0:
// any) and never holds secret, and returns a copy of it.
func requireKind(t *testing.T, err, kind error, status int, secret string) discount.Error {
	t.Helper()
	require.Error(t, err)
	require.ErrorIs(t, err, kind)
	var de *discount.Error
	require.ErrorAs(t, err, &de)
	if status != 0 {
		require.Equal(t, status, de.StatusCode)
	}
	if secret != "" {
		require.NotContains(t, err.Error(), secret)
	}
	return *de
}

// productIDs strips Shopify's GID prefix so every platform compares alike.
func productIDs(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		out = append(out, strings.TrimPrefix(id, "gid://shopify/Product/"))
	}
	return out
}

// hdr builds a header.
func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}
