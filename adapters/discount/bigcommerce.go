package discount

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// BigCommerce API headers.
const (
	// HeaderBigCommerceAuthToken carries the store's API token.
	HeaderBigCommerceAuthToken = "X-Auth-Token" //nolint:gosec // a header name, not a credential
	// headerRateLimitReset is the milliseconds until the rate-limit window
	// resets.
	headerRateLimitReset = "X-Rate-Limit-Time-Reset-Ms"
	// headerXRetryAfter is BigCommerce's seconds to wait after a 429.
	headerXRetryAfter = "X-Retry-After"
)

// BigCommerce v2 coupon types and applies_to entities.
const (
	bigCommercePercentage   = "percentage_discount"
	bigCommerceTotal        = "per_total_discount"
	bigCommerceFreeShipping = "free_shipping"
	bigCommerceProducts     = "products"
	bigCommerceCategories   = "categories"
	// bigCommerceNameLen bounds a coupon name.
	bigCommerceNameLen = 100
)

// bigCommerceCouponsPath is the v2 coupons collection.
const bigCommerceCouponsPath = "/v2/coupons"

// BigCommerce makes discount codes on one BigCommerce store through the v2
// coupons API. It is safe for concurrent use.
type BigCommerce struct {
	cfg    BigCommerceConfig
	client client
}

// NewBigCommerce returns a BigCommerce Maker, or an error when cfg is
// incomplete or invalid.
func NewBigCommerce(cfg BigCommerceConfig) (*BigCommerce, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	return &BigCommerce{cfg: cfg, client: newClient(PlatformBigCommerce, cfg.HTTPClient, cfg.Now)}, nil
}

// Ensure makes sure c exists on the store: GET /v2/coupons?code=, then POST
// /v2/coupons when absent. BigCommerce answers a duplicate with 409 (names
// must be unique too), so a create refused with 400, 409 or 422 is checked
// with one more lookup: the code existing then counts as "already exists".
// See Maker.
func (b *BigCommerce) Ensure(ctx context.Context, c Code) (bool, error) {
	return ensure(ctx, b, b.client, b.cfg.Logger, c)
}

func (b *BigCommerce) lookup(ctx context.Context, c Code) (bool, error) {
	target := b.cfg.BaseURL + bigCommerceCouponsPath + "?" + url.Values{"code": {c.Code}}.Encode()
	req, err := newRequest(ctx, http.MethodGet, target, nil)
	if err != nil {
		return false, b.client.fail(ErrPermanent, opLookup, c.Code, fmt.Errorf("building request: %w", err))
	}
	a, err := b.send(req, opLookup, c.Code, "GET "+bigCommerceCouponsPath)
	if err != nil {
		return false, err
	}
	if a.status < 200 || a.status > 299 {
		return false, b.client.statusError(a, opLookup, c.Code, bigCommerceMessages(a.body), b.wait(a.header))
	}
	if a.status == http.StatusNoContent {
		// v2 answers an empty collection with 204.
		return false, nil
	}
	found, err := parseBigCommerceCoupons(a.body, c.Code)
	if err != nil {
		e := b.client.fail(ErrPermanent, opLookup, c.Code, err)
		e.StatusCode = a.status
		return false, e
	}
	return found, nil
}

// bigCommerceCoupon is the create body (coupon_Base).
type bigCommerceCoupon struct {
	Name               string               `json:"name"`
	Type               string               `json:"type"`
	Amount             string               `json:"amount"`
	Code               string               `json:"code"`
	Enabled            bool                 `json:"enabled"`
	AppliesTo          bigCommerceAppliesTo `json:"applies_to"`
	Expires            string               `json:"expires,omitempty"`
	MaxUses            int                  `json:"max_uses"`
	MaxUsesPerCustomer int                  `json:"max_uses_per_customer"`
}

// bigCommerceAppliesTo is what a coupon applies to: all products is
// categories [0].
type bigCommerceAppliesTo struct {
	Entity string  `json:"entity"`
	IDs    []int64 `json:"ids"`
}

// bigCommerceBody builds the create body for c.
func bigCommerceBody(c Code) (*bigCommerceCoupon, error) {
	body := &bigCommerceCoupon{
		Name:               bigCommerceName(c.Title, c.Code),
		Code:               c.Code,
		Enabled:            true,
		AppliesTo:          bigCommerceAppliesTo{Entity: bigCommerceCategories, IDs: []int64{0}},
		MaxUses:            c.UsageLimit,
		MaxUsesPerCustomer: 1,
	}
	switch {
	case c.Percent != 0:
		body.Type, body.Amount = bigCommercePercentage, strconv.Itoa(c.Percent)
	case c.Amount != "":
		body.Type, body.Amount = bigCommerceTotal, c.Amount
	default:
		body.Type, body.Amount = bigCommerceFreeShipping, "0"
	}
	if len(c.ProductIDs) > 0 {
		ids, err := numericIDs(c.ProductIDs)
		if err != nil {
			return nil, err
		}
		body.AppliesTo = bigCommerceAppliesTo{Entity: bigCommerceProducts, IDs: ids}
	}
	if !c.ExpiresAt.IsZero() {
		// RFC 2822, as the API requires.
		body.Expires = c.ExpiresAt.UTC().Format(time.RFC1123Z)
	}
	return body, nil
}

// bigCommerceName is the coupon's name: the title and the code, because
// BigCommerce refuses a second coupon with the same name (409).
func bigCommerceName(title, code string) string {
	name := title + " " + code
	if len(name) <= bigCommerceNameLen {
		return name
	}
	room := bigCommerceNameLen - len(code) - 1
	if room <= 0 {
		return clipBytes(code, bigCommerceNameLen)
	}
	return strings.TrimSpace(clipBytes(title, room)) + " " + code
}

// clipBytes cuts s to at most n bytes on a rune boundary.
func clipBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !isRuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func (b *BigCommerce) create(ctx context.Context, c Code) (bool, error) {
	body, err := bigCommerceBody(c)
	if err != nil {
		return false, b.client.fail(ErrPermanent, opValidate, c.Code, err)
	}
	raw, err := json.Marshal(body)
	if err != nil {
		return false, b.client.fail(ErrPermanent, opCreate, c.Code, fmt.Errorf("encoding request: %w", err))
	}
	req, err := newRequest(ctx, http.MethodPost, b.cfg.BaseURL+bigCommerceCouponsPath, bytes.NewReader(raw))
	if err != nil {
		return false, b.client.fail(ErrPermanent, opCreate, c.Code, fmt.Errorf("building request: %w", err))
	}
	a, err := b.send(req, opCreate, c.Code, "POST "+bigCommerceCouponsPath)
	if err != nil {
		return false, err
	}
	switch {
	case a.status >= 200 && a.status <= 299:
		if err := parseBigCommerceCreated(a.body); err != nil {
			e := b.client.fail(ErrPermanent, opCreate, c.Code, err)
			e.StatusCode = a.status
			return false, e
		}
		return true, nil
	case a.status == http.StatusBadRequest || a.status == http.StatusConflict || a.status == http.StatusUnprocessableEntity:
		// Perhaps a duplicate: the code existing now settles it.
		found, lerr := b.lookup(ctx, c)
		if lerr == nil && found {
			return false, nil
		}
	}
	return false, b.client.statusError(a, opCreate, c.Code, bigCommerceMessages(a.body), b.wait(a.header))
}

// send sets the token and makes the request.
func (b *BigCommerce) send(req *http.Request, op, code, what string) (*answer, error) {
	req.Header.Set(HeaderBigCommerceAuthToken, b.cfg.AccessToken)
	return b.client.do(req, op, code, what)
}

// wait is the longest of X-Rate-Limit-Time-Reset-Ms, X-Retry-After and
// Retry-After; 0 when none is given.
func (b *BigCommerce) wait(h http.Header) time.Duration {
	return bigCommerceWait(h, b.client.now())
}

// bigCommerceWait reads BigCommerce's rate-limit headers.
func bigCommerceWait(h http.Header, now time.Time) time.Duration {
	var wait time.Duration
	if ms, err := strconv.ParseInt(strings.TrimSpace(h.Get(headerRateLimitReset)), 10, 64); err == nil && ms > 0 {
		wait = max(wait, capWait(time.Duration(min(ms, maxRetryAfter.Milliseconds()))*time.Millisecond))
	}
	if s, err := strconv.ParseInt(strings.TrimSpace(h.Get(headerXRetryAfter)), 10, 64); err == nil && s > 0 {
		wait = max(wait, capWait(time.Duration(min(s, int64(maxRetryAfter/time.Second)))*time.Second))
	}
	if d, ok := retryAfter(h, now); ok {
		wait = max(wait, d)
	}
	return wait
}

// parseBigCommerceCoupons reads a GET /v2/coupons answer and reports
// whether it holds code (compared without regard to case).
func parseBigCommerceCoupons(body []byte, code string) (bool, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return false, nil
	}
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

// parseBigCommerceCreated checks a create answer is a coupon with an id.
func parseBigCommerceCreated(body []byte) error {
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

// bigCommerceMessages reads an error answer: v2's
// [{"status":409,"message":"…"}], or {"title":"…","detail":"…"} and
// {"errors":{"field":"…"}} shapes; else the text.
func bigCommerceMessages(body []byte) []string {
	type entry struct {
		Message string `json:"message"`
		Title   string `json:"title"`
		Detail  string `json:"detail"`
	}
	text := func(e entry) string {
		parts := make([]string, 0, 3)
		for _, p := range []string{e.Title, e.Message, e.Detail} {
			if p = strings.TrimSpace(p); p != "" {
				parts = append(parts, p)
			}
		}
		return strings.Join(parts, ": ")
	}
	var list []entry
	if json.Unmarshal(body, &list) == nil {
		var msgs []string
		for _, e := range list {
			msgs = addMessage(msgs, text(e))
		}
		return msgs
	}
	var one struct {
		entry
		Errors map[string]json.RawMessage `json:"errors"`
	}
	if json.Unmarshal(body, &one) == nil {
		msgs := addMessage(nil, text(one.entry))
		for _, f := range sortedKeys(one.Errors) {
			msgs = addMessage(msgs, f+": "+strings.Trim(string(one.Errors[f]), `"`))
		}
		if len(msgs) > 0 {
			return msgs
		}
	}
	return textMessage(body)
}
