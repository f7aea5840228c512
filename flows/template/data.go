package template

import (
	"math/big"
	"strconv"
	"strings"
	"time"
)

// Data is what a template renders from.
type Data struct {
	// Shop is the sending shop.
	Shop Shop `json:"shop"`
	// Customer is the recipient.
	Customer Customer `json:"customer"`
	// Event is the run's trigger event as JSON-decoded maps (docs/events.md):
	// .Event.data.line_items, .Event.customer.email, …
	Event map[string]any `json:"event"`
	// Run is the run sending the message.
	Run Run `json:"run"`
	// UnsubscribeURL is the signed one-click unsubscribe link; required for
	// marketing email.
	UnsubscribeURL string `json:"unsubscribe_url,omitempty"`
	// PreferencesURL is the signed preference-centre link, optional.
	PreferencesURL string `json:"preferences_url,omitempty"`
	// DiscountCode is the code a discount step created, if any (the same
	// as Discount.Code).
	DiscountCode string `json:"discount_code,omitempty"`
	// Discount is the newest code a discount step made for the run, nil
	// when none.
	Discount *Discount `json:"discount,omitempty"`
	// Products are product cards the message shows: the products a browse
	// abandonment saw viewed, the recommendations of a cross-sell, the
	// partner product of a "buy X, get Y" offer.
	Products []Product `json:"products,omitempty"`
	// Params are the flow's parameters after the shop's overrides
	// (discount_percent, help_url, …).
	Params map[string]any `json:"params,omitempty"`
	// ReferralURL is the customer's own referral link, when the shop has a
	// referral programme (shop.referral_url with {code}).
	ReferralURL string `json:"referral_url,omitempty"`
	// ReferralCode is the customer's own referral code.
	ReferralCode string `json:"referral_code,omitempty"`
	// Links makes the signed customer-facing links of this message; nil
	// renders them empty.
	Links Links `json:"-"`
	// Now is the render time (the processor's clock), for dates relative to
	// the send.
	Now time.Time `json:"now"`
}

// Discount is a discount code made for a run.
type Discount struct {
	Code string `json:"code"`
	// Percent off, or Amount off (a decimal string in the shop's
	// currency), or FreeShipping.
	Percent      int       `json:"percent,omitempty"`
	Amount       string    `json:"amount,omitempty"`
	FreeShipping bool      `json:"free_shipping,omitempty"`
	ExpiresAt    time.Time `json:"expires_at,omitzero"`
	// MadeUp marks a code that exists nowhere: the shop has no API
	// credentials (the demo shop) or the message is a replay.
	MadeUp bool `json:"made_up,omitempty"`
}

// Product is a product card, ready to show.
type Product struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	URL      string `json:"url,omitempty"`
	ImageURL string `json:"image_url,omitempty"`
	// Price is formatted in the product's currency ("$18.00").
	Price string `json:"price,omitempty"`
}

// Links makes a message's signed customer-facing links.
type Links interface {
	// Answer is the one-click link that answers question with answer (a
	// feedback.submitted event): "why" with "price", "score" with "5".
	Answer(question, answer string) string
	// Survey is the link to the hosted survey form (survey.submitted).
	Survey(survey string) string
}

// AnswerURL returns the one-click answer link, "" without Links.
func (d *Data) AnswerURL(question, answer string) string {
	if d.Links == nil {
		return ""
	}
	return d.Links.Answer(question, answer)
}

// SurveyURL returns the survey form's link, "" without Links.
func (d *Data) SurveyURL(survey string) string {
	if d.Links == nil {
		return ""
	}
	return d.Links.Survey(survey)
}

// Param returns a flow parameter, nil when unset.
func (d *Data) Param(name string) any { return d.Params[name] }

// Shop is the shop a message is sent for.
type Shop struct {
	Name   string `json:"name"`
	Domain string `json:"domain"`
	// URL is the storefront's home page.
	URL     string `json:"url"`
	LogoURL string `json:"logo_url,omitempty"`
	// Color is the accent colour, "#RRGGBB" or "#RGB"; default #111827.
	Color string `json:"color,omitempty"`
	// Address is the postal address (CAN-SPAM); lines may be separated by
	// newlines or commas.
	Address string `json:"address"`
	// Locale is a BCP 47 tag such as "en-US"; default "en".
	Locale string `json:"locale,omitempty"`
	// Timezone is an IANA zone name; default UTC.
	Timezone string `json:"timezone,omitempty"`
	// HelpText is a short line on how to get help (shown in the footer).
	HelpText string `json:"help_text,omitempty"`
}

// Customer is the recipient.
type Customer struct {
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
	Email     string `json:"email,omitempty"`
	Phone     string `json:"phone,omitempty"`
	// Timezone is an IANA zone name; the shop's when empty.
	Timezone string `json:"timezone,omitempty"`
}

// Run identifies the run and step sending the message.
type Run struct {
	ID   string `json:"id"`
	Flow string `json:"flow"`
	Step string `json:"step"`
}

// Item is one line item, ready to show: prices already formatted.
type Item struct {
	Title string
	// Variant is the variant's title ("Blue / Large"), if any.
	Variant  string
	Quantity int
	// Price is the formatted unit price, Total the formatted line total.
	Price, Total string
	ImageURL     string
	URL          string
}

// Payload returns the trigger event's data object (.Event.data), or an empty
// map.
func (d *Data) Payload() map[string]any {
	if m, ok := d.Event["data"].(map[string]any); ok {
		return m
	}
	return map[string]any{}
}

// Currency returns the event's currency code (.Event.data.currency), or "".
func (d *Data) Currency() string {
	s, _ := d.Payload()["currency"].(string)
	return s
}

// Zone returns the zone dates are shown in: the customer's, else the
// shop's, else UTC.
func (d *Data) Zone() string {
	switch {
	case d.Customer.Timezone != "":
		return d.Customer.Timezone
	case d.Shop.Timezone != "":
		return d.Shop.Timezone
	default:
		return "UTC"
	}
}

// RecoveryURL returns the link back to the cart or checkout: the event's
// recovery_url, else the shop's /cart page.
func (d *Data) RecoveryURL() string {
	if s, ok := d.Payload()["recovery_url"].(string); ok && s != "" {
		return s
	}
	return strings.TrimSuffix(d.Shop.URL, "/") + "/cart"
}

// Items returns the event's line items (.Event.data.line_items) with their
// prices formatted in the event's currency. A line without a link gets the
// shop's home page.
func (d *Data) Items() ([]Item, error) {
	raw, _ := d.Payload()["line_items"].([]any)
	cur := d.Currency()
	items := make([]Item, 0, len(raw))
	for _, v := range raw {
		m, ok := v.(map[string]any)
		if !ok {
			continue
		}
		it := Item{
			Title:    str(m["title"]),
			Variant:  str(m["variant_title"]),
			Quantity: quantity(m["quantity"]),
			ImageURL: str(m["image_url"]),
			URL:      str(m["url"]),
		}
		if it.URL == "" {
			it.URL = d.Shop.URL
		}
		if p, ok := m["price"]; ok && p != nil {
			r, err := decimalOf(p)
			if err != nil {
				return nil, err
			}
			it.Price = formatMoney(r, cur)
			it.Total = formatMoney(new(big.Rat).Mul(r, big.NewRat(int64(it.Quantity), 1)), cur)
		}
		items = append(items, it)
	}
	return items, nil
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// quantity reads a JSON quantity (a float64 after decoding); 1 when absent.
func quantity(v any) int {
	switch x := v.(type) {
	case float64:
		if x >= 1 && x <= 1e6 {
			return int(x)
		}
	case int:
		return x
	case string:
		if n, err := strconv.Atoi(x); err == nil {
			return n
		}
	}
	return 1
}
