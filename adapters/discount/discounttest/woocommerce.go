package discounttest

import (
	"crypto/hmac"
	"crypto/sha1" //nolint:gosec // WooCommerce accepts HMAC-SHA1 signatures; the fake must too
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"hash"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// WooCommerce auth modes, as LastAuth reports them.
const (
	WooAuthBasic = "basic"
	WooAuthQuery = "query"
	WooAuthOAuth = "oauth1"
	WooAuthNone  = "none"
)

// wooDateLayout is WooCommerce's *_gmt date format.
const wooDateLayout = "2006-01-02T15:04:05"

// WooCommerce is a fake WooCommerce site serving the REST v3 coupons API.
// Like WooCommerce, it takes HTTP Basic or consumer_key and consumer_secret
// query parameters over HTTPS, and only OAuth 1.0a signatures over plain HTTP.
type WooCommerce struct {
	*Store
	// Server is the running server; SiteURL its URL (the WordPress home).
	Server  *httptest.Server
	SiteURL string
	// ConsumerKey and ConsumerSecret are the REST API keys.
	ConsumerKey    string
	ConsumerSecret string
	// Now is the fake's clock for OAuth timestamps. Default time.Now.
	Now func() time.Time

	mu       sync.Mutex
	nonces   map[string]bool
	lastAuth string
}

var _ Fake = (*WooCommerce)(nil)

// NewWooCommerce starts a fake WooCommerce site over HTTPS (tls) or plain
// HTTP, closed when tb ends. Over HTTPS, use Server.Client() to trust its
// certificate.
func NewWooCommerce(tb testing.TB, tls bool) *WooCommerce {
	tb.Helper()
	w := &WooCommerce{
		Store:          newStore(),
		ConsumerKey:    "ck_0123456789abcdef0123456789abcdef01234567",
		ConsumerSecret: "cs_76543210fedcba9876543210fedcba9876543210",
		Now:            time.Now,
		nonces:         map[string]bool{},
	}
	h := w.serve(w.handle, func(r *http.Request, _ []byte) bool { return r.Method == http.MethodPost })
	if tls {
		w.Server = httptest.NewTLSServer(h)
	} else {
		w.Server = httptest.NewServer(h)
	}
	tb.Cleanup(w.Server.Close)
	w.SiteURL = w.Server.URL
	return w
}

// LastAuth is how the last request authenticated: WooAuthBasic,
// WooAuthQuery, WooAuthOAuth or WooAuthNone.
func (w *WooCommerce) LastAuth() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.lastAuth
}

// wooCoupon is a coupon as the v3 API writes it.
type wooCoupon struct {
	ID                int      `json:"id"`
	Code              string   `json:"code"`
	Amount            string   `json:"amount"`
	DiscountType      string   `json:"discount_type"`
	Description       string   `json:"description"`
	DateExpires       *string  `json:"date_expires"`
	DateExpiresGMT    *string  `json:"date_expires_gmt"`
	UsageCount        int      `json:"usage_count"`
	IndividualUse     bool     `json:"individual_use"`
	ProductIDs        []int    `json:"product_ids"`
	UsageLimit        *int     `json:"usage_limit"`
	UsageLimitPerUser *int     `json:"usage_limit_per_user"`
	FreeShipping      bool     `json:"free_shipping"`
	EmailRestrictions []string `json:"email_restrictions"`
}

// wooError is a WordPress REST error.
func wooError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"code": code, "message": msg, "data": map[string]any{"status": status}})
}

func (w *WooCommerce) handle(rw http.ResponseWriter, r *http.Request, body []byte) {
	if r.URL.Path != "/wp-json/wc/v3/coupons" {
		wooError(rw, http.StatusNotFound, "rest_no_route", "No route was found matching the URL and request method.")
		return
	}
	mode, errCode, errMsg := w.authenticate(r)
	w.mu.Lock()
	w.lastAuth = mode
	w.mu.Unlock()
	if errCode != "" {
		wooError(rw, http.StatusUnauthorized, errCode, errMsg)
		return
	}
	switch r.Method {
	case http.MethodGet:
		w.list(rw, r)
	case http.MethodPost:
		w.create(rw, body)
	default:
		wooError(rw, http.StatusNotFound, "rest_no_route", "No route was found matching the URL and request method.")
	}
}

// authenticate mirrors WC_REST_Authentication: over HTTPS the query keys
// or HTTP Basic; otherwise (and when those are absent) OAuth 1.0a.
func (w *WooCommerce) authenticate(r *http.Request) (mode, errCode, errMsg string) {
	q := r.URL.Query()
	if r.TLS != nil {
		key, secret, mode := q.Get("consumer_key"), q.Get("consumer_secret"), WooAuthQuery
		if key == "" || secret == "" {
			var ok bool
			key, secret, ok = r.BasicAuth()
			mode = WooAuthBasic
			if !ok {
				key, secret = "", ""
			}
		}
		if key != "" && secret != "" {
			if key != w.ConsumerKey {
				return mode, "woocommerce_rest_authentication_error", "Consumer key is invalid."
			}
			if !hmac.Equal([]byte(secret), []byte(w.ConsumerSecret)) {
				return mode, "woocommerce_rest_authentication_error", "Consumer secret is invalid."
			}
			return mode, "", ""
		}
	}
	if q.Get("oauth_consumer_key") == "" && q.Get("oauth_signature") == "" {
		return WooAuthNone, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources."
	}
	for _, p := range []string{"oauth_consumer_key", "oauth_timestamp", "oauth_nonce", "oauth_signature", "oauth_signature_method"} {
		if q.Get(p) == "" {
			return WooAuthOAuth, "woocommerce_rest_authentication_missing_parameter", "Missing OAuth parameter " + p
		}
	}
	if q.Get("oauth_consumer_key") != w.ConsumerKey {
		return WooAuthOAuth, "woocommerce_rest_authentication_error", "Consumer key is invalid."
	}
	if !w.checkSignature(r) {
		return WooAuthOAuth, "woocommerce_rest_authentication_error", "Invalid signature - provided signature does not match."
	}
	ts, err := strconv.ParseInt(q.Get("oauth_timestamp"), 10, 64)
	now := w.Now().Unix()
	const window = 15 * 60
	if err != nil || ts < now-window || ts > now+window {
		return WooAuthOAuth, "woocommerce_rest_authentication_error", "Invalid timestamp."
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.nonces[q.Get("oauth_nonce")] {
		return WooAuthOAuth, "woocommerce_rest_authentication_error", "Invalid nonce - nonce has already been used."
	}
	w.nonces[q.Get("oauth_nonce")] = true
	return WooAuthOAuth, "", ""
}

// checkSignature follows WC_REST_Authentication::check_oauth_signature: the
// base URI is the home URL plus the request path; the parameters are the
// query's, without oauth_signature, sorted by key, each key and value
// rawurlencoded, each "key=value" rawurlencoded again and joined with %26.
func (w *WooCommerce) checkSignature(r *http.Request) bool {
	params := map[string]string{}
	for k, vs := range r.URL.Query() {
		params[k] = vs[0]
	}
	given := params["oauth_signature"]
	delete(params, "oauth_signature")
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	slices.Sort(keys) // PHP's uksort with strcmp
	joined := make([]string, 0, len(keys))
	for _, k := range keys {
		joined = append(joined, rawurlencode(rawurlencode(k)+"="+rawurlencode(params[k])))
	}
	base := rawurlencode(w.SiteURL + r.URL.Path)
	toSign := strings.ToUpper(r.Method) + "&" + base + "&" + strings.Join(joined, "%26")
	var h func() hash.Hash
	switch params["oauth_signature_method"] {
	case "HMAC-SHA1":
		h = sha1.New
	case "HMAC-SHA256":
		h = sha256.New
	default:
		return false
	}
	mac := hmac.New(h, []byte(w.ConsumerSecret+"&"))
	mac.Write([]byte(toSign))
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	return hmac.Equal([]byte(want), []byte(given))
}

// rawurlencode is PHP's rawurlencode (RFC 3986).
func rawurlencode(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

func (w *WooCommerce) list(rw http.ResponseWriter, r *http.Request) {
	out := []wooCoupon{}
	if code := r.URL.Query().Get("code"); code != "" {
		if d, ok := w.find(code); ok {
			out = append(out, toWoo(d))
		}
	}
	writeJSON(rw, http.StatusOK, out)
}

func (w *WooCommerce) create(rw http.ResponseWriter, body []byte) {
	var in struct {
		Code              *string `json:"code"`
		DiscountType      *string `json:"discount_type"`
		Amount            *string `json:"amount"`
		Description       string  `json:"description"`
		DateExpiresGMT    *string `json:"date_expires_gmt"`
		IndividualUse     bool    `json:"individual_use"`
		ProductIDs        []int   `json:"product_ids"`
		UsageLimit        *int    `json:"usage_limit"`
		UsageLimitPerUser *int    `json:"usage_limit_per_user"`
		FreeShipping      bool    `json:"free_shipping"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		wooError(rw, http.StatusBadRequest, "rest_invalid_json", "Invalid JSON body passed.")
		return
	}
	if in.Code == nil || *in.Code == "" {
		wooError(rw, http.StatusBadRequest, "rest_missing_callback_param", "Missing parameter(s): code")
		return
	}
	discountType := "fixed_cart"
	if in.DiscountType != nil {
		discountType = *in.DiscountType
	}
	if !slices.Contains([]string{"percent", "fixed_cart", "fixed_product"}, discountType) {
		wooError(rw, http.StatusBadRequest, "rest_invalid_param", "Invalid parameter(s): discount_type")
		return
	}
	amount := "0"
	if in.Amount != nil {
		amount = *in.Amount
	}
	value, err := strconv.ParseFloat(amount, 64)
	if err != nil || value < 0 {
		wooError(rw, http.StatusBadRequest, "rest_invalid_param", "Invalid parameter(s): amount")
		return
	}
	// wc_format_coupon_code lower-cases codes.
	d := Discount{Code: strings.ToLower(*in.Code), Title: in.Description, FreeShipping: in.FreeShipping, Raw: body}
	switch {
	case discountType == "percent":
		d.Percent = value
	case value != 0:
		d.Amount = amount
	}
	for _, id := range in.ProductIDs {
		d.ProductIDs = append(d.ProductIDs, strconv.Itoa(id))
	}
	if in.DateExpiresGMT != nil && *in.DateExpiresGMT != "" {
		if d.ExpiresAt, err = time.Parse(wooDateLayout, *in.DateExpiresGMT); err != nil {
			wooError(rw, http.StatusBadRequest, "rest_invalid_param", "Invalid parameter(s): date_expires_gmt")
			return
		}
	}
	if in.UsageLimit != nil {
		d.UsageLimit = *in.UsageLimit
	}
	if in.UsageLimitPerUser != nil {
		d.PerCustomerLimit = *in.UsageLimitPerUser
	}
	stored, ok := w.insert(d)
	if !ok {
		wooError(rw, http.StatusBadRequest, "woocommerce_rest_coupon_code_already_exists", "The coupon code already exists")
		return
	}
	writeJSON(rw, http.StatusCreated, toWoo(stored))
}

// toWoo writes d as a v3 coupon.
func toWoo(d Discount) wooCoupon {
	id, _ := strconv.Atoi(d.ID)
	c := wooCoupon{ID: id, Code: d.Code, Description: d.Title, DiscountType: "fixed_cart", Amount: "0.00", IndividualUse: true, FreeShipping: d.FreeShipping, EmailRestrictions: []string{}, ProductIDs: []int{}}
	switch {
	case d.Percent != 0:
		c.DiscountType, c.Amount = "percent", strconv.FormatFloat(d.Percent, 'f', 2, 64)
	case d.Amount != "":
		c.Amount = d.Amount
	}
	for _, p := range d.ProductIDs {
		n, _ := strconv.Atoi(p)
		c.ProductIDs = append(c.ProductIDs, n)
	}
	if !d.ExpiresAt.IsZero() {
		s := d.ExpiresAt.UTC().Format(wooDateLayout)
		c.DateExpires, c.DateExpiresGMT = &s, &s
	}
	if d.UsageLimit != 0 {
		c.UsageLimit = &d.UsageLimit
	}
	if d.PerCustomerLimit != 0 {
		c.UsageLimitPerUser = &d.PerCustomerLimit
	}
	return c
}

// RateLimited is a 429 with Retry-After, as hosts in front of WordPress send.
func (w *WooCommerce) RateLimited(wait time.Duration) Response {
	return Response{
		Status: http.StatusTooManyRequests,
		Header: http.Header{"Retry-After": {strconv.FormatInt(int64(wait/time.Second), 10)}},
		Body:   `{"code":"rest_too_many_requests","message":"Too many requests.","data":{"status":429}}`,
	}
}

// ServerError is a 500 (a PHP fatal error).
func (w *WooCommerce) ServerError() Response {
	return Response{Status: http.StatusInternalServerError, Body: `{"code":"internal_server_error","message":"<p>There has been a critical error on this website.</p>","data":{"status":500}}`}
}

// Unauthorized is the 401 for a bad secret.
func (w *WooCommerce) Unauthorized() Response {
	return Response{Status: http.StatusUnauthorized, Body: `{"code":"woocommerce_rest_authentication_error","message":"Consumer secret is invalid.","data":{"status":401}}`}
}

// Malformed is a 200 that is not a coupon list or coupon (a plugin printed
// a notice before the JSON).
func (w *WooCommerce) Malformed() Response {
	return Response{Status: http.StatusOK, Body: "<br />\n<b>Notice</b>: Undefined index in plugin.php<br />\n[]"}
}
