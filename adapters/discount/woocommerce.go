package discount

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/boomerang-dev/boomerang/adapters/woocommerce/wcauth"
)

// WooCommerce REST v3 names.
const (
	wooCouponsPath      = "/wp-json/wc/v3/coupons"
	wooPercent          = "percent"
	wooFixedCart        = "fixed_cart"
	wooCodeExists       = "woocommerce_rest_coupon_code_already_exists"
	wooDateLayout       = "2006-01-02T15:04:05" // *_gmt dates: UTC, no zone
	wooQueryKey         = "consumer_key"
	wooQuerySecret      = "consumer_secret"
	wooLookupParamCode  = "code"
	wooLookupParamLimit = "per_page"
)

// WooCommerce makes discount codes on one WooCommerce site through the REST
// v3 coupons API. It is safe for concurrent use.
type WooCommerce struct {
	cfg    WooCommerceConfig
	client client
	https  bool
}

// NewWooCommerce returns a WooCommerce Maker, or an error when cfg is
// incomplete or invalid.
func NewWooCommerce(cfg WooCommerceConfig) (*WooCommerce, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	return &WooCommerce{
		cfg:    cfg,
		client: newClient(PlatformWooCommerce, cfg.HTTPClient, cfg.Now),
		https:  strings.HasPrefix(cfg.SiteURL, "https://"),
	}, nil
}

// Ensure makes sure c exists on the site: GET /wp-json/wc/v3/coupons?code=,
// then POST /wp-json/wc/v3/coupons when absent. A create refused with
// woocommerce_rest_coupon_code_already_exists counts as "already exists".
// See Maker.
func (w *WooCommerce) Ensure(ctx context.Context, c Code) (bool, error) {
	return ensure(ctx, w, w.client, w.cfg.Logger, c)
}

func (w *WooCommerce) lookup(ctx context.Context, c Code) (bool, error) {
	q := url.Values{wooLookupParamCode: {c.Code}, wooLookupParamLimit: {"10"}}
	a, err := w.send(ctx, http.MethodGet, q, nil, opLookup, c.Code)
	if err != nil {
		return false, err
	}
	if a.status < 200 || a.status > 299 {
		wait, _ := retryAfter(a.header, w.client.now())
		msgs, _ := wooError(a.body)
		return false, w.client.statusError(a, opLookup, c.Code, msgs, wait)
	}
	found, err := parseWooCoupons(a.body, c.Code)
	if err != nil {
		e := w.client.fail(ErrPermanent, opLookup, c.Code, err)
		e.StatusCode = a.status
		return false, e
	}
	return found, nil
}

// wooCoupon is the create body.
type wooCoupon struct {
	Code              string  `json:"code"`
	DiscountType      string  `json:"discount_type"`
	Amount            string  `json:"amount"`
	Description       string  `json:"description"`
	DateExpiresGMT    *string `json:"date_expires_gmt"`
	IndividualUse     bool    `json:"individual_use"`
	ProductIDs        []int64 `json:"product_ids,omitempty"`
	UsageLimit        int     `json:"usage_limit"`
	UsageLimitPerUser int     `json:"usage_limit_per_user"`
	FreeShipping      bool    `json:"free_shipping"`
}

// wooBody builds the create body for c.
func wooBody(c Code) (*wooCoupon, error) {
	body := &wooCoupon{
		Code:              c.Code,
		Description:       c.Title,
		IndividualUse:     true,
		UsageLimit:        c.UsageLimit,
		UsageLimitPerUser: 1,
	}
	switch {
	case c.Percent != 0:
		body.DiscountType, body.Amount = wooPercent, strconv.Itoa(c.Percent)
	case c.Amount != "":
		body.DiscountType, body.Amount = wooFixedCart, c.Amount
	default:
		body.DiscountType, body.Amount, body.FreeShipping = wooFixedCart, "0", true
	}
	if len(c.ProductIDs) > 0 {
		ids, err := numericIDs(c.ProductIDs)
		if err != nil {
			return nil, err
		}
		body.ProductIDs = ids
	}
	if !c.ExpiresAt.IsZero() {
		d := c.ExpiresAt.UTC().Format(wooDateLayout)
		body.DateExpiresGMT = &d
	}
	return body, nil
}

func (w *WooCommerce) create(ctx context.Context, c Code) (bool, error) {
	body, err := wooBody(c)
	if err != nil {
		return false, w.client.fail(ErrPermanent, opValidate, c.Code, err)
	}
	raw, err := json.Marshal(body)
	if err != nil {
		return false, w.client.fail(ErrPermanent, opCreate, c.Code, fmt.Errorf("encoding request: %w", err))
	}
	a, err := w.send(ctx, http.MethodPost, url.Values{}, bytes.NewReader(raw), opCreate, c.Code)
	if err != nil {
		return false, err
	}
	if a.status >= 200 && a.status <= 299 {
		if err := parseWooCreated(a.body); err != nil {
			e := w.client.fail(ErrPermanent, opCreate, c.Code, err)
			e.StatusCode = a.status
			return false, e
		}
		return true, nil
	}
	msgs, code := wooError(a.body)
	if code == wooCodeExists {
		return false, nil
	}
	wait, _ := retryAfter(a.header, w.client.now())
	return false, w.client.statusError(a, opCreate, c.Code, msgs, wait)
}

// send makes one authenticated request to the coupons collection: HTTP Basic
// (or the keys in the query) over HTTPS, OAuth 1.0a over plain http.
func (w *WooCommerce) send(ctx context.Context, method string, q url.Values, body io.Reader, op, code string) (*answer, error) {
	base := w.cfg.SiteURL + wooCouponsPath
	switch {
	case !w.https:
		wcauth.Sign(method, base, q, w.cfg.ConsumerKey, w.cfg.ConsumerSecret, w.client.now())
	case w.cfg.QueryStringAuth:
		q.Set(wooQueryKey, w.cfg.ConsumerKey)
		q.Set(wooQuerySecret, w.cfg.ConsumerSecret)
	}
	target := base
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	req, err := newRequest(ctx, method, target, body)
	if err != nil {
		// The URL may hold credentials: do not print it.
		return nil, w.client.fail(ErrPermanent, op, code, fmt.Errorf("building %s %s request", method, wooCouponsPath))
	}
	if w.https && !w.cfg.QueryStringAuth {
		req.SetBasicAuth(w.cfg.ConsumerKey, w.cfg.ConsumerSecret)
	}
	return w.client.do(req, op, code, method+" "+wooCouponsPath)
}

// parseWooCoupons reads a GET coupons answer and reports whether it holds
// code (WooCommerce lower-cases codes, so the comparison ignores case).
func parseWooCoupons(body []byte, code string) (bool, error) {
	var coupons []struct {
		ID   json.Number `json:"id"`
		Code *string     `json:"code"`
	}
	if err := json.Unmarshal(body, &coupons); err != nil {
		return false, malformed("decoding coupons: %v", err)
	}
	for _, c := range coupons {
		if c.Code == nil {
			return false, malformed("coupon without a code")
		}
		if strings.EqualFold(*c.Code, code) {
			return true, nil
		}
	}
	return false, nil
}

// parseWooCreated checks a create answer is a coupon with an id.
func parseWooCreated(body []byte) error {
	var coupon struct {
		ID json.Number `json:"id"`
	}
	if err := json.Unmarshal(body, &coupon); err != nil {
		return malformed("decoding created coupon: %v", err)
	}
	if coupon.ID == "" {
		return malformed("created coupon has no id")
	}
	return nil
}

// wooError reads a WordPress REST error, {"code":"…","message":"…",
// "data":{"status":400}}: the messages ("code: message") and the code.
func wooError(body []byte) ([]string, string) {
	var e struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &e) != nil || (e.Code == "" && e.Message == "") {
		return textMessage(body), ""
	}
	msg := e.Message
	if e.Code != "" {
		msg = e.Code + ": " + msg
	}
	return addMessage(nil, msg), e.Code
}
