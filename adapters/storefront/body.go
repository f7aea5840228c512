package storefront

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/boomerang-dev/boomerang/flows/event"
)

// ErrBadBody means a /track body is malformed JSON, names an unknown type,
// or has a field out of shape. Its message is safe to show the caller.
var ErrBadBody = errors.New("bad track body")

// Limits on the body's fields.
const (
	maxIDLen    = 128
	maxTextLen  = 500
	maxURLLen   = 2048
	maxLines    = 100
	maxQuantity = 100000
)

// body is the snippet's JSON.
type body struct {
	Key        string   `json:"key"`
	Type       string   `json:"type"`
	Visitor    string   `json:"visitor"`
	Email      string   `json:"email"`
	Phone      string   `json:"phone"`
	OccurredAt string   `json:"occurred_at"`
	Product    *product `json:"product"`
	Item       *item    `json:"item"`
	Cart       *cart    `json:"cart"`
}

type product struct {
	ID        literal `json:"id"`
	VariantID literal `json:"variant_id"`
	Title     string  `json:"title"`
	URL       string  `json:"url"`
	ImageURL  string  `json:"image_url"`
	Price     literal `json:"price"`
	Currency  string  `json:"currency"`
}

type item struct {
	ID           literal `json:"id"`
	ProductID    literal `json:"product_id"`
	VariantID    literal `json:"variant_id"`
	SKU          string  `json:"sku"`
	Title        string  `json:"title"`
	VariantTitle string  `json:"variant_title"`
	Quantity     int     `json:"quantity"`
	Price        literal `json:"price"`
	ImageURL     string  `json:"image_url"`
	URL          string  `json:"url"`
	// Currency is the item's, for cart.item_added sent without a cart.
	Currency string `json:"currency"`
}

type cart struct {
	Token       literal `json:"token"`
	LineItems   []item  `json:"line_items"`
	Currency    string  `json:"currency"`
	Total       literal `json:"total"`
	RecoveryURL string  `json:"recovery_url"`
}

// literal is a JSON string or number kept as its text: ids (Shopify's
// exceed 2^53) and money (never a float).
type literal string

func (l *literal) UnmarshalJSON(b []byte) error {
	switch {
	case string(b) == "null":
		*l = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*l = literal(s)
	case len(b) > 0 && (b[0] == '-' || b[0] >= '0' && b[0] <= '9'):
		*l = literal(b)
	default:
		return errors.New("want a string or a number")
	}
	return nil
}

// parsed is a validated body, ready to become an event.
type parsed struct {
	key, visitor string
	typ          event.Type
	email, phone string
	// occurredAt is the client's time, zero when not sent.
	occurredAt time.Time
	data       any
}

// anonymous reports whether the event names nobody Boomerang could follow.
func (p *parsed) anonymous() bool { return p.email == "" && p.phone == "" }

func bad(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrBadBody}, args...)...)
}

// parse decodes and validates a /track body.
func parse(raw []byte) (*parsed, error) {
	var b body
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&b); err != nil {
		return nil, bad("malformed JSON: %s", jsonProblem(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, bad("malformed JSON: data after the object")
	}
	p := &parsed{key: strings.TrimSpace(b.Key), typ: event.Type(b.Type)}
	if p.key == "" {
		return nil, bad("key is required")
	}
	var err error
	if p.visitor, err = visitorID(b.Visitor); err != nil {
		return nil, err
	}
	if p.email, err = email(b.Email); err != nil {
		return nil, err
	}
	if p.phone, err = phone(b.Phone); err != nil {
		return nil, err
	}
	if b.OccurredAt != "" {
		if p.occurredAt, err = time.Parse(time.RFC3339Nano, b.OccurredAt); err != nil {
			return nil, bad("occurred_at is not an RFC 3339 time")
		}
	}
	switch p.typ {
	case event.ProductViewed:
		p.data, err = productView(b.Product)
	case event.CartItemAdded:
		p.data, err = cartItem(b.Item, b.Cart)
	case event.CartUpdated:
		p.data, err = cartData(b.Cart, p.email, p.phone)
	default:
		return nil, bad("unknown type %q: want product.viewed, cart.item_added or cart.updated", b.Type)
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

// jsonProblem words a decoding error without echoing the body.
func jsonProblem(err error) string {
	if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok && te.Field != "" {
		return te.Field + " has the wrong type"
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "the body ends early"
	}
	return "not a JSON object of the documented shape"
}

var visitorRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

func visitorID(v string) (string, error) {
	if !visitorRE.MatchString(v) {
		return "", bad("visitor must be 1 to 64 characters of [A-Za-z0-9_-]")
	}
	return v, nil
}

// email lower-cases and checks an address: a bare addr-spec, no name.
func email(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return "", nil
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > 254 || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") {
		return "", bad("email is not an email address")
	}
	return s, nil
}

// phone keeps a leading + and the digits; spaces, dots, dashes and
// brackets are formatting.
func phone(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9', r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '.' || r == '-' || r == '(' || r == ')':
		default:
			return "", bad("phone has a character other than digits and formatting")
		}
	}
	digits := strings.TrimPrefix(b.String(), "+")
	if len(digits) < 7 || len(digits) > 15 {
		return "", bad("phone must have 7 to 15 digits")
	}
	return b.String(), nil
}

func productView(p *product) (*event.ProductView, error) {
	if p == nil {
		return nil, bad("product.viewed needs product")
	}
	v := &event.ProductView{Currency: strings.ToUpper(strings.TrimSpace(p.Currency))}
	var err error
	if v.ProductID, err = id("product.id", p.ID, true); err != nil {
		return nil, err
	}
	if v.VariantID, err = id("product.variant_id", p.VariantID, false); err != nil {
		return nil, err
	}
	if v.Title, err = text("product.title", p.Title); err != nil {
		return nil, err
	}
	if v.URL, err = webURL("product.url", p.URL); err != nil {
		return nil, err
	}
	if v.ImageURL, err = webURL("product.image_url", p.ImageURL); err != nil {
		return nil, err
	}
	if v.Price, err = decimal("product.price", p.Price); err != nil {
		return nil, err
	}
	if err := currency("product.currency", v.Currency); err != nil {
		return nil, err
	}
	return v, nil
}

func cartItem(it *item, c *cart) (*event.CartItem, error) {
	if it == nil {
		return nil, bad("cart.item_added needs item")
	}
	li, err := lineItem("item", it)
	if err != nil {
		return nil, err
	}
	if li.ProductID == "" && li.VariantID == "" && li.ID == "" {
		return nil, bad("item needs product_id, variant_id or id")
	}
	ci := &event.CartItem{Item: li, Currency: strings.ToUpper(strings.TrimSpace(it.Currency))}
	if c != nil {
		if ci.CartToken, err = id("cart.token", c.Token, false); err != nil {
			return nil, err
		}
		if ci.Currency == "" {
			ci.Currency = strings.ToUpper(strings.TrimSpace(c.Currency))
		}
	}
	if err := currency("item.currency", ci.Currency); err != nil {
		return nil, err
	}
	return ci, nil
}

func cartData(c *cart, email, phone string) (*event.Cart, error) {
	if c == nil {
		return nil, bad("cart.updated needs cart")
	}
	token, err := id("cart.token", c.Token, true)
	if err != nil {
		return nil, err
	}
	if len(c.LineItems) > maxLines {
		return nil, bad("cart has more than %d line_items", maxLines)
	}
	out := &event.Cart{
		ID: token, Token: token, Email: email, Phone: phone,
		Currency: strings.ToUpper(strings.TrimSpace(c.Currency)), LineItems: []event.LineItem{},
	}
	if err := currency("cart.currency", out.Currency); err != nil {
		return nil, err
	}
	if out.Total, err = decimal("cart.total", c.Total); err != nil {
		return nil, err
	}
	if out.RecoveryURL, err = webURL("cart.recovery_url", c.RecoveryURL); err != nil {
		return nil, err
	}
	for i := range c.LineItems {
		li, err := lineItem(fmt.Sprintf("cart.line_items[%d]", i), &c.LineItems[i])
		if err != nil {
			return nil, err
		}
		out.LineItems = append(out.LineItems, li)
	}
	return out, nil
}

func lineItem(field string, it *item) (event.LineItem, error) {
	var li event.LineItem
	var err error
	if li.ID, err = id(field+".id", it.ID, false); err != nil {
		return li, err
	}
	if li.ProductID, err = id(field+".product_id", it.ProductID, false); err != nil {
		return li, err
	}
	if li.VariantID, err = id(field+".variant_id", it.VariantID, false); err != nil {
		return li, err
	}
	if li.SKU, err = text(field+".sku", it.SKU); err != nil {
		return li, err
	}
	if li.Title, err = text(field+".title", it.Title); err != nil {
		return li, err
	}
	if li.VariantTitle, err = text(field+".variant_title", it.VariantTitle); err != nil {
		return li, err
	}
	if li.Price, err = decimal(field+".price", it.Price); err != nil {
		return li, err
	}
	if li.URL, err = webURL(field+".url", it.URL); err != nil {
		return li, err
	}
	if li.ImageURL, err = webURL(field+".image_url", it.ImageURL); err != nil {
		return li, err
	}
	switch {
	case it.Quantity == 0:
		li.Quantity = 1
	case it.Quantity < 0 || it.Quantity > maxQuantity:
		return li, bad("%s.quantity must be 1 to %d", field, maxQuantity)
	default:
		li.Quantity = it.Quantity
	}
	return li, nil
}

// id checks an identifier: printable, no spaces, at most maxIDLen bytes.
func id(field string, l literal, required bool) (string, error) {
	s := strings.TrimSpace(string(l))
	if s == "" {
		if required {
			return "", bad("%s is required", field)
		}
		return "", nil
	}
	if len(s) > maxIDLen || !utf8.ValidString(s) {
		return "", bad("%s is too long or not text", field)
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return "", bad("%s has spaces or control characters", field)
		}
	}
	return s, nil
}

// text checks a name or title: printable text on one line.
func text(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > maxTextLen {
		return "", bad("%s is too long or not text", field)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return "", bad("%s has control characters", field)
		}
	}
	return s, nil
}

// webURL checks a link the emails may show: absolute http or https (a
// protocol-relative //host/path becomes https).
func webURL(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	if strings.HasPrefix(s, "//") {
		s = "https:" + s
	}
	u, err := url.Parse(s)
	if err != nil || len(s) > maxURLLen || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return "", bad("%s must be an absolute http(s) URL", field)
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return "", bad("%s must be an absolute http(s) URL", field)
		}
	}
	return u.String(), nil
}

var decimalRE = regexp.MustCompile(`^-?[0-9]{1,15}(\.[0-9]{1,6})?$`)

// decimal checks money: a decimal string or number, no exponent.
func decimal(field string, l literal) (event.Decimal, error) {
	s := strings.TrimSpace(string(l))
	if s == "" {
		return "", nil
	}
	if !decimalRE.MatchString(s) {
		return "", bad("%s must be a decimal such as \"19.99\"", field)
	}
	return event.Decimal(s), nil
}

var currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)

func currency(field, s string) error {
	if s != "" && !currencyRE.MatchString(s) {
		return bad("%s must be an ISO 4217 code such as \"USD\"", field)
	}
	return nil
}

// toEvent builds the canonical event of p for shop. The client's
// occurred_at is kept only within skew of now. The id derives from the
// visitor, the people named, the time and the data, so the same beacon sent
// twice (sendBeacon and the fetch fallback) is one message.
func (p *parsed) toEvent(shop string, now time.Time, skew time.Duration) (*event.Event, error) {
	now = now.UTC()
	occurred := now
	if !p.occurredAt.IsZero() {
		if d := p.occurredAt.Sub(now); d <= skew && d >= -skew {
			occurred = p.occurredAt.UTC()
		}
	}
	data, err := json.Marshal(p.data)
	if err != nil {
		return nil, fmt.Errorf("encoding %s data: %w", p.typ, err)
	}
	h := sha256.New()
	for _, part := range []string{p.email, p.phone, occurred.Format(time.RFC3339Nano), string(data)} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	identity := "visitor:" + p.visitor + ":" + hex.EncodeToString(h.Sum(nil)[:12])
	ev := &event.Event{
		SchemaVersion: event.SchemaVersion,
		ID:            event.DeliveryID(event.PlatformBoomerang, shop, identity, p.typ),
		Key:           event.SemanticKey(p.typ, shop, p.resource(), occurred),
		Type:          p.typ,
		Shop:          shop,
		Platform:      event.PlatformBoomerang,
		OccurredAt:    occurred,
		ReceivedAt:    now,
		Customer:      &event.Customer{Email: p.email, Phone: p.phone},
		Data:          p.data,
		Source:        event.Source{Topic: "track", DeliveryID: identity},
	}
	if c, ok := p.data.(*event.Cart); ok {
		c.UpdatedAt = occurred
	}
	if err := ev.Validate(); err != nil {
		return nil, fmt.Errorf("building %s: %w", p.typ, err)
	}
	return ev, nil
}

// resource is the semantic key's resource: the cart for cart.updated,
// else what the visitor looked at or added.
func (p *parsed) resource() string {
	switch d := p.data.(type) {
	case *event.Cart:
		return d.Token
	case *event.ProductView:
		return "visitor/" + p.visitor + "/product/" + d.ProductID + "/" + d.VariantID
	case *event.CartItem:
		return "visitor/" + p.visitor + "/item/" + d.Item.ProductID + "/" + d.Item.VariantID + "/" + d.Item.ID
	}
	return "visitor/" + p.visitor
}
