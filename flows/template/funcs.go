package template

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/boomerang-dev/boomerang/flows/event"
)

// Categories of a send (docs/flows.md).
const (
	CategoryMarketing     = "marketing"
	CategoryTransactional = "transactional"
)

// promoFunc is the name of the promotional marker function.
const promoFunc = "promo"

// defaultColor is the accent colour when the shop sets none (or a bad one).
const defaultColor = "#111827"

var colorRE = regexp.MustCompile(`^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`)

// view is what templates execute on: the Data plus the send's category.
type view struct {
	*Data
	// Category is marketing or transactional.
	Category string
}

// Marketing reports whether the message is marketing.
func (v *view) Marketing() bool { return v.Category == CategoryMarketing }

// Accent returns the shop's colour when it is a valid hex colour.
func (v *view) Accent() string {
	if colorRE.MatchString(v.Shop.Color) {
		return v.Shop.Color
	}
	return defaultColor
}

// Lang returns the language tag for <html lang>.
func (v *view) Lang() string {
	if v.Shop.Locale == "" {
		return "en"
	}
	return v.Shop.Locale
}

// Greeting returns "Hi Ann," or "Hi there,".
func (v *view) Greeting() string {
	if n := strings.TrimSpace(v.Customer.FirstName); n != "" {
		return "Hi " + n + ","
	}
	return "Hi there,"
}

// Link is a call-to-action button: {{template "button" (link "Label" URL .Accent)}}.
type Link struct {
	Label, URL, Color string
	// Title describes a terse Label for screen readers and the text part:
	// "Very poor" beside the score button "1". Optional.
	Title string
}

// ParamOr returns the flow parameter name as text, or fallback when it is
// unset or empty: {{.ParamOr "loyalty_url" .Shop.URL}}.
func (v *view) ParamOr(name, fallback string) string {
	p := v.Param(name)
	if p == nil {
		return fallback
	}
	if s := fmt.Sprint(p); s != "" {
		return s
	}
	return fallback
}

// maxCards is how many product cards a message shows at most.
const maxCards = 4

// Cards returns the product cards to show: the first four Products, a card
// without a link pointing at the shop's home page.
func (v *view) Cards() []Product {
	cards := slices.Clone(v.Products[:min(len(v.Products), maxCards)])
	for i := range cards {
		if cards[i].URL == "" {
			cards[i].URL = v.Shop.URL
		}
	}
	return cards
}

// CardRows returns Cards in rows of two, for a grid that needs no media
// queries.
func (v *view) CardRows() [][]Product {
	cards := v.Cards()
	rows := make([][]Product, 0, (len(cards)+1)/2)
	for i := 0; i < len(cards); i += 2 {
		rows = append(rows, cards[i:min(i+2, len(cards))])
	}
	return rows
}

// Choices returns one-click answer buttons for question, from answer and
// label pairs: {{.Choices "why" "price" "The price" "shipping" "Shipping
// cost"}}. It returns nil when the message has no signed links, so a
// template can fall back to "reply to this email".
func (v *view) Choices(question string, answerLabel ...string) ([]Link, error) {
	if len(answerLabel)%2 != 0 {
		return nil, fmt.Errorf("choices %q: answers and labels come in pairs, got %d values", question, len(answerLabel))
	}
	out := make([]Link, 0, len(answerLabel)/2)
	for i := 0; i < len(answerLabel); i += 2 {
		u := v.AnswerURL(question, answerLabel[i])
		if u == "" {
			return nil, nil
		}
		out = append(out, Link{Label: answerLabel[i+1], URL: u, Color: v.Accent()})
	}
	return out, nil
}

// scaleTitles describe the scores 1 to 5.
var scaleTitles = [...]string{"Very poor", "Poor", "Okay", "Good", "Excellent"}

// Scale returns the five one-click score buttons answering question with
// "1" to "5", each titled ("1" is "Very poor", "5" "Excellent"); nil when
// the message has no signed links.
func (v *view) Scale(question string) []Link {
	out := make([]Link, 0, len(scaleTitles))
	for i, title := range scaleTitles {
		score := strconv.Itoa(i + 1)
		u := v.AnswerURL(question, score)
		if u == "" {
			return nil
		}
		out = append(out, Link{Label: score, URL: u, Color: v.Accent(), Title: title})
	}
	return out
}

// Subtotal returns the amount the cart partials show as the subtotal: the
// event's subtotal, or for a cart (whose total is the sum of its lines,
// before shipping and tax) its total; nil when there is none.
func (v *view) Subtotal() any {
	p := v.Payload()
	if s, ok := p["subtotal"]; ok && s != nil {
		return s
	}
	if typ, _ := v.Event["type"].(string); strings.HasPrefix(typ, "cart.") {
		return p["total"]
	}
	return nil
}

// funcs are the helpers every template may call (both engines get the same
// names, so a file parses under either).
func funcs() map[string]any {
	return map[string]any{
		// money AMOUNT CURRENCY: "$25.00", "25,00 €".
		"money": moneyFunc,
		// date TIME ZONE: "Jan 2, 2026" in the IANA zone; "" for no time.
		"date": dateFunc,
		// link LABEL URL COLOR: a Link for the "button" partial.
		"link": func(label, url, color string) Link { return Link{Label: label, URL: url, Color: color} },
		// promo marks a promotional block: {{if promo}}…{{end}}.
		promoFunc: func() bool { return true },
		// oneLine joins a multi-line address with ", ".
		"oneLine": oneLine,
	}
}

// dateFunc formats a time (time.Time or an RFC 3339 string) as "Jan 2, 2006"
// in zone. Nil, "" or the zero time gives "".
func dateFunc(v any, zone string) (string, error) {
	var t time.Time
	switch x := v.(type) {
	case nil:
		return "", nil
	case time.Time:
		t = x
	case *time.Time:
		if x == nil {
			return "", nil
		}
		t = *x
	case string:
		if x == "" {
			return "", nil
		}
		var err error
		if t, err = time.Parse(time.RFC3339Nano, x); err != nil {
			return "", fmt.Errorf("date %q: %w", x, err)
		}
	default:
		return "", fmt.Errorf("date: cannot format %T", v)
	}
	if t.IsZero() {
		return "", nil
	}
	return FormatDate(t, zone)
}

// FormatDate writes t as "Jan 2, 2006" in the IANA zone (UTC when empty).
func FormatDate(t time.Time, zone string) (string, error) {
	loc, err := event.LoadLocation(zone)
	if err != nil {
		return "", fmt.Errorf("date zone %q: %w", zone, err)
	}
	return t.In(loc).Format("Jan 2, 2006"), nil
}

func oneLine(s string) string {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' })
	for i := range parts {
		parts[i] = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(parts[i]), ","))
	}
	return strings.Join(parts, ", ")
}
