package woocommerce_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/boomerang-dev/boomerang/adapters/install/woocommerce"
	"github.com/boomerang-dev/boomerang/adapters/redis/redistest"
	"github.com/boomerang-dev/boomerang/adapters/shop"
)

// testNow is the clock of Boomerang and of the fake site (OAuth timestamps).
var testNow = time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)

var secretKey = []byte("boomerang-secret-key-for-tests-32b")

// Auth modes the fake site saw.
const (
	authOAuth = "oauth1"
	authBasic = "basic"
)

// redisSaver keeps installed shops in Redis as YAML (the shops file's
// names, secrets included).
type redisSaver struct {
	client *goredis.Client
	prefix string
	mu     sync.Mutex
	saves  int
}

func (s *redisSaver) Save(ctx context.Context, sh *shop.Shop) error {
	b, err := yaml.Marshal(sh)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.saves++
	s.mu.Unlock()
	return s.client.Set(ctx, s.prefix+":shop:"+sh.ID, b, 0).Err()
}

func (s *redisSaver) Saves() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.saves
}

func (s *redisSaver) load(t *testing.T, id string) *shop.Shop {
	t.Helper()
	b, err := s.client.Get(t.Context(), s.prefix+":shop:"+id).Bytes()
	if errors.Is(err, goredis.Nil) {
		return nil
	}
	require.NoError(t, err)
	var sh shop.Shop
	require.NoError(t, yaml.Unmarshal(b, &sh))
	return &sh
}

// siteKey is one REST key pair the fake site issued.
type siteKey struct {
	secret      string
	permissions string
}

// siteWebhook is one webhook the fake site holds.
type siteWebhook struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Status      string `json:"status"`
	Topic       string `json:"topic"`
	DeliveryURL string `json:"delivery_url"`
	Secret      string `json:"-"`
}

// fakeSite is a WordPress site with WooCommerce: the REST index, the key
// grant (/wc-auth/v1/authorize, approved at once as if by a logged-in
// admin) and the webhooks REST API, authenticated as WC_REST_Authentication
// does (OAuth 1.0a over http, Basic over https).
type fakeSite struct {
	srv    *httptest.Server
	client *http.Client // posts the callback
	mu     sync.Mutex
	keys   map[string]siteKey
	hooks  []*siteWebhook
	nextID int64
	posts  int
	puts   int
	auths  []string
	nonces map[string]bool
	// permissions is what the grant screen issues. Default read_write.
	permissions string
	// home is what the REST index reports. Default the server's URL.
	home string
	// deny makes the merchant decline the grant.
	deny bool
	// failPosts answers POST /webhooks with 500.
	failPosts bool
	// callbacks are the callback bodies posted and Boomerang's statuses.
	callbacks [][]byte
	statuses  []int
}

func newFakeSite(t *testing.T, tls bool) *fakeSite {
	t.Helper()
	f := &fakeSite{keys: map[string]siteKey{}, nonces: map[string]bool{}, permissions: "read_write", nextID: 100}
	if tls {
		f.srv = httptest.NewTLSServer(http.HandlerFunc(f.serve))
	} else {
		f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	}
	t.Cleanup(f.srv.Close)
	transport := &http.Transport{}
	t.Cleanup(transport.CloseIdleConnections)
	f.client = &http.Client{Transport: transport, Timeout: 10 * time.Second}
	return f
}

func (f *fakeSite) serve(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/wp-json/" && r.Method == http.MethodGet:
		home := f.home
		if home == "" {
			home = f.srv.URL
		}
		writeJSON(w, http.StatusOK, map[string]any{
			"name": "Test shop", "url": home, "home": home, "gmt_offset": 2, "timezone_string": "Europe/Paris",
		})
	case r.URL.Path == "/wc-auth/v1/authorize" && r.Method == http.MethodGet:
		f.authorize(w, r)
	case r.URL.Path == "/wp-json/wc/v3/webhooks" || strings.HasPrefix(r.URL.Path, "/wp-json/wc/v3/webhooks/"):
		f.webhooks(w, r)
	default:
		wooError(w, http.StatusNotFound, "rest_no_route", "No route was found matching the URL and request method.")
	}
}

// authorize is WC_Auth: it checks the five parameters, issues keys, posts
// them to callback_url and needs a 200, then sends the browser to
// return_url.
func (f *fakeSite) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	for _, p := range []string{"app_name", "scope", "user_id", "return_url", "callback_url"} {
		if q.Get(p) == "" {
			http.Error(w, "Error: Missing parameter "+p, http.StatusUnauthorized)
			return
		}
	}
	ret := q.Get("return_url") + "?" + url.Values{"success": {"1"}, "user_id": {q.Get("user_id")}}.Encode()
	if f.deny {
		ret = q.Get("return_url") + "?" + url.Values{"success": {"0"}, "user_id": {q.Get("user_id")}}.Encode()
		http.Redirect(w, r, ret, http.StatusFound)
		return
	}
	key, secret := "ck_"+randHex(20), "cs_"+randHex(20)
	f.mu.Lock()
	f.nextID++
	keyID := f.nextID
	f.keys[key] = siteKey{secret: secret, permissions: f.permissions}
	perms := f.permissions
	f.mu.Unlock()
	body, _ := json.Marshal(map[string]any{
		"key_id": keyID, "user_id": q.Get("user_id"), "consumer_key": key, "consumer_secret": secret, "key_permissions": perms,
	})
	status := f.postCallback(r.Context(), q.Get("callback_url"), body)
	if status != http.StatusOK {
		f.mu.Lock()
		delete(f.keys, key)
		f.mu.Unlock()
		http.Error(w, "Error: An error occurred in the request and at the time were unable to send the consumer data.", http.StatusUnauthorized)
		return
	}
	http.Redirect(w, r, ret, http.StatusFound)
}

// postCallback posts a body to callback_url as WC_Auth does and returns
// Boomerang's status.
func (f *fakeSite) postCallback(ctx context.Context, callbackURL string, body []byte) int {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, callbackURL, bytes.NewReader(body))
	if err != nil {
		return 0
	}
	req.Header.Set("Content-Type", "application/json;charset=UTF-8")
	resp, err := f.client.Do(req)
	if err != nil {
		return 0
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	f.mu.Lock()
	f.callbacks = append(f.callbacks, body)
	f.statuses = append(f.statuses, resp.StatusCode)
	f.mu.Unlock()
	return resp.StatusCode
}

func (f *fakeSite) webhooks(w http.ResponseWriter, r *http.Request) {
	mode, perms, ok := f.authenticate(r)
	if !ok {
		wooError(w, http.StatusUnauthorized, "woocommerce_rest_authentication_error", "Invalid signature - provided signature does not match.")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.auths = append(f.auths, mode)
	write := r.Method != http.MethodGet
	if (write && perms == "read") || (!write && perms == "write") {
		wooError(w, http.StatusUnauthorized, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")
		return
	}
	idPart := strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, "/wp-json/wc/v3/webhooks"), "/")
	switch {
	case idPart == "" && r.Method == http.MethodGet:
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		per, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
		if page < 1 {
			page = 1
		}
		if per < 1 || per > 100 {
			per = 10
		}
		out := []*siteWebhook{}
		if start := (page - 1) * per; start < len(f.hooks) {
			out = f.hooks[start:min(start+per, len(f.hooks))]
		}
		writeJSON(w, http.StatusOK, out)
	case idPart == "" && r.Method == http.MethodPost:
		if f.failPosts {
			wooError(w, http.StatusInternalServerError, "internal_error", "Internal error.")
			return
		}
		var in struct {
			Name        string `json:"name"`
			Topic       string `json:"topic"`
			Secret      string `json:"secret"`
			Status      string `json:"status"`
			DeliveryURL string `json:"delivery_url"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Topic == "" || in.DeliveryURL == "" {
			wooError(w, http.StatusBadRequest, "rest_missing_callback_param", "Missing parameter(s): topic, delivery_url")
			return
		}
		f.posts++
		f.nextID++
		h := &siteWebhook{ID: f.nextID, Name: in.Name, Status: in.Status, Topic: in.Topic, DeliveryURL: in.DeliveryURL, Secret: in.Secret}
		f.hooks = append(f.hooks, h)
		writeJSON(w, http.StatusCreated, h)
	case idPart != "" && r.Method == http.MethodPut:
		id, _ := strconv.ParseInt(idPart, 10, 64)
		for _, h := range f.hooks {
			if h.ID != id {
				continue
			}
			var in struct {
				Secret string `json:"secret"`
				Status string `json:"status"`
			}
			if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
				wooError(w, http.StatusBadRequest, "rest_invalid_json", "Invalid JSON body passed.")
				return
			}
			f.puts++
			if in.Secret != "" {
				h.Secret = in.Secret
			}
			if in.Status != "" {
				h.Status = in.Status
			}
			writeJSON(w, http.StatusOK, h)
			return
		}
		wooError(w, http.StatusNotFound, "woocommerce_rest_shop_webhook_invalid_id", "Invalid ID.")
	default:
		wooError(w, http.StatusNotFound, "rest_no_route", "No route was found matching the URL and request method.")
	}
}

// authenticate follows WC_REST_Authentication: Basic over https, OAuth
// 1.0a (signature, 15-minute timestamp window, single-use nonce) over http.
func (f *fakeSite) authenticate(r *http.Request) (mode, perms string, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.TLS != nil {
		key, secret, ok := r.BasicAuth()
		k, known := f.keys[key]
		if !ok || !known || !hmac.Equal([]byte(secret), []byte(k.secret)) {
			return authBasic, "", false
		}
		return authBasic, k.permissions, true
	}
	q := r.URL.Query()
	k, known := f.keys[q.Get("oauth_consumer_key")]
	if !known || q.Get("oauth_signature_method") != "HMAC-SHA256" {
		return authOAuth, "", false
	}
	ts, err := strconv.ParseInt(q.Get("oauth_timestamp"), 10, 64)
	if err != nil || ts < testNow.Unix()-900 || ts > testNow.Unix()+900 || f.nonces[q.Get("oauth_nonce")] {
		return authOAuth, "", false
	}
	params := map[string]string{}
	for name, vs := range q {
		params[name] = vs[0]
	}
	given := params["oauth_signature"]
	delete(params, "oauth_signature")
	names := make([]string, 0, len(params))
	for name := range params {
		names = append(names, name)
	}
	slices.Sort(names)
	joined := make([]string, 0, len(names))
	for _, name := range names {
		joined = append(joined, rawurlencode(rawurlencode(name)+"="+rawurlencode(params[name])))
	}
	toSign := r.Method + "&" + rawurlencode(f.srv.URL+r.URL.Path) + "&" + strings.Join(joined, "%26")
	m := hmac.New(sha256.New, []byte(k.secret+"&"))
	m.Write([]byte(toSign))
	if !hmac.Equal([]byte(given), []byte(base64.StdEncoding.EncodeToString(m.Sum(nil)))) {
		return authOAuth, "", false
	}
	f.nonces[q.Get("oauth_nonce")] = true
	return authOAuth, k.permissions, true
}

func rawurlencode(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }

func (f *fakeSite) Hooks() []siteWebhook {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]siteWebhook, 0, len(f.hooks))
	for _, h := range f.hooks {
		out = append(out, *h)
	}
	return out
}

func (f *fakeSite) add(h siteWebhook) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	h.ID = f.nextID
	f.hooks = append(f.hooks, &h)
}

func (f *fakeSite) counts() (posts, puts int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.posts, f.puts
}

func (f *fakeSite) lastCallback() ([]byte, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.callbacks) == 0 {
		return nil, 0
	}
	return f.callbacks[len(f.callbacks)-1], f.statuses[len(f.statuses)-1]
}

func (f *fakeSite) keyCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.keys)
}

func (f *fakeSite) authModes() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.auths...)
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func wooError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"code": code, "message": msg, "data": map[string]any{"status": status}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// testBundle is Boomerang's install endpoints, a fake site and a browser.
type testBundle struct {
	boomerang *httptest.Server
	site      *fakeSite
	saver     *redisSaver
	states    *woocommerce.RedisStates
	redis     *redistest.Env
	// browser follows redirects; noRedirect does not.
	browser, noRedirect *http.Client
}

func setup(t *testing.T, tls bool, adjust ...func(*woocommerce.Config)) *testBundle {
	t.Helper()
	env := redistest.Start(t)
	b := &testBundle{
		site:   newFakeSite(t, tls),
		saver:  &redisSaver{client: env.Client, prefix: env.Prefix},
		states: woocommerce.NewRedisStates(env.Client, env.Prefix),
		redis:  env,
	}
	mux := http.NewServeMux()
	b.boomerang = httptest.NewServer(mux)
	t.Cleanup(b.boomerang.Close)
	// One transport that trusts the fake site's certificate.
	transport := &http.Transport{}
	if tls {
		transport.TLSClientConfig = b.site.srv.Client().Transport.(*http.Transport).TLSClientConfig
	}
	t.Cleanup(transport.CloseIdleConnections)
	b.browser = &http.Client{Transport: transport, Timeout: 20 * time.Second}
	b.noRedirect = &http.Client{
		Transport: transport, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	cfg := woocommerce.Config{
		PublicURL:         b.boomerang.URL,
		SecretKey:         secretKey,
		States:            b.states,
		Saver:             b.saver,
		AllowPrivateHosts: true,
		HTTPClient:        &http.Client{Transport: transport, Timeout: 10 * time.Second},
		Now:               func() time.Time { return testNow },
	}
	for _, f := range adjust {
		f(&cfg)
	}
	require.NoError(t, woocommerce.Mount(mux, cfg))
	return b
}

// fetch GETs a URL with c and returns the answer's status, Location and body.
func fetch(t *testing.T, c *http.Client, target string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, target, nil)
	require.NoError(t, err)
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header.Get("Location"), string(body)
}

// post sends a callback body to Boomerang and returns status and body.
func (b *testBundle) post(t *testing.T, body []byte) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, b.boomerang.URL+"/install/woocommerce/callback", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json;charset=UTF-8")
	resp, err := b.browser.Do(req)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	out, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(out)
}

// startURL is the install link for a store URL.
func (b *testBundle) startURL(storeURL string) string {
	return b.boomerang.URL + "/install/woocommerce?" + url.Values{"store_url": {storeURL}}.Encode()
}

// begin starts an install and returns the authorize redirect it answers.
func (b *testBundle) begin(t *testing.T, storeURL string) *url.URL {
	t.Helper()
	status, loc, body := fetch(t, b.noRedirect, b.startURL(storeURL))
	require.Equal(t, http.StatusFound, status, body)
	u, err := url.Parse(loc)
	require.NoError(t, err)
	return u
}

// install runs the whole flow in the browser and returns the final page.
func (b *testBundle) install(t *testing.T) (int, string) {
	t.Helper()
	status, _, body := fetch(t, b.browser, b.startURL(b.site.srv.URL))
	return status, body
}

// shopID is the id the fake site's shop gets.
func (b *testBundle) shopID() string {
	u, _ := url.Parse(b.site.srv.URL)
	return "woo-" + strings.NewReplacer(".", "-", ":", "-").Replace(u.Host)
}
