package shopify

import (
	"strings"

	"github.com/boomerang-dev/boomerang/flows/event"
)

// address is a Shopify postal address (billing, shipping, destination,
// default_address).
type address struct {
	FirstName   string `json:"first_name"`
	LastName    string `json:"last_name"`
	Company     string `json:"company"`
	Address1    string `json:"address1"`
	Address2    string `json:"address2"`
	City        string `json:"city"`
	Province    string `json:"province"`
	Zip         string `json:"zip"`
	Country     string `json:"country"`
	CountryCode string `json:"country_code"`
	Phone       string `json:"phone"`
}

// canonical returns the canonical address, nil when a is nil or empty.
func (a *address) canonical() *event.Address {
	if a == nil {
		return nil
	}
	out := event.Address(*a)
	if out == (event.Address{}) {
		return nil
	}
	return &out
}

// money is one amount of a Shopify MoneyBag.
type money struct {
	Amount       literal `json:"amount"`
	CurrencyCode string  `json:"currency_code"`
}

// moneySet is a Shopify MoneyBag: the amount in the shop's currency and in
// the buyer's.
type moneySet struct {
	ShopMoney        *money `json:"shop_money"`
	PresentmentMoney *money `json:"presentment_money"`
}

// lineItem is a line of an order, checkout, cart or fulfillment.
type lineItem struct {
	ID           literal   `json:"id"`
	Key          string    `json:"key"`
	ProductID    literal   `json:"product_id"`
	VariantID    literal   `json:"variant_id"`
	SKU          string    `json:"sku"`
	Title        string    `json:"title"`
	Name         string    `json:"name"`
	VariantTitle string    `json:"variant_title"`
	Quantity     int       `json:"quantity"`
	Price        literal   `json:"price"`
	PriceSet     *moneySet `json:"price_set"`
	Image        imageRef  `json:"image"`
	URL          string    `json:"url"`
}

// lineItems converts Shopify lines; the result is never nil, so events
// carry [] rather than null.
func lineItems(in []lineItem) []event.LineItem {
	out := make([]event.LineItem, 0, len(in))
	for _, li := range in {
		out = append(out, event.LineItem{
			// Checkout lines have no id; their key identifies them.
			ID:           firstNonEmpty(string(li.ID), li.Key),
			ProductID:    string(li.ProductID),
			VariantID:    string(li.VariantID),
			SKU:          li.SKU,
			Title:        firstNonEmpty(li.Title, li.Name),
			VariantTitle: li.VariantTitle,
			Quantity:     li.Quantity,
			Price:        event.Decimal(li.Price),
			ImageURL:     string(li.Image),
			URL:          li.URL,
		})
	}
	return out
}

// customerRef is the customer object nested in orders and checkouts.
type customerRef struct {
	ID        literal `json:"id"`
	Email     string  `json:"email"`
	Phone     string  `json:"phone"`
	FirstName string  `json:"first_name"`
	LastName  string  `json:"last_name"`
}

// orNil returns c, or nil when c identifies no one and names no one.
func orNil(c *event.Customer) *event.Customer {
	if c.Empty() && c.FirstName == "" && c.LastName == "" {
		return nil
	}
	return c
}

// names returns the first and last name of the customer, else of the first
// address that has one.
func names(c *customerRef, addrs ...*address) (first, last string) {
	if c != nil && (c.FirstName != "" || c.LastName != "") {
		return c.FirstName, c.LastName
	}
	for _, a := range addrs {
		if a != nil && (a.FirstName != "" || a.LastName != "") {
			return a.FirstName, a.LastName
		}
	}
	return "", ""
}

// lower trims and lower-cases a Shopify enum value; REST sends lower case,
// GraphQL-shaped payloads upper case.
func lower(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
