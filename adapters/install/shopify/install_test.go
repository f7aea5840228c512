package shopify_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/install/shopify"
)

// The whole install: Shopify's request to the app URL, the redirect to the
// authorize page, the merchant's approval, the callback, the code exchange,
// the token sealed in Redis, the shop saved and its webhooks subscribed.
func TestInstallEndToEnd(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	const domain = "acme-store.myshopify.com"

	auth := b.startInstall(t, domain)
	require.Equal(t, testAPIKey, auth.Get("client_id"))
	require.Equal(t, "read_customers,read_fulfillments,read_orders,read_products,write_discounts", auth.Get("scope"))
	require.Equal(t, b.public+"/install/shopify/callback", auth.Get("redirect_uri"))
	require.Regexp(t, `^[A-Za-z0-9_-]{43}$`, auth.Get("state"))
	require.Empty(t, auth["grant_options[]"], "offline access: no per-user grant")

	res := b.get(t, shopify.CallbackPath, callbackQuery(domain, b.fake.approve(domain), auth.Get("state"), testNow))
	require.Equal(t, http.StatusOK, res.status, res.body)
	require.Contains(t, res.body, "Boomerang is installed")
	require.Contains(t, res.body, domain)

	// The code was exchanged for an expiring token.
	b.fake.mu.Lock()
	exchange := b.fake.lastExchange
	b.fake.mu.Unlock()
	require.Equal(t, "1", exchange["expiring"])
	access, refresh := b.fake.tokens(domain)
	require.NotEmpty(t, refresh)

	// The token is sealed: Redis holds neither token in clear.
	keys, err := b.env.Client.Keys(ctx, b.env.Prefix+":install:token:*").Result()
	require.NoError(t, err)
	require.Len(t, keys, 1)
	raw, err := b.env.Client.Get(ctx, keys[0]).Result()
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(raw, "k1:"), raw)
	require.NotContains(t, raw, access)
	require.NotContains(t, raw, refresh)
	require.NotContains(t, raw, "shpat_")

	tok, err := b.tokens.Token(ctx, "shp-acme-store")
	require.NoError(t, err)
	require.Equal(t, access, tok.Access)
	require.Equal(t, refresh, tok.Refresh)
	require.Equal(t, testNow.Add(time.Hour), tok.Expires)
	require.Equal(t, testNow.Add(90*24*time.Hour), tok.RefreshExpires)
	require.ElementsMatch(t, shopify.DefaultScopes, tok.Scopes)

	// The shop is saved with what the shared contract names.
	s, ok := b.saver.get("shp-acme-store")
	require.True(t, ok)
	require.Equal(t, "shopify", s.Platform)
	require.Equal(t, domain, s.Domain)
	require.Empty(t, s.APIURL, "the platform-wide BOOMERANG_SHOPIFY_URL applies")
	require.Equal(t, access, s.APIToken)
	require.Equal(t, testAPISecret, s.WebhookSecret, "Shopify signs webhooks with the app secret")
	require.Equal(t, "Europe/Paris", s.Timezone)
	require.Equal(t, `"Acme & Co" <hello@acme.example>`, s.Email.From)

	// Every topic is subscribed, in JSON, to the ingest path.
	subs := b.fake.subs(domain)
	var topics []string
	for _, sub := range subs {
		require.Equal(t, b.public+"/webhooks/shopify", sub.URI)
		require.Equal(t, "JSON", sub.Format)
		topics = append(topics, sub.Topic)
	}
	require.ElementsMatch(t, shopify.WebhookTopics(), topics)
}

// A query whose HMAC does not match is refused with 401 at both steps, and
// nothing happens.
func TestInstallRefusesForgedHMAC(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const domain = "acme.myshopify.com"

	forged := installQuery(domain, testNow)
	forged.Set("hmac", strings.Repeat("ab", 32))
	res := b.get(t, shopify.InstallPath, forged)
	require.Equal(t, http.StatusUnauthorized, res.status)
	require.Contains(t, res.body, "not signed by Shopify")

	// Signed with another secret.
	fresh := strconv.FormatInt(testNow.Unix(), 10)
	other := shopifySign("not-the-secret", url.Values{"shop": {domain}, "timestamp": {fresh}})
	require.Equal(t, http.StatusUnauthorized, b.get(t, shopify.InstallPath, other).status)

	// A parameter changed after signing.
	tampered := installQuery(domain, testNow)
	tampered.Set("host", "ZXZpbA")
	require.Equal(t, http.StatusUnauthorized, b.get(t, shopify.InstallPath, tampered).status)

	// No hmac at all.
	unsigned := url.Values{"shop": {domain}, "timestamp": {fresh}}
	require.Equal(t, http.StatusUnauthorized, b.get(t, shopify.InstallPath, unsigned).status)

	// A forged callback, with a real state.
	auth := b.startInstall(t, domain)
	q := callbackQuery(domain, b.fake.approve(domain), auth.Get("state"), testNow)
	q.Set("code", "attacker-code")
	require.Equal(t, http.StatusUnauthorized, b.get(t, shopify.CallbackPath, q).status)
	exchanges, _ := b.fake.counts()
	require.Zero(t, exchanges, "no code is exchanged for a forged callback")
	require.Zero(t, b.saver.count())

	// The forged callback did not burn the state: the real one still works.
	res = b.get(t, shopify.CallbackPath, callbackQuery(domain, b.fake.approve(domain), auth.Get("state"), testNow))
	require.Equal(t, http.StatusOK, res.status, res.body)
}

// A timestamp more than five minutes away, either way, is refused.
func TestInstallRefusesStaleTimestamp(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const domain = "acme.myshopify.com"

	for _, at := range []time.Time{testNow.Add(-6 * time.Minute), testNow.Add(6 * time.Minute)} {
		res := b.get(t, shopify.InstallPath, installQuery(domain, at))
		require.Equal(t, http.StatusUnauthorized, res.status, at)
		require.Contains(t, res.body, "expired")
	}
	require.Equal(t, http.StatusFound, b.get(t, shopify.InstallPath, installQuery(domain, testNow.Add(-4*time.Minute))).status)

	// A stale callback (a callback link replayed later) is refused too.
	auth := b.startInstall(t, domain)
	res := b.get(t, shopify.CallbackPath, callbackQuery(domain, b.fake.approve(domain), auth.Get("state"), testNow.Add(-time.Hour)))
	require.Equal(t, http.StatusUnauthorized, res.status)
	require.Zero(t, b.saver.count())

	// A timestamp that is not a number.
	q := shopifySign(testAPISecret, url.Values{"shop": {domain}, "timestamp": {"yesterday"}})
	require.Equal(t, http.StatusUnauthorized, b.get(t, shopify.InstallPath, q).status)
}

// A shop parameter that is not a myshopify domain is refused with 400, even
// when signed: the token call would send the secret to that host.
func TestInstallRefusesBadShopDomain(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, domain := range []string{
		"evil.example.com",
		"acme.myshopify.com.evil.example",
		"-acme.myshopify.com",
		"acme.myshopify.com/admin",
		"acme.myshopify.com:8443",
		"https://acme.myshopify.com",
		"acme_store.myshopify.com",
		".myshopify.com",
		"",
	} {
		res := b.get(t, shopify.InstallPath, installQuery(domain, testNow))
		require.Equal(t, http.StatusBadRequest, res.status, domain)
		require.Contains(t, res.body, "myshopify.com", domain)
	}
	// The shop given twice is refused too.
	q := installQuery("acme.myshopify.com", testNow)
	q.Add("shop", "other.myshopify.com")
	require.Equal(t, http.StatusBadRequest, b.get(t, shopify.InstallPath, q).status)
}

// A state is taken once: replaying a callback, even with a fresh code and a
// fresh signature, is refused.
func TestCallbackRefusesStateUsedTwice(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const domain = "acme.myshopify.com"
	auth := b.startInstall(t, domain)
	first := callbackQuery(domain, b.fake.approve(domain), auth.Get("state"), testNow)
	require.Equal(t, http.StatusOK, b.get(t, shopify.CallbackPath, first).status)

	res := b.get(t, shopify.CallbackPath, first)
	require.Equal(t, http.StatusForbidden, res.status)
	require.Contains(t, res.body, "already used")

	again := callbackQuery(domain, b.fake.approve(domain), auth.Get("state"), testNow.Add(time.Second))
	require.Equal(t, http.StatusForbidden, b.get(t, shopify.CallbackPath, again).status)
	exchanges, _ := b.fake.counts()
	require.Equal(t, 1, exchanges)

	// A state Boomerang never issued.
	unknown := callbackQuery(domain, b.fake.approve(domain), strings.Repeat("A", 43), testNow)
	require.Equal(t, http.StatusForbidden, b.get(t, shopify.CallbackPath, unknown).status)
	// A state of the wrong shape never reaches Redis.
	bad := callbackQuery(domain, b.fake.approve(domain), "short", testNow)
	require.Equal(t, http.StatusForbidden, b.get(t, shopify.CallbackPath, bad).status)
}

// The state is bound to the shop it was issued for.
func TestCallbackRefusesStateOfAnotherShop(t *testing.T) {
	t.Parallel()
	b := setup(t)
	auth := b.startInstall(t, "victim.myshopify.com")
	q := callbackQuery("attacker.myshopify.com", b.fake.approve("attacker.myshopify.com"), auth.Get("state"), testNow)
	res := b.get(t, shopify.CallbackPath, q)
	require.Equal(t, http.StatusForbidden, res.status)
	require.Contains(t, res.body, "another store")
	exchanges, _ := b.fake.counts()
	require.Zero(t, exchanges)
	require.Zero(t, b.saver.count())
}

// A grant missing an asked scope is refused with a page naming it, and
// nothing is stored.
func TestCallbackRefusesMissingScope(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const domain = "acme.myshopify.com"
	b.fake.mu.Lock()
	b.fake.granted = "read_customers,read_orders,read_products"
	b.fake.mu.Unlock()

	auth := b.startInstall(t, domain)
	res := b.get(t, shopify.CallbackPath, callbackQuery(domain, b.fake.approve(domain), auth.Get("state"), testNow))
	require.Equal(t, http.StatusForbidden, res.status)
	require.Contains(t, res.body, "Permissions missing")
	require.Contains(t, res.body, "<code>read_fulfillments</code>")
	require.Contains(t, res.body, "<code>write_discounts</code>")
	require.NotContains(t, res.body, "<code>read_orders</code>")

	_, err := b.tokens.Token(context.Background(), "shp-acme")
	require.ErrorIs(t, err, shopify.ErrNoToken)
	require.Zero(t, b.saver.count())
	require.Empty(t, b.fake.subs(domain))
}

// A write scope covers its read scope, as Shopify grants it.
func TestCallbackAcceptsImpliedScope(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const domain = "acme.myshopify.com"
	b.fake.mu.Lock()
	b.fake.granted = "read_customers,read_fulfillments,write_orders,read_products,write_discounts"
	b.fake.mu.Unlock()
	auth := b.startInstall(t, domain)
	res := b.get(t, shopify.CallbackPath, callbackQuery(domain, b.fake.approve(domain), auth.Get("state"), testNow))
	require.Equal(t, http.StatusOK, res.status, res.body)
}

// A callback with a refused code answers 502 and stores nothing.
func TestCallbackReportsRefusedCode(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const domain = "acme.myshopify.com"
	auth := b.startInstall(t, domain)
	res := b.get(t, shopify.CallbackPath, callbackQuery(domain, "never-issued", auth.Get("state"), testNow))
	require.Equal(t, http.StatusBadGateway, res.status)
	require.Zero(t, b.saver.count())
}

// The install state lives ten minutes.
func TestInstallStateTTL(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	auth := b.startInstall(t, "acme.myshopify.com")
	keys, err := b.env.Client.Keys(ctx, b.env.Prefix+":install:state:*").Result()
	require.NoError(t, err)
	require.Len(t, keys, 1)
	require.Contains(t, keys[0], auth.Get("state"))
	ttl, err := b.env.Client.PTTL(ctx, keys[0]).Result()
	require.NoError(t, err)
	require.Greater(t, ttl, 9*time.Minute)
	require.LessOrEqual(t, ttl, 10*time.Minute)
}

// Mount refuses an incomplete configuration.
func TestMountValidatesConfig(t *testing.T) {
	t.Parallel()
	b := setup(t)
	full := shopify.Config{Client: b.client, PublicURL: "https://boomerang.example", States: b.states, Tokens: b.tokens, Saver: b.saver}
	require.NoError(t, shopify.Mount(http.NewServeMux(), full))
	for name, mutate := range map[string]func(*shopify.Config){
		"no client":     func(c *shopify.Config) { c.Client = nil },
		"no states":     func(c *shopify.Config) { c.States = nil },
		"no tokens":     func(c *shopify.Config) { c.Tokens = nil },
		"no saver":      func(c *shopify.Config) { c.Saver = nil },
		"no public URL": func(c *shopify.Config) { c.PublicURL = "" },
		"relative URL":  func(c *shopify.Config) { c.PublicURL = "/boomerang" },
		"bad scope":     func(c *shopify.Config) { c.Scopes = []string{"read_orders,write_orders"} },
	} {
		c := full
		mutate(&c)
		require.Error(t, shopify.Mount(http.NewServeMux(), c), name)
	}
	require.Error(t, shopify.Mount(nil, full))
}
