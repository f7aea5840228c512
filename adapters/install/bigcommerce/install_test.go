package bigcommerce_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	bcadapter "github.com/boomerang-dev/boomerang/adapters/bigcommerce"
	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/adapters/install/bigcommerce"
	"github.com/boomerang-dev/boomerang/adapters/shop"
)

func TestInstallEndToEnd(t *testing.T) {
	t.Parallel()
	b := setup(t)
	page := b.install(t, storeHash)
	require.Contains(t, page, "Boomerang is installed")
	require.Contains(t, page, storeHash)

	// The code was exchanged once, with the documented body.
	reqs := b.login.Requests()
	require.Len(t, reqs, 1)
	require.Equal(t, map[string]string{
		"client_id": clientID, "client_secret": clientSecret, "code": "qr6h3thvbvag2ffq0",
		"context": "stores/" + storeHash, "scope": grantScope, "grant_type": "authorization_code",
		"redirect_uri": b.boomerang.URL + "/install/bigcommerce/auth",
	}, reqs[0])

	// The shop was saved with the token, the client secret and a header secret.
	s := b.saver.load(t, "bc-"+storeHash)
	require.NotNil(t, s)
	require.Equal(t, "bigcommerce", s.Platform)
	require.Equal(t, storeHash, s.Domain)
	require.Equal(t, b.login.tokens[storeHash], s.APIToken)
	require.Equal(t, clientSecret, s.WebhookSecret)
	require.Len(t, s.HeaderSecret, 43)
	require.Equal(t, "Europe/London", s.Timezone)
	require.True(t, strings.HasPrefix(s.PublicKey, "pk_"), s.PublicKey)
	require.NotContains(t, page, s.APIToken)
	require.NotContains(t, page, s.HeaderSecret)
	require.Contains(t, page, s.PublicKey, "the page shows the snippet with the public key")

	// One active hook per scope the adapter uses, with the header secret.
	hooks := b.api.Hooks(storeHash)
	require.Len(t, hooks, len(bcadapter.Scopes()))
	var scopes []string
	for _, h := range hooks {
		scopes = append(scopes, h.Scope)
		require.Equal(t, b.boomerang.URL+"/webhooks/bigcommerce", h.Destination)
		require.True(t, h.IsActive)
		require.Equal(t, map[string]string{bcadapter.HeaderSecret: s.HeaderSecret}, h.Headers)
	}
	require.ElementsMatch(t, bcadapter.Scopes(), scopes)

	// A delivery as BigCommerce sends it on those hooks passes the adapter's
	// checks with the saved shop; without the custom header it does not.
	body := []byte(`{"scope":"store/order/created","store_id":"1025646","data":{"type":"order","id":250},` +
		`"hash":"dd70c0976e06b67aaf671e73f49dcb79230ebf9d","created_at":1561479335,"producer":"stores/` + storeHash + `"}`)
	ts := strconv.FormatInt(testNow.Unix(), 10)
	req := &ingest.Request{Header: http.Header{}, Body: body, ReceivedAt: testNow}
	req.Header.Set(bcadapter.HeaderWebhookID, "msg_1")
	req.Header.Set(bcadapter.HeaderWebhookTimestamp, ts)
	req.Header.Set(bcadapter.HeaderWebhookSignature, bcadapter.SignatureHeader(bcadapter.Sign(clientSecret, "msg_1", ts, body)))
	adapter := bcadapter.New()
	domain, err := adapter.Identify(req)
	require.NoError(t, err)
	require.Equal(t, s.Domain, domain)
	require.ErrorIs(t, adapter.Verify(s, req), ingest.ErrSignature)
	for k, v := range hooks[0].Headers {
		req.Header.Set(k, v)
	}
	require.NoError(t, adapter.Verify(s, req))
}

func TestInstallAgainRepairsHooksWithoutDuplicates(t *testing.T) {
	t.Parallel()
	b := setup(t)
	dest := b.boomerang.URL + "/webhooks/bigcommerce"
	// Left from an earlier install: one deactivated hook, one with an old
	// header, and a hook of another app destination that is not ours.
	b.api.add(storeHash, apiHook{
		Scope: "store/order/created", Destination: dest, IsActive: false,
		Headers: map[string]string{bcadapter.HeaderSecret: "old"},
	})
	b.api.add(storeHash, apiHook{Scope: "store/cart/abandoned", Destination: dest + "/", IsActive: true})
	b.api.add(storeHash, apiHook{Scope: "store/order/created", Destination: "https://other.example/hooks", IsActive: true})

	b.install(t, storeHash)
	posts, puts := b.api.Writes()
	require.Equal(t, len(bcadapter.Scopes())-2, posts)
	require.Equal(t, 2, puts)
	s := b.saver.load(t, "bc-"+storeHash)
	hooks := b.api.Hooks(storeHash)
	require.Len(t, hooks, len(bcadapter.Scopes())+1)
	for _, h := range hooks {
		if h.Destination == "https://other.example/hooks" {
			require.Empty(t, h.Headers, "another destination's hook is left alone")
			continue
		}
		require.True(t, h.IsActive, h.Scope)
		require.Equal(t, s.HeaderSecret, h.Headers[bcadapter.HeaderSecret], h.Scope)
	}

	// A re-authorisation (new code, new header secret) updates every hook
	// and creates none.
	b.install(t, storeHash)
	posts2, puts2 := b.api.Writes()
	require.Equal(t, posts, posts2)
	require.Equal(t, puts+len(bcadapter.Scopes()), puts2)
	s2 := b.saver.load(t, "bc-"+storeHash)
	require.NotEqual(t, s.HeaderSecret, s2.HeaderSecret)
	require.Equal(t, s.PublicKey, s2.PublicKey, "the public key survives a reinstall")
	require.Len(t, b.api.Hooks(storeHash), len(bcadapter.Scopes())+1)
	for _, h := range b.api.Hooks(storeHash) {
		if h.Destination != "https://other.example/hooks" {
			require.Equal(t, s2.HeaderSecret, h.Headers[bcadapter.HeaderSecret])
		}
	}
}

func TestInstallTwoStoresStayApart(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const other = "z4zn3wo"
	dest := b.boomerang.URL + "/webhooks/bigcommerce"
	b.api.add(other, apiHook{Scope: "store/cart/created", Destination: dest, IsActive: true})
	b.install(t, storeHash)
	b.install(t, other)
	one, two := b.saver.load(t, "bc-"+storeHash), b.saver.load(t, "bc-"+other)
	require.Equal(t, other, two.Domain)
	require.NotEqual(t, one.APIToken, two.APIToken)
	require.NotEqual(t, one.HeaderSecret, two.HeaderSecret)
	require.NotEqual(t, one.PublicKey, two.PublicKey)
	require.Len(t, b.api.Hooks(storeHash), len(bcadapter.Scopes()))
	require.Len(t, b.api.Hooks(other), len(bcadapter.Scopes()), "the other store's existing hook was updated, not duplicated")
	for _, h := range b.api.Hooks(other) {
		require.Equal(t, two.HeaderSecret, h.Headers[bcadapter.HeaderSecret])
	}
}

func TestInstallManyHooksArePaged(t *testing.T) {
	t.Parallel()
	b := setup(t)
	// 120 hooks of other destinations push ours past the first page of 100.
	for i := range 120 {
		b.api.add(storeHash, apiHook{Scope: "store/product/updated", Destination: "https://x.example/" + strconv.Itoa(i), IsActive: true})
	}
	b.install(t, storeHash)
	b.install(t, storeHash)
	posts, _ := b.api.Writes()
	require.Equal(t, len(bcadapter.Scopes()), posts, "the second install found every hook")
}

func TestInstallRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		adjust func(*bigcommerce.Config)
		path   func(b *testBundle) string
		prep   func(b *testBundle)
		status int
		text   string
	}{
		{
			name:   "no code",
			path:   func(*testBundle) string { return authPath("", grantScope, storeHash) },
			status: http.StatusBadRequest, text: "incomplete",
		},
		{
			name:   "context is not a store",
			path:   func(b *testBundle) string { return authPath(b.login.code(storeHash), grantScope, "../x") },
			status: http.StatusBadRequest, text: "incomplete",
		},
		{
			name:   "unknown code",
			path:   func(*testBundle) string { return authPath("nope", grantScope, storeHash) },
			status: http.StatusBadGateway, text: "did not confirm",
		},
		{
			name:   "code of another store",
			path:   func(b *testBundle) string { return authPath(b.login.code("other1"), grantScope, storeHash) },
			status: http.StatusBadGateway, text: "did not confirm",
		},
		{
			name:   "token names another context",
			prep:   func(b *testBundle) { b.login.contextOverride = "stores/zzz999" },
			path:   func(b *testBundle) string { return authPath(b.login.code(storeHash), grantScope, storeHash) },
			status: http.StatusBadGateway, text: "did not confirm",
		},
		{
			name: "scope missing from the callback",
			adjust: func(c *bigcommerce.Config) {
				c.RequiredScopes = []string{"store_v2_orders_read_only", "store_v2_marketing"}
			},
			path:   func(b *testBundle) string { return authPath(b.login.code(storeHash), grantScope, storeHash) },
			status: http.StatusForbidden, text: "store_v2_marketing",
		},
		{
			name:   "scope missing from the token",
			adjust: func(c *bigcommerce.Config) { c.RequiredScopes = []string{"store_cart_read_only"} },
			prep:   func(b *testBundle) { b.login.scope = "store_v2_orders" },
			path:   func(b *testBundle) string { return authPath(b.login.code(storeHash), grantScope, storeHash) },
			status: http.StatusForbidden, text: "store_cart_read_only",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var adjust []func(*bigcommerce.Config)
			if tt.adjust != nil {
				adjust = append(adjust, tt.adjust)
			}
			b := setup(t, adjust...)
			if tt.prep != nil {
				tt.prep(b)
			}
			status, body := b.get(t, tt.path(b))
			require.Equal(t, tt.status, status, body)
			require.Contains(t, body, tt.text)
			require.NotContains(t, body, clientSecret)
			require.Equal(t, 0, b.saver.Saves())
			require.Empty(t, b.api.Hooks(storeHash))
		})
	}
}

func TestInstallRequiredScopesAcceptReadWrite(t *testing.T) {
	t.Parallel()
	b := setup(t, func(c *bigcommerce.Config) {
		c.RequiredScopes = []string{"store_v2_orders_read_only", "store_cart_read_only"}
	})
	b.login.scope = "store_v2_orders store_cart"
	status, body := b.get(t, authPath(b.login.code(storeHash), "store_v2_orders store_cart", storeHash))
	require.Equal(t, http.StatusOK, status, body)
}

func TestInstallHooksRefusedKeepsShop(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.api.failWrites = true
	status, body := b.get(t, authPath(b.login.code(storeHash), grantScope, storeHash))
	require.Equal(t, http.StatusBadGateway, status)
	require.Contains(t, body, "install the app again")
	require.NotNil(t, b.saver.load(t, "bc-"+storeHash), "the shop is saved before the hooks")
}

func TestInstallSaverFailure(t *testing.T) {
	t.Parallel()
	b := setup(t, func(c *bigcommerce.Config) { c.Saver = failingSaver{} })
	status, body := b.get(t, authPath(b.login.code(storeHash), grantScope, storeHash))
	require.Equal(t, http.StatusInternalServerError, status)
	require.Contains(t, body, "could not save")
	require.Empty(t, b.api.Hooks(storeHash), "no hooks for a shop that was not saved")
}

func TestLoad(t *testing.T) {
	t.Parallel()
	b := setup(t)
	status, body := b.get(t, "/install/bigcommerce/load"+jwtQuery(signJWT(hs256, callbackClaims(storeHash), clientSecret)))
	require.Equal(t, http.StatusOK, status, body)
	require.Contains(t, body, "Boomerang is connected")
	require.Contains(t, body, storeHash)
	require.Contains(t, body, "/track.js")
}

// badJWTs are callbacks that must be refused with 401.
func badJWTs() map[string]string {
	with := func(k string, v any) map[string]any {
		c := callbackClaims(storeHash)
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	good := signJWT(hs256, callbackClaims(storeHash), clientSecret)
	return map[string]string{
		"missing":           "",
		"forged":            signJWT(hs256, callbackClaims(storeHash), "not-the-secret"),
		"expired":           signJWT(hs256, with("exp", testNow.Add(-2*time.Minute).Unix()), clientSecret),
		"wrong audience":    signJWT(hs256, with("aud", "another-app"), clientSecret),
		"no audience":       signJWT(hs256, with("aud", nil), clientSecret),
		"not yet valid":     signJWT(hs256, with("nbf", testNow.Add(10*time.Minute).Unix()), clientSecret),
		"issued in future":  signJWT(hs256, with("iat", testNow.Add(10*time.Minute).Unix()), clientSecret),
		"wrong issuer":      signJWT(hs256, with("iss", "evil"), clientSecret),
		"subject not store": signJWT(hs256, with("sub", "users/1"), clientSecret),
		"alg none":          unsigned(signJWT(map[string]any{"alg": "none"}, callbackClaims(storeHash), clientSecret)),
		"alg HS512":         signJWT(map[string]any{"alg": "HS512"}, callbackClaims(storeHash), clientSecret),
		"tampered claims":   tamper(good),
		"truncated":         good[:len(good)-5],
	}
}

// unsigned drops a token's signature, as alg "none" tokens have none.
func unsigned(token string) string {
	parts := strings.Split(token, ".")
	return parts[0] + "." + parts[1] + "."
}

// tamper swaps the claims of a token for other ones, keeping its signature.
func tamper(token string) string {
	parts := strings.Split(token, ".")
	other := strings.Split(signJWT(hs256, callbackClaims("zzz999"), "x"), ".")
	return parts[0] + "." + other[1] + "." + parts[2]
}

func TestCallbacksRefuseBadJWTs(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for name, token := range badJWTs() {
		for _, path := range []string{"/install/bigcommerce/load", "/install/bigcommerce/uninstall", "/install/bigcommerce/remove_user"} {
			status, body := b.get(t, path+jwtQuery(token))
			require.Equal(t, http.StatusUnauthorized, status, "%s %s", name, path)
			require.NotContains(t, body, storeHash, name)
		}
	}
	require.Empty(t, b.uninst.Calls(), "no forged uninstall reaches the Uninstaller")
}

func TestJWTLeeway(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := callbackClaims(storeHash)
	c["exp"] = testNow.Add(-30 * time.Second).Unix() // within the default minute
	c["nbf"] = testNow.Add(30 * time.Second).Unix()
	status, _ := b.get(t, "/install/bigcommerce/load"+jwtQuery(signJWT(hs256, c, clientSecret)))
	require.Equal(t, http.StatusOK, status)
}

func TestUninstall(t *testing.T) {
	t.Parallel()
	b := setup(t)
	status, body := b.get(t, "/install/bigcommerce/uninstall"+jwtQuery(signJWT(hs256, callbackClaims(storeHash), clientSecret)))
	require.Equal(t, http.StatusOK, status, body)
	require.JSONEq(t, `{"status":"uninstalled"}`, body)
	require.Equal(t, []string{"bc-" + storeHash}, b.uninst.Calls())
}

func TestUninstallFailure(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.uninst.err = errors.New("redis down")
	status, body := b.get(t, "/install/bigcommerce/uninstall"+jwtQuery(signJWT(hs256, callbackClaims(storeHash), clientSecret)))
	require.Equal(t, http.StatusInternalServerError, status)
	require.NotContains(t, body, "redis down")
	require.Len(t, b.uninst.Calls(), 1)
}

func TestRemoveUser(t *testing.T) {
	t.Parallel()
	b := setup(t)
	status, body := b.get(t, "/install/bigcommerce/remove_user"+jwtQuery(signJWT(hs256, callbackClaims(storeHash), clientSecret)))
	require.Equal(t, http.StatusOK, status, body)
	require.Empty(t, b.uninst.Calls(), "removing a user does not uninstall")
}

func TestMountValidatesConfig(t *testing.T) {
	t.Parallel()
	good := func() bigcommerce.Config {
		return bigcommerce.Config{
			ClientID: clientID, ClientSecret: clientSecret, PublicURL: "https://boomerang.example",
			Saver: failingSaver{}, Uninstaller: &uninstaller{},
		}
	}
	tests := map[string]func(*bigcommerce.Config){
		"no client id":        func(c *bigcommerce.Config) { c.ClientID = "" },
		"no client secret":    func(c *bigcommerce.Config) { c.ClientSecret = "" },
		"no public url":       func(c *bigcommerce.Config) { c.PublicURL = "" },
		"relative public url": func(c *bigcommerce.Config) { c.PublicURL = "/boomerang" },
		"bad login url":       func(c *bigcommerce.Config) { c.LoginURL = "ftp://login.example" },
		"bad api url":         func(c *bigcommerce.Config) { c.APIURL = "api/{store_hash}" },
		"no saver":            func(c *bigcommerce.Config) { c.Saver = nil },
		"no uninstaller":      func(c *bigcommerce.Config) { c.Uninstaller = nil },
		"leeway too large":    func(c *bigcommerce.Config) { c.Leeway = time.Hour },
	}
	for name, breakIt := range tests {
		cfg := good()
		breakIt(&cfg)
		require.Error(t, bigcommerce.Mount(http.NewServeMux(), cfg), name)
	}
	require.NoError(t, bigcommerce.Mount(http.NewServeMux(), good()))
}

type failingSaver struct{}

func (failingSaver) Save(context.Context, *shop.Shop) error { return errors.New("saver down") }
