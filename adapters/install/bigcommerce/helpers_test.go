package bigcommerce_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/boomerang-dev/boomerang/adapters/install/bigcommerce"
	"github.com/boomerang-dev/boomerang/adapters/redis/redistest"
	"github.com/boomerang-dev/boomerang/adapters/shop"
)

// The app's credentials and the store these tests install.
const (
	clientID     = "m9r6keqmo7h7f23btnpwernbez1kglkl"
	clientSecret = "app-client-secret-8c1f"
	storeHash    = "g5cd38"
	grantScope   = "store_v2_orders_read_only store_cart_read_only store_v2_customers_read_only store_v2_information_read_only"
)

// testNow is the clock of the handlers; JWTs are issued around it.
var testNow = time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)

// redisSaver keeps installed shops in Redis as YAML (the shops file's
// names, secrets included), as the real saver will under its own keys.
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

// load reads a saved shop back, or nil.
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

// uninstaller records its calls.
type uninstaller struct {
	mu    sync.Mutex
	calls []string
	err   error
}

func (u *uninstaller) Uninstall(_ context.Context, shopID string) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.calls = append(u.calls, shopID)
	return u.err
}

func (u *uninstaller) Calls() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]string(nil), u.calls...)
}

// fakeLogin is login.bigcommerce.com's token endpoint: each code it knows
// is good once, for one store.
type fakeLogin struct {
	srv         *httptest.Server
	redirectURI string
	mu          sync.Mutex
	codes       map[string]string // code → store hash
	tokens      map[string]string // store hash → access token issued
	scope       string
	requests    []map[string]string
	// contextOverride, when set, is the context the answer names.
	contextOverride string
}

func newFakeLogin(t *testing.T) *fakeLogin {
	t.Helper()
	f := &fakeLogin{codes: map[string]string{}, tokens: map[string]string{}, scope: grantScope}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// code registers a new one-time code for hash.
func (f *fakeLogin) code(hash string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := "qr6h3thvbvag2ffq" + strconv.Itoa(len(f.codes))
	f.codes[c] = hash
	return c
}

func (f *fakeLogin) Requests() []map[string]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]map[string]string(nil), f.requests...)
}

func (f *fakeLogin) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/oauth2/token" {
		http.NotFound(w, r)
		return
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		bcError(w, http.StatusBadRequest, "Content-Type must be application/json")
		return
	}
	var in map[string]string
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		bcError(w, http.StatusBadRequest, "Invalid JSON")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, in)
	hash, ok := f.codes[in["code"]]
	switch {
	case in["client_id"] != clientID || in["client_secret"] != clientSecret:
		bcError(w, http.StatusUnauthorized, "Invalid client")
		return
	case in["grant_type"] != "authorization_code" || in["redirect_uri"] != f.redirectURI:
		bcError(w, http.StatusBadRequest, "Invalid grant_type or redirect_uri")
		return
	case !ok || in["context"] != "stores/"+hash:
		bcError(w, http.StatusBadRequest, "Invalid grant")
		return
	}
	delete(f.codes, in["code"])
	token := "xxxxalphanumstringxxxx" + strconv.Itoa(len(f.requests))
	f.tokens[hash] = token
	ctxName := "stores/" + hash
	if f.contextOverride != "" {
		ctxName = f.contextOverride
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": token,
		"scope":        f.scope,
		"user":         map[string]any{"id": 24654, "username": "merchant@example.com", "email": "merchant@example.com"},
		"owner":        map[string]any{"id": 12345, "username": "owner@example.com", "email": "owner@example.com"},
		"context":      ctxName,
		"account_uuid": "12345678-90ab-cdef-1234-567890abcdef",
	})
}

// fakeAPI is api.bigcommerce.com/stores/{hash}: /v3/hooks and /v2/store,
// X-Auth-Token checked against the tokens the fake login issued.
type fakeAPI struct {
	srv    *httptest.Server
	login  *fakeLogin
	mu     sync.Mutex
	hooks  map[string][]*apiHook // store hash → hooks
	nextID int64
	posts  int
	puts   int
	// failWrites answers POST and PUT with 500.
	failWrites bool
	timezone   string
}

type apiHook struct {
	ID          int64             `json:"id"`
	ClientID    string            `json:"client_id"`
	StoreHash   string            `json:"store_hash"`
	Scope       string            `json:"scope"`
	Destination string            `json:"destination"`
	IsActive    bool              `json:"is_active"`
	Headers     map[string]string `json:"headers"`
	CreatedAt   int64             `json:"created_at"`
	UpdatedAt   int64             `json:"updated_at"`
}

func newFakeAPI(t *testing.T, login *fakeLogin) *fakeAPI {
	t.Helper()
	f := &fakeAPI{login: login, hooks: map[string][]*apiHook{}, nextID: 18048287, timezone: "Europe/London"}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// add stores a hook as if made earlier.
func (f *fakeAPI) add(hash string, h apiHook) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	h.ID, h.StoreHash, h.ClientID = f.nextID, hash, clientID
	f.hooks[hash] = append(f.hooks[hash], &h)
}

// Hooks returns copies of a store's hooks.
func (f *fakeAPI) Hooks(hash string) []apiHook {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]apiHook, 0, len(f.hooks[hash]))
	for _, h := range f.hooks[hash] {
		c := *h
		out = append(out, c)
	}
	return out
}

func (f *fakeAPI) Writes() (posts, puts int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.posts, f.puts
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	hash, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	f.login.mu.Lock()
	token := f.login.tokens[hash]
	f.login.mu.Unlock()
	if token == "" || r.Header.Get("X-Auth-Token") != token {
		bcError(w, http.StatusUnauthorized, "Unauthorized - the v3 Auth client ID or token in the request are not a valid combination for this store.")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case rest == "v2/store" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, map[string]any{"id": hash, "name": "Test store", "timezone": map[string]any{"name": f.timezone, "raw_offset": 0}})
	case rest == "v3/hooks" && r.Method == http.MethodGet:
		f.list(w, r, hash)
	case rest == "v3/hooks" && r.Method == http.MethodPost:
		f.write(w, r, hash, nil)
	case strings.HasPrefix(rest, "v3/hooks/") && r.Method == http.MethodPut:
		id, err := strconv.ParseInt(strings.TrimPrefix(rest, "v3/hooks/"), 10, 64)
		var target *apiHook
		for _, h := range f.hooks[hash] {
			if err == nil && h.ID == id {
				target = h
			}
		}
		if target == nil {
			bcError(w, http.StatusNotFound, "Webhook with id ["+strings.TrimPrefix(rest, "v3/hooks/")+"] not found")
			return
		}
		f.write(w, r, hash, target)
	default:
		bcError(w, http.StatusNotFound, "Not found")
	}
}

func (f *fakeAPI) list(w http.ResponseWriter, r *http.Request, hash string) {
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	if page < 1 {
		page = 1
	}
	if limit < 1 || limit > 250 {
		limit = 50
	}
	all := f.hooks[hash]
	pages := (len(all) + limit - 1) / limit
	data := []*apiHook{}
	if start := (page - 1) * limit; start < len(all) {
		data = all[start:min(start+limit, len(all))]
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"data": data,
		"meta": map[string]any{"pagination": map[string]any{
			"total": len(all), "count": len(data), "per_page": limit, "current_page": page, "total_pages": pages,
		}},
	})
}

// write creates (target nil) or updates a hook, as POST /v3/hooks and
// PUT /v3/hooks/{id} do: one hook per scope and destination.
func (f *fakeAPI) write(w http.ResponseWriter, r *http.Request, hash string, target *apiHook) {
	if f.failWrites {
		bcError(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	var in struct {
		Scope       string            `json:"scope"`
		Destination string            `json:"destination"`
		IsActive    *bool             `json:"is_active"`
		Headers     map[string]string `json:"headers"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Scope == "" || in.Destination == "" {
		bcError(w, http.StatusUnprocessableEntity, "JSON data is missing or invalid")
		return
	}
	for _, h := range f.hooks[hash] {
		if h != target && h.Scope == in.Scope && h.Destination == in.Destination {
			bcError(w, http.StatusUnprocessableEntity, "A webhook with this scope and destination already exists")
			return
		}
	}
	if target == nil {
		f.posts++
		f.nextID++
		target = &apiHook{ID: f.nextID, ClientID: clientID, StoreHash: hash, CreatedAt: testNow.Unix()}
		f.hooks[hash] = append(f.hooks[hash], target)
	} else {
		f.puts++
	}
	target.Scope, target.Destination, target.Headers = in.Scope, in.Destination, in.Headers
	target.IsActive = in.IsActive == nil || *in.IsActive
	target.UpdatedAt = testNow.Unix()
	writeJSON(w, http.StatusOK, map[string]any{"data": target, "meta": map[string]any{}})
}

func bcError(w http.ResponseWriter, status int, title string) {
	writeJSON(w, status, map[string]any{"status": status, "title": title, "type": "/api-docs/getting-started/api-status-codes"})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// testBundle is Boomerang's app callbacks talking to a fake BigCommerce.
type testBundle struct {
	boomerang *httptest.Server
	client    *http.Client
	login     *fakeLogin
	api       *fakeAPI
	saver     *redisSaver
	uninst    *uninstaller
	secretKey []byte
}

func setup(t *testing.T, adjust ...func(*bigcommerce.Config)) *testBundle {
	t.Helper()
	env := redistest.Start(t)
	b := &testBundle{
		login:     newFakeLogin(t),
		saver:     &redisSaver{client: env.Client, prefix: env.Prefix},
		uninst:    &uninstaller{},
		secretKey: []byte("boomerang-secret-key-for-tests-32b"),
	}
	b.api = newFakeAPI(t, b.login)
	mux := http.NewServeMux()
	b.boomerang = httptest.NewServer(mux)
	t.Cleanup(b.boomerang.Close)
	b.login.redirectURI = b.boomerang.URL + "/install/bigcommerce/auth"
	transport := &http.Transport{}
	t.Cleanup(transport.CloseIdleConnections)
	b.client = &http.Client{Transport: transport, Timeout: 10 * time.Second}
	cfg := bigcommerce.Config{
		ClientID:     clientID,
		ClientSecret: clientSecret,
		PublicURL:    b.boomerang.URL,
		LoginURL:     b.login.srv.URL,
		APIURL:       b.api.srv.URL + "/{store_hash}",
		Saver:        b.saver,
		Uninstaller:  b.uninst,
		SecretKey:    b.secretKey,
		HTTPClient:   b.client,
		Now:          func() time.Time { return testNow },
	}
	for _, f := range adjust {
		f(&cfg)
	}
	require.NoError(t, bigcommerce.Mount(mux, cfg))
	return b
}

// get fetches a Boomerang path and returns the status and body.
func (b *testBundle) get(t *testing.T, pathAndQuery string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, b.boomerang.URL+pathAndQuery, nil)
	require.NoError(t, err)
	resp, err := b.client.Do(req)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body)
}

// authPath is the auth callback BigCommerce sends the browser to.
func authPath(code, scope, hash string) string {
	q := url.Values{
		"account_uuid": {"12345678-90ab-cdef-1234-567890abcdef"},
		"code":         {code},
		"context":      {"stores/" + hash},
		"scope":        {scope},
	}
	return "/install/bigcommerce/auth?" + q.Encode()
}

// install runs the auth callback for a new code and requires a 200.
func (b *testBundle) install(t *testing.T, hash string) string {
	t.Helper()
	status, body := b.get(t, authPath(b.login.code(hash), grantScope, hash))
	require.Equal(t, http.StatusOK, status, body)
	return body
}

// signJWT builds a signed_payload_jwt with the given header and claims,
// HS256-signed with secret.
func signJWT(header, claims map[string]any, secret string) string {
	hb, _ := json.Marshal(header)
	cb, _ := json.Marshal(claims)
	in := base64.RawURLEncoding.EncodeToString(hb) + "." + base64.RawURLEncoding.EncodeToString(cb)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(in))
	return in + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// callbackClaims are the claims BigCommerce sends, issued at testNow.
func callbackClaims(hash string) map[string]any {
	return map[string]any{
		"aud": clientID, "iss": "bc",
		"iat": testNow.Unix(), "nbf": testNow.Unix(), "exp": testNow.Add(24 * time.Hour).Unix(),
		"jti": "c5f0bcf5-a504-4ae6-8dcc-0e40eaa5a070", "sub": "stores/" + hash,
		"user":  map[string]any{"id": 9876543, "email": "authorized_user@example.com", "locale": "en-US"},
		"owner": map[string]any{"id": 7654321, "email": "owner@example.com"},
		"url":   "/", "channel_id": nil,
	}
}

var hs256 = map[string]any{"typ": "JWT", "alg": "HS256"}

func jwtQuery(token string) string {
	return "?" + url.Values{"signed_payload_jwt": {token}}.Encode()
}
