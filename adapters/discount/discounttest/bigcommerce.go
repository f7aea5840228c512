package discounttest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BigCommerce is a fake BigCommerce store serving the v2 coupons API.
type BigCommerce struct {
	*Store
	// Server is the running server; BaseURL the store's API base
	// ({Server.URL}/stores/{StoreHash}).
	Server    *httptest.Server
	BaseURL   string
	StoreHash string
	// AccessToken is the X-Auth-Token requests must carry.
	AccessToken string
}

var _ Fake = (*BigCommerce)(nil)

// NewBigCommerce starts a fake BigCommerce store, closed when tb ends.
func NewBigCommerce(tb testing.TB) *BigCommerce {
	tb.Helper()
	b := &BigCommerce{Store: newStore(), StoreHash: "abc123", AccessToken: "bc_test_token_0123456789"} //nolint:gosec // a fake's test token
	b.Server = httptest.NewServer(b.serve(b.handle, func(r *http.Request, _ []byte) bool { return r.Method == http.MethodPost }))
	tb.Cleanup(b.Server.Close)
	b.BaseURL = b.Server.URL + "/stores/" + b.StoreHash
	return b
}

// bigCommerceCoupon is coupon_Full as the v2 API writes it.
type bigCommerceCoupon struct {
	ID                 int                  `json:"id"`
	Name               string               `json:"name"`
	Type               string               `json:"type"`
	Amount             string               `json:"amount"`
	MinPurchase        string               `json:"min_purchase"`
	Expires            string               `json:"expires"`
	Enabled            bool                 `json:"enabled"`
	Code               string               `json:"code"`
	AppliesTo          bigCommerceAppliesTo `json:"applies_to"`
	NumUses            int                  `json:"num_uses"`
	MaxUses            int                  `json:"max_uses"`
	MaxUsesPerCustomer int                  `json:"max_uses_per_customer"`
	RestrictedTo       []string             `json:"restricted_to"`
	DateCreated        string               `json:"date_created"`
}

type bigCommerceAppliesTo struct {
	Entity string `json:"entity"`
	IDs    []int  `json:"ids"`
}

// bigCommerceError is one entry of v2's error array.
type bigCommerceError struct {
	Status  int    `json:"status"`
	Message string `json:"message"`
}

// bigCommerceTypes are the coupon types a create may name.
var bigCommerceTypes = []string{"per_item_discount", "per_total_discount", "shipping_discount", "free_shipping", "percentage_discount"}

func (b *BigCommerce) fail(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, []bigCommerceError{{Status: status, Message: msg}})
}

func (b *BigCommerce) handle(w http.ResponseWriter, r *http.Request, body []byte) {
	w.Header().Set("X-Rate-Limit-Requests-Left", "149")
	w.Header().Set("X-Rate-Limit-Requests-Quota", "150")
	w.Header().Set("X-Rate-Limit-Time-Window-Ms", "30000")
	w.Header().Set("X-Rate-Limit-Time-Reset-Ms", "29000")
	if r.URL.Path != "/stores/"+b.StoreHash+"/v2/coupons" {
		b.fail(w, http.StatusNotFound, "The requested resource was not found.")
		return
	}
	if r.Header.Get("X-Auth-Token") != b.AccessToken {
		write(w, b.Unauthorized())
		return
	}
	if r.Header.Get("Accept") != "application/json" {
		// v2 speaks XML unless asked for JSON.
		b.fail(w, http.StatusNotAcceptable, "The requested content type is not acceptable; send Accept: application/json.")
		return
	}
	switch r.Method {
	case http.MethodGet:
		b.list(w, r)
	case http.MethodPost:
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			b.fail(w, http.StatusUnsupportedMediaType, "The Content-Type header must be application/json.")
			return
		}
		b.create(w, body)
	default:
		b.fail(w, http.StatusMethodNotAllowed, "The requested method is not allowed.")
	}
}

func (b *BigCommerce) list(w http.ResponseWriter, r *http.Request) {
	code := r.URL.Query().Get("code")
	d, ok := b.find(code)
	if code == "" || !ok {
		// v2 answers an empty collection with 204 No Content.
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, http.StatusOK, []bigCommerceCoupon{toBigCommerce(d)})
}

func (b *BigCommerce) create(w http.ResponseWriter, body []byte) {
	var in struct {
		Name               *string               `json:"name"`
		Type               *string               `json:"type"`
		Amount             *string               `json:"amount"`
		Code               *string               `json:"code"`
		Enabled            *bool                 `json:"enabled"`
		AppliesTo          *bigCommerceAppliesTo `json:"applies_to"`
		Expires            *string               `json:"expires"`
		MaxUses            *int                  `json:"max_uses"`
		MaxUsesPerCustomer *int                  `json:"max_uses_per_customer"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		b.fail(w, http.StatusBadRequest, "The request body is not valid JSON.")
		return
	}
	switch {
	case in.Name == nil || *in.Name == "":
		b.fail(w, http.StatusBadRequest, "The required field 'name' was not supplied.")
		return
	case in.Code == nil || *in.Code == "":
		b.fail(w, http.StatusBadRequest, "The required field 'code' was not supplied.")
		return
	case in.Type == nil || !slices.Contains(bigCommerceTypes, *in.Type):
		b.fail(w, http.StatusBadRequest, "The field 'type' is invalid.")
		return
	case in.Amount == nil:
		b.fail(w, http.StatusBadRequest, "The required field 'amount' was not supplied.")
		return
	case in.AppliesTo == nil || (in.AppliesTo.Entity != "products" && in.AppliesTo.Entity != "categories") || len(in.AppliesTo.IDs) == 0:
		b.fail(w, http.StatusBadRequest, "The field 'applies_to' is invalid.")
		return
	}
	amount, err := strconv.ParseFloat(*in.Amount, 64)
	if err != nil || amount < 0 || (*in.Type == "percentage_discount" && (amount <= 0 || amount > 100)) {
		b.fail(w, http.StatusBadRequest, "The field 'amount' is invalid.")
		return
	}
	d := Discount{Code: *in.Code, Title: *in.Name, Raw: body}
	switch *in.Type {
	case "percentage_discount":
		d.Percent = amount
	case "free_shipping":
		d.FreeShipping = true
	default:
		d.Amount = *in.Amount
	}
	if in.AppliesTo.Entity == "products" {
		for _, id := range in.AppliesTo.IDs {
			d.ProductIDs = append(d.ProductIDs, strconv.Itoa(id))
		}
	} else if !slices.Equal(in.AppliesTo.IDs, []int{0}) {
		b.fail(w, http.StatusBadRequest, "This fake only knows categories [0] (all products).")
		return
	}
	if in.Expires != nil && *in.Expires != "" {
		if d.ExpiresAt, err = time.Parse(time.RFC1123Z, *in.Expires); err != nil {
			b.fail(w, http.StatusBadRequest, "The field 'expires' is invalid; use RFC 2822.")
			return
		}
	}
	if in.MaxUses != nil {
		d.UsageLimit = *in.MaxUses
	}
	if in.MaxUsesPerCustomer != nil {
		d.PerCustomerLimit = *in.MaxUsesPerCustomer
	}
	if b.exists(func(o *Discount) bool { return o.Title == d.Title }) {
		b.fail(w, http.StatusConflict, "The coupon name '"+d.Title+"' is already in use.")
		return
	}
	stored, ok := b.insert(d)
	if !ok {
		b.fail(w, http.StatusConflict, "The coupon code '"+d.Code+"' is already in use.")
		return
	}
	writeJSON(w, http.StatusCreated, toBigCommerce(stored))
}

// toBigCommerce writes d as coupon_Full.
func toBigCommerce(d Discount) bigCommerceCoupon {
	id, _ := strconv.Atoi(d.ID)
	c := bigCommerceCoupon{
		ID: id, Name: d.Title, Code: d.Code, Enabled: true, MinPurchase: "0.0000",
		AppliesTo:          bigCommerceAppliesTo{Entity: "categories", IDs: []int{0}},
		MaxUses:            d.UsageLimit,
		MaxUsesPerCustomer: d.PerCustomerLimit,
		RestrictedTo:       []string{},
		DateCreated:        "Tue, 13 Mar 2018 16:18:59 +0000",
	}
	switch {
	case d.FreeShipping:
		c.Type, c.Amount = "free_shipping", "0.0000"
	case d.Amount != "":
		c.Type, c.Amount = "per_total_discount", d.Amount
	default:
		c.Type, c.Amount = "percentage_discount", strconv.FormatFloat(d.Percent, 'f', 4, 64)
	}
	if len(d.ProductIDs) > 0 {
		c.AppliesTo.Entity, c.AppliesTo.IDs = "products", nil
		for _, p := range d.ProductIDs {
			n, _ := strconv.Atoi(p)
			c.AppliesTo.IDs = append(c.AppliesTo.IDs, n)
		}
	}
	if !d.ExpiresAt.IsZero() {
		c.Expires = d.ExpiresAt.Format(time.RFC1123Z)
	}
	return c
}

// RateLimited is a 429 with BigCommerce's rate-limit headers.
func (b *BigCommerce) RateLimited(wait time.Duration) Response {
	return Response{
		Status: http.StatusTooManyRequests,
		Header: http.Header{
			"X-Rate-Limit-Requests-Left":  {"0"},
			"X-Rate-Limit-Requests-Quota": {"150"},
			"X-Rate-Limit-Time-Window-Ms": {"30000"},
			"X-Rate-Limit-Time-Reset-Ms":  {strconv.FormatInt(wait.Milliseconds(), 10)},
		},
		Body: `{"status":429,"title":"Too many requests","type":"https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes"}`,
	}
}

// ServerError is a 500.
func (b *BigCommerce) ServerError() Response {
	return Response{Status: http.StatusInternalServerError, Body: `[{"status":500,"message":"Internal Server Error"}]`}
}

// Unauthorized is the 401 for a bad token.
func (b *BigCommerce) Unauthorized() Response {
	return Response{Status: http.StatusUnauthorized, Body: `[{"status":401,"message":"No valid credentials were supplied in the request."}]`}
}

// Malformed is a 200 that is not a coupon list or coupon.
func (b *BigCommerce) Malformed() Response {
	return Response{Status: http.StatusOK, Body: `{"data": "not a coupon", "id": {}}`}
}
