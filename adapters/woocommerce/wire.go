package woocommerce

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
)

// The wire types below decode the REST v3 resources WooCommerce posts. They
// keep ids and money as the literal text of the JSON (never through float64)
// and fail on values of the wrong JSON type, which Normalize reports as
// ingest.ErrMalformed.

// wcID is a resource id: a JSON integer or a string of digits, kept as text.
// null and 0 decode to "" (WooCommerce writes 0 for "none", such as a
// guest's customer_id or a line's variation_id).
type wcID string

func (id *wcID) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*id = ""
		return nil
	}
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	if !isDigits(s) {
		return errors.New("id is not a non-negative integer")
	}
	s = strings.TrimLeft(s, "0")
	*id = wcID(s)
	return nil
}

// text is a string WooCommerce may also write as a number (order number,
// postcode from plugins): the literal text either way; null is "".
type text string

func (t *text) UnmarshalJSON(b []byte) error {
	switch {
	case string(b) == "null":
		*t = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = text(s)
	case isNumber(b):
		*t = text(b)
	default:
		return errors.New("want a string or a number")
	}
	return nil
}

// decimal is money or a price: a JSON string as given ("29.35"), or a JSON
// number as its literal text (line item price: 3, 3.3333333333333335);
// null is "".
type decimal = text

// gmtTime is a *_gmt date: UTC without an offset ("2017-03-22T19:28:02").
// null and "" decode to the zero time. A string with an offset is accepted
// too and converted to UTC.
type gmtTime time.Time

// gmtLayout is WooCommerce's *_gmt format (wc_rest_prepare_date_response).
const gmtLayout = "2006-01-02T15:04:05.999999999"

func (g *gmtTime) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*g = gmtTime{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errors.New("date is not a string")
	}
	t, err := parseGMT(s)
	if err != nil {
		return err
	}
	*g = gmtTime(t)
	return nil
}

// Time returns the time in UTC, zero when unset.
func (g gmtTime) Time() time.Time { return time.Time(g) }

// parseGMT parses a *_gmt date. "" is the zero time.
func parseGMT(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	t, err := time.ParseInLocation(gmtLayout, s, time.UTC)
	if err != nil {
		return time.Time{}, errors.New("date is not a WooCommerce GMT date")
	}
	return t, nil
}

// address is a billing or shipping address. PHP writes an empty array as
// [], so [] decodes as an empty address.
type address struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Company   string `json:"company"`
	Address1  string `json:"address_1"`
	Address2  string `json:"address_2"`
	City      string `json:"city"`
	State     string `json:"state"`
	Postcode  text   `json:"postcode"`
	Country   string `json:"country"`
	Email     string `json:"email"`
	Phone     text   `json:"phone"`
}

func (a *address) UnmarshalJSON(b []byte) error {
	if isEmptyArray(b) {
		*a = address{}
		return nil
	}
	type plain address
	return json.Unmarshal(b, (*plain)(a))
}

// image is a line item's or product's image; only src is used (its id is
// "" when there is none, so it is not decoded).
type image struct {
	Src string `json:"src"`
}

func (i *image) UnmarshalJSON(b []byte) error {
	if isEmptyArray(b) {
		*i = image{}
		return nil
	}
	type plain image
	return json.Unmarshal(b, (*plain)(i))
}

// lineItem is one of an order's line_items.
type lineItem struct {
	ID          wcID     `json:"id"`
	Name        string   `json:"name"`
	ProductID   wcID     `json:"product_id"`
	VariationID wcID     `json:"variation_id"`
	Quantity    quantity `json:"quantity"`
	Subtotal    decimal  `json:"subtotal"`
	SKU         text     `json:"sku"`
	Price       decimal  `json:"price"`
	Image       image    `json:"image"`
}

// quantity is a line's quantity: a JSON integer. Stores whose plugins make
// quantities fractional (wc_stock_amount filtered to floatval) send
// numbers such as 1.5; those are rounded to the nearest integer.
type quantity int

func (q *quantity) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*q = 0
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		b = []byte(s)
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsNaN(f) || math.Abs(f) > maxQuantity {
		return errors.New("quantity is not a number")
	}
	*q = quantity(math.Round(f))
	return nil
}

// maxQuantity bounds a quantity so that it fits an int everywhere.
const maxQuantity = 1 << 31

// couponLine is one of an order's coupon_lines.
type couponLine struct {
	Code string `json:"code"`
}

// order is the REST v3 order resource.
type order struct {
	ID               wcID         `json:"id"`
	Number           text         `json:"number"`
	OrderKey         string       `json:"order_key"`
	Status           string       `json:"status"`
	Currency         string       `json:"currency"`
	DateCreatedGMT   gmtTime      `json:"date_created_gmt"`
	DateModifiedGMT  gmtTime      `json:"date_modified_gmt"`
	DatePaidGMT      gmtTime      `json:"date_paid_gmt"`
	DateCompletedGMT gmtTime      `json:"date_completed_gmt"`
	DiscountTotal    decimal      `json:"discount_total"`
	ShippingTotal    decimal      `json:"shipping_total"`
	Total            decimal      `json:"total"`
	TotalTax         decimal      `json:"total_tax"`
	CustomerID       wcID         `json:"customer_id"`
	Billing          address      `json:"billing"`
	Shipping         address      `json:"shipping"`
	CartHash         string       `json:"cart_hash"`
	LineItems        []lineItem   `json:"line_items"`
	CouponLines      []couponLine `json:"coupon_lines"`
	MetaData         []metaEntry  `json:"meta_data"`
}

// metaEntry is one order meta_data entry; plugins write any JSON value.
type metaEntry struct {
	Key   string          `json:"key"`
	Value json.RawMessage `json:"value"`
}

// customer is the REST v3 customer resource. orders_count and total_spent
// are read when present (older API versions carry them).
type customer struct {
	ID              wcID    `json:"id"`
	DateCreatedGMT  gmtTime `json:"date_created_gmt"`
	DateModifiedGMT gmtTime `json:"date_modified_gmt"`
	Email           string  `json:"email"`
	FirstName       string  `json:"first_name"`
	LastName        string  `json:"last_name"`
	Billing         address `json:"billing"`
	Shipping        address `json:"shipping"`
	OrdersCount     *int    `json:"orders_count"`
	TotalSpent      decimal `json:"total_spent"`
}

// coupon is the REST v3 coupon resource.
type coupon struct {
	ID              wcID    `json:"id"`
	Code            string  `json:"code"`
	Amount          decimal `json:"amount"`
	DiscountType    string  `json:"discount_type"`
	DateCreatedGMT  gmtTime `json:"date_created_gmt"`
	DateModifiedGMT gmtTime `json:"date_modified_gmt"`
	DateExpiresGMT  gmtTime `json:"date_expires_gmt"`
	UsageCount      *int    `json:"usage_count"`
}

// product is the REST v3 product resource (or a variation, which the
// product topics also deliver).
type product struct {
	ID              wcID    `json:"id"`
	Name            string  `json:"name"`
	Permalink       string  `json:"permalink"`
	DateCreatedGMT  gmtTime `json:"date_created_gmt"`
	DateModifiedGMT gmtTime `json:"date_modified_gmt"`
	Status          string  `json:"status"`
	Price           decimal `json:"price"`
	Purchasable     *bool   `json:"purchasable"`
	StockStatus     string  `json:"stock_status"`
	Images          []image `json:"images"`
	Image           image   `json:"image"`
}

// deleted is the body of every *.deleted topic: {"id": N}.
type deleted struct {
	ID wcID `json:"id"`
}

// restError is what WooCommerce posts when it could not build the resource
// at delivery time (it was deleted before the queued delivery ran): the REST
// error response, {"code": ..., "message": ..., "data": {"status": 404}}.
type restError struct {
	ID      json.RawMessage `json:"id"`
	Code    *string         `json:"code"`
	Message *string         `json:"message"`
}

// links is the resource's _links; self names the REST route and version.
type links struct {
	Links struct {
		Self []struct {
			Href string `json:"href"`
		} `json:"self"`
	} `json:"_links"` //nolint:tagliatelle // WooCommerce's name
}

func isDigits(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isNumber reports whether b is a JSON number literal.
func isNumber(b []byte) bool {
	if len(b) == 0 || (b[0] != '-' && (b[0] < '0' || b[0] > '9')) {
		return false
	}
	var n json.Number
	return json.Unmarshal(b, &n) == nil
}

func isEmptyArray(b []byte) bool {
	return bytes.Equal(bytes.Join(bytes.Fields(b), nil), []byte("[]"))
}

// truncate bounds s for error messages.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
