package woocommerce_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/adapters/install/woocommerce"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	wooadapter "github.com/boomerang-dev/boomerang/adapters/woocommerce"
)

var alnum40 = regexp.MustCompile(`^[A-Za-z0-9]{40}$`)

func TestInstallEndToEnd(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		tls  bool
		auth string
	}{
		{"http with oauth1", false, authOAuth},
		{"https with basic auth", true, authBasic},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, tt.tls)
			site := b.site.srv.URL

			// The install link redirects to the store's grant screen.
			auth := b.begin(t, site)
			require.Equal(t, site+"/wc-auth/v1/authorize", auth.Scheme+"://"+auth.Host+auth.Path)
			q := auth.Query()
			require.Equal(t, "Boomerang", q.Get("app_name"))
			require.Equal(t, "read_write", q.Get("scope"))
			require.Equal(t, b.boomerang.URL+"/install/woocommerce/return", q.Get("return_url"))
			require.Equal(t, b.boomerang.URL+"/install/woocommerce/callback", q.Get("callback_url"))
			require.Regexp(t, `^[A-Za-z0-9_-]{32}\.[A-Za-z0-9_-]{22}$`, q.Get("user_id"))

			// The browser goes through the grant and lands on the return page.
			status, _, page := fetch(t, b.browser, auth.String())
			require.Equal(t, http.StatusOK, status, page)
			require.Contains(t, page, "Boomerang is connected")
			require.Contains(t, page, "12 webhooks")
			_, cbStatus := b.site.lastCallback()
			require.Equal(t, http.StatusOK, cbStatus)

			// The shop was saved with the keys and one webhook secret.
			s := b.saver.load(t, b.shopID())
			require.NotNil(t, s)
			require.Equal(t, "woocommerce", s.Platform)
			require.Equal(t, site, s.Domain)
			key, secret, ok := strings.Cut(s.APIToken, ":")
			require.True(t, ok)
			require.Regexp(t, `^ck_[0-9a-f]{40}$`, key)
			require.Regexp(t, `^cs_[0-9a-f]{40}$`, secret)
			require.Regexp(t, alnum40, s.WebhookSecret)
			require.Equal(t, "Europe/Paris", s.Timezone)
			require.Regexp(t, `^pk_[A-Za-z0-9_-]{24}$`, s.PublicKey)
			require.Contains(t, page, s.PublicKey)
			require.Contains(t, page, b.boomerang.URL+"/track.js")
			require.NotContains(t, page, secret)
			require.NotContains(t, page, s.WebhookSecret)

			// One active webhook per topic, signed with the shop's secret.
			hooks := b.site.Hooks()
			var topics []string
			for _, h := range hooks {
				topics = append(topics, h.Topic)
				require.Equal(t, b.boomerang.URL+"/webhooks/woocommerce", h.DeliveryURL)
				require.Equal(t, "active", h.Status)
				require.Equal(t, s.WebhookSecret, h.Secret)
				require.Equal(t, "Boomerang "+h.Topic, h.Name)
			}
			require.Equal(t, woocommerce.Topics(), topics)
			require.NotEmpty(t, b.site.authModes())
			for _, mode := range b.site.authModes() {
				require.Equal(t, tt.auth, mode)
			}

			// A delivery as WooCommerce signs it passes the adapter with the
			// saved shop.
			body := []byte(`{"id":727,"status":"processing","date_modified_gmt":"2026-07-01T12:00:00"}`)
			m := hmac.New(sha256.New, []byte(s.WebhookSecret))
			m.Write(body)
			req := &ingest.Request{Header: http.Header{}, Body: body, ReceivedAt: testNow}
			req.Header.Set(wooadapter.HeaderSource, site+"/")
			req.Header.Set(wooadapter.HeaderTopic, "order.updated")
			req.Header.Set(wooadapter.HeaderSignature, base64.StdEncoding.EncodeToString(m.Sum(nil)))
			adapter := wooadapter.New()
			domain, err := adapter.Identify(req)
			require.NoError(t, err)
			reg, err := shop.NewRegistry(s)
			require.NoError(t, err)
			found, ok := reg.Lookup("woocommerce", domain)
			require.True(t, ok, "ingest finds the shop by X-WC-Webhook-Source")
			require.NoError(t, adapter.Verify(found, req))
		})
	}
}

func TestReplayedCallbackRefused(t *testing.T) {
	t.Parallel()
	b := setup(t, false)
	status, page := b.install(t)
	require.Equal(t, http.StatusOK, status, page)
	body, _ := b.site.lastCallback()
	saves := b.saver.Saves()
	posts, puts := b.site.counts()

	status, answer := b.post(t, body)
	require.Equal(t, http.StatusForbidden, status)
	require.Contains(t, answer, "already used")
	require.Equal(t, saves, b.saver.Saves(), "a replay saves nothing")
	posts2, puts2 := b.site.counts()
	require.Equal(t, [2]int{posts, puts}, [2]int{posts2, puts2}, "a replay writes no webhook")
}

func TestReadOnlyKeysRefused(t *testing.T) {
	t.Parallel()
	for _, perms := range []string{"read", "write"} {
		t.Run(perms, func(t *testing.T) {
			t.Parallel()
			b := setup(t, false)
			b.site.permissions = perms
			status, page := b.install(t)
			require.Equal(t, http.StatusUnauthorized, status, "WooCommerce shows Access denied")
			require.Contains(t, page, "unable to send the consumer data")
			_, cbStatus := b.site.lastCallback()
			require.Equal(t, http.StatusForbidden, cbStatus)
			require.Equal(t, 0, b.saver.Saves())
			require.Empty(t, b.site.Hooks())
			require.Equal(t, 0, b.site.keyCount(), "WooCommerce deleted the refused keys")
		})
	}
}

func TestReinstallUpdatesWebhooksWithoutDuplicates(t *testing.T) {
	t.Parallel()
	b := setup(t, false)
	other := siteWebhook{Name: "Zapier", Status: "active", Topic: "order.created", DeliveryURL: "https://hooks.zapier.example/1", Secret: "zap"}
	b.site.add(other)
	// Left from an earlier install: paused, with a secret Boomerang lost.
	b.site.add(siteWebhook{
		Name: "Boomerang order.updated", Status: "paused", Topic: "order.updated",
		DeliveryURL: b.boomerang.URL + "/webhooks/woocommerce", Secret: "old",
	})

	status, page := b.install(t)
	require.Equal(t, http.StatusOK, status, page)
	posts, puts := b.site.counts()
	require.Equal(t, len(woocommerce.Topics())-1, posts)
	require.Equal(t, 1, puts)
	first := b.saver.load(t, b.shopID())

	status, page = b.install(t)
	require.Equal(t, http.StatusOK, status, page)
	posts2, puts2 := b.site.counts()
	require.Equal(t, posts, posts2, "the second install creates nothing")
	require.Equal(t, puts+len(woocommerce.Topics()), puts2)
	second := b.saver.load(t, b.shopID())
	require.NotEqual(t, first.WebhookSecret, second.WebhookSecret)
	require.NotEqual(t, first.APIToken, second.APIToken)
	require.Equal(t, first.PublicKey, second.PublicKey, "the storefront key survives a reinstall")

	hooks := b.site.Hooks()
	require.Len(t, hooks, len(woocommerce.Topics())+1)
	for _, h := range hooks {
		if h.DeliveryURL == other.DeliveryURL {
			require.Equal(t, "zap", h.Secret, "another app's webhook is left alone")
			continue
		}
		require.Equal(t, second.WebhookSecret, h.Secret, h.Topic)
		require.Equal(t, "active", h.Status, h.Topic)
	}
}

func TestWebhookFailureKeepsKeys(t *testing.T) {
	t.Parallel()
	b := setup(t, false)
	b.site.failPosts = true
	status, page := b.install(t)
	require.Equal(t, http.StatusOK, status, page)
	require.Contains(t, page, "webhooks are missing")
	_, cbStatus := b.site.lastCallback()
	require.Equal(t, http.StatusOK, cbStatus, "200, so WooCommerce keeps the keys the shop holds")
	require.NotNil(t, b.saver.load(t, b.shopID()))
	require.Equal(t, 1, b.site.keyCount())
}

func TestMerchantDeclines(t *testing.T) {
	t.Parallel()
	b := setup(t, false)
	b.site.deny = true
	status, page := b.install(t)
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, page, "Install cancelled")
	require.Contains(t, page, `action="`+b.boomerang.URL+`/install/woocommerce"`)
	require.Equal(t, 0, b.saver.Saves())
}

func TestStartUsesTheSitesHomeURL(t *testing.T) {
	t.Parallel()
	b := setup(t, false)
	// The merchant typed another spelling; WordPress reports its home URL.
	typed := strings.Replace(b.site.srv.URL, "127.0.0.1", "localhost", 1) + "/"
	auth := b.begin(t, typed)
	require.Equal(t, b.site.srv.URL+"/wc-auth/v1/authorize", auth.Scheme+"://"+auth.Host+auth.Path)
}

func TestStartWithoutDiscoveryKeepsTheTypedURL(t *testing.T) {
	t.Parallel()
	b := setup(t, false)
	b.site.home = "not a url"
	auth := b.begin(t, b.site.srv.URL+"/")
	require.Equal(t, b.site.srv.URL+"/wc-auth/v1/authorize", auth.Scheme+"://"+auth.Host+auth.Path)
}

func TestStartPages(t *testing.T) {
	t.Parallel()
	b := setup(t, false)
	status, _, page := fetch(t, b.noRedirect, b.boomerang.URL+"/install/woocommerce")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, page, `name="store_url"`)

	for _, bad := range []string{"ftp://shop.example", "https://user:pw@shop.example", "https://shop.example/#x", "https://shop.example/?a=1", "https://", "https://shop..example"} {
		status, _, page := fetch(t, b.noRedirect, b.startURL(bad))
		require.Equal(t, http.StatusBadRequest, status, bad)
		require.Contains(t, page, "store URL", bad)
		require.Contains(t, page, `name="store_url"`, bad)
	}
}

func TestStartRefusesPrivateAddressesByDefault(t *testing.T) {
	t.Parallel()
	b := setup(t, false, func(c *woocommerce.Config) { c.AllowPrivateHosts = false; c.HTTPClient = nil })
	for _, u := range []string{b.site.srv.URL, "http://localhost:8080", "http://10.0.0.5", "http://[::1]:80", "http://169.254.169.254"} {
		status, _, page := fetch(t, b.noRedirect, b.startURL(u))
		require.Equal(t, http.StatusBadRequest, status, u)
		require.Contains(t, page, "private or local address", u)
	}
}

func TestCallbackRefusals(t *testing.T) {
	t.Parallel()
	b := setup(t, false)
	good := func(userID any) []byte {
		body, _ := json.Marshal(map[string]any{
			"key_id": 1, "user_id": userID, "consumer_key": "ck_" + strings.Repeat("a", 40),
			"consumer_secret": "cs_" + strings.Repeat("b", 40), "key_permissions": "read_write",
		})
		return body
	}
	// A token signed with another key, and one of ours never handed out.
	foreign := strings.Repeat("A", 32) + "." + strings.Repeat("B", 22)
	auth := b.begin(t, b.site.srv.URL)
	token := auth.Query().Get("user_id")

	tests := []struct {
		name   string
		body   []byte
		status int
		text   string
	}{
		{"not json", []byte("key_id=1"), http.StatusBadRequest, "not a JSON object"},
		{"trailing data", append(good(token), ']'), http.StatusBadRequest, "documented JSON"},
		{"no user_id", []byte(`{"consumer_key":"ck_aaaaaaaaaa","consumer_secret":"cs_bbbbbbbbbb","key_permissions":"read_write"}`), http.StatusBadRequest, "user_id"},
		{"numeric user_id", good(123), http.StatusForbidden, "unknown install request"},
		{"forged token", good(foreign), http.StatusForbidden, "unknown install request"},
		{"key with a colon", []byte(`{"user_id":"` + token + `","consumer_key":"ck_a:b","consumer_secret":"cs_bbbbbbbbbb","key_permissions":"read_write"}`), http.StatusBadRequest, "consumer_key"},
		{"keys the site never issued", good(token), http.StatusBadGateway, "could not be used"},
		{"the same token again", good(token), http.StatusForbidden, "already used"},
		{"too large", []byte(`{"user_id":"` + strings.Repeat("x", woocommerce.DefaultMaxBodyBytes) + `"}`), http.StatusRequestEntityTooLarge, "too large"},
	}
	for _, tt := range tests {
		status, answer := b.post(t, tt.body)
		require.Equal(t, tt.status, status, tt.name)
		require.Contains(t, answer, tt.text, tt.name)
	}
	require.Equal(t, 0, b.saver.Saves())
	require.Empty(t, b.site.Hooks())
}

func TestReturnPage(t *testing.T) {
	t.Parallel()
	b := setup(t, false)
	ret := b.boomerang.URL + "/install/woocommerce/return"
	status, _, page := fetch(t, b.noRedirect, ret+"?success=1&user_id=forged")
	require.Equal(t, http.StatusBadRequest, status)
	require.Contains(t, page, "not valid")

	token := b.begin(t, b.site.srv.URL).Query().Get("user_id")
	status, _, page = fetch(t, b.noRedirect, ret+"?success=1&user_id="+token)
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, page, "No install result")
}

func TestTopicsAreTheAdaptersTopics(t *testing.T) {
	t.Parallel()
	adapter := wooadapter.New()
	s := &shop.Shop{ID: "woo-x", Platform: "woocommerce", Domain: "shop.example"}
	normalize := func(topic string) error {
		req := &ingest.Request{Header: http.Header{}, Body: []byte(`{"id":1}`), ReceivedAt: testNow}
		req.Header.Set(wooadapter.HeaderTopic, topic)
		_, err := adapter.Normalize(s, req)
		return err
	}
	for _, topic := range woocommerce.Topics() {
		require.NotErrorIs(t, normalize(topic), ingest.ErrUnknownTopic, topic)
	}
	for _, ignored := range []string{"order.deleted", "order.restored", "customer.deleted", "action.woocommerce_x"} {
		require.ErrorIs(t, normalize(ignored), ingest.ErrUnknownTopic, ignored)
	}
}

func TestMountValidatesConfig(t *testing.T) {
	t.Parallel()
	good := func() woocommerce.Config {
		return woocommerce.Config{PublicURL: "https://boomerang.example", SecretKey: secretKey, States: memStates{}, Saver: noSaver{}}
	}
	for name, breakIt := range map[string]func(*woocommerce.Config){
		"no public url":     func(c *woocommerce.Config) { c.PublicURL = "" },
		"public url query":  func(c *woocommerce.Config) { c.PublicURL = "https://b.example/?x=1" },
		"short secret key":  func(c *woocommerce.Config) { c.SecretKey = []byte("short") },
		"no states":         func(c *woocommerce.Config) { c.States = nil },
		"no saver":          func(c *woocommerce.Config) { c.Saver = nil },
		"negative ttl":      func(c *woocommerce.Config) { c.StateTTL = -1 },
		"negative max body": func(c *woocommerce.Config) { c.MaxBodyBytes = -1 },
	} {
		cfg := good()
		breakIt(&cfg)
		require.Error(t, woocommerce.Mount(http.NewServeMux(), cfg), name)
	}
	require.NoError(t, woocommerce.Mount(http.NewServeMux(), good()))
}

type memStates struct{}

func (memStates) Put(context.Context, string, []byte, time.Duration) error { return nil }
func (memStates) Take(context.Context, string) ([]byte, error)             { return nil, nil }

type noSaver struct{}

func (noSaver) Save(context.Context, *shop.Shop) error { return nil }
