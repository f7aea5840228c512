package shopify

import (
	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// checkoutPayload is the part of Shopify's checkout webhook payload Boomerang
// reads. Since API 2026-07 the sample carries no id, only token.
type checkoutPayload struct {
	ID                       literal      `json:"id"`
	Token                    literal      `json:"token"`
	CartToken                literal      `json:"cart_token"`
	Email                    string       `json:"email"`
	Phone                    string       `json:"phone"`
	SMSMarketingPhone        string       `json:"sms_marketing_phone"`
	BuyerAcceptsMarketing    bool         `json:"buyer_accepts_marketing"`
	BuyerAcceptsSMSMarketing bool         `json:"buyer_accepts_sms_marketing"`
	Currency                 string       `json:"currency"`
	PresentmentCurrency      string       `json:"presentment_currency"`
	SubtotalPrice            literal      `json:"subtotal_price"`
	TotalPrice               literal      `json:"total_price"`
	LineItems                []lineItem   `json:"line_items"`
	AbandonedCheckoutURL     string       `json:"abandoned_checkout_url"`
	BillingAddress           *address     `json:"billing_address"`
	ShippingAddress          *address     `json:"shipping_address"`
	Customer                 *customerRef `json:"customer"`
	CompletedAt              timestamp    `json:"completed_at"`
	CreatedAt                timestamp    `json:"created_at"`
	UpdatedAt                timestamp    `json:"updated_at"`
}

// normalizeCheckout maps checkouts/create and checkouts/update to
// checkout.updated, but only for an open checkout whose buyer can be
// reached: one with an email or a phone (its own, its SMS marketing phone's
// or its customer's) and no completed_at. Other checkouts are a Result with
// no messages.
func normalizeCheckout(d *delivery, body []byte) ([]ingest.Message, error) {
	var p checkoutPayload
	if err := decode(d.topic, body, &p); err != nil {
		return nil, err
	}
	resource := firstNonEmpty(string(p.Token), string(p.ID))
	if resource == "" {
		return nil, missing(d.topic, "token or id")
	}
	cust := &event.Customer{
		Email: p.Email,
		Phone: firstNonEmpty(p.Phone, p.SMSMarketingPhone),
	}
	if p.Customer != nil {
		cust.ID = string(p.Customer.ID)
		cust.Email = firstNonEmpty(cust.Email, p.Customer.Email)
		cust.Phone = firstNonEmpty(cust.Phone, p.Customer.Phone)
	}
	if (cust.Email == "" && cust.Phone == "") || !p.CompletedAt.IsZero() {
		return nil, nil
	}
	cust.FirstName, cust.LastName = names(p.Customer, p.BillingAddress, p.ShippingAddress)
	occurred := d.occurredAt(p.UpdatedAt.Time, p.CreatedAt.Time)
	return d.one(change{
		typ:      event.CheckoutUpdated,
		resource: resource,
		version:  firstTime(p.UpdatedAt.Time, occurred),
		occurred: occurred,
		customer: orNil(cust),
		data: &event.Checkout{
			Token:                 string(p.Token),
			ID:                    string(p.ID),
			CartToken:             string(p.CartToken),
			Email:                 cust.Email,
			Phone:                 p.Phone,
			SMSMarketingPhone:     p.SMSMarketingPhone,
			AcceptsEmailMarketing: p.BuyerAcceptsMarketing,
			AcceptsSMSMarketing:   p.BuyerAcceptsSMSMarketing,
			Currency:              firstNonEmpty(p.PresentmentCurrency, p.Currency),
			Subtotal:              event.Decimal(p.SubtotalPrice),
			Total:                 event.Decimal(p.TotalPrice),
			LineItems:             lineItems(p.LineItems),
			RecoveryURL:           p.AbandonedCheckoutURL,
			CreatedAt:             p.CreatedAt.Time,
			UpdatedAt:             p.UpdatedAt.Time,
		},
	}), nil
}

// checkoutRefPayload is a checkouts/delete payload: Shopify's sample has the
// checkout's id and cart_token but no token.
type checkoutRefPayload struct {
	ID        literal   `json:"id"`
	Token     literal   `json:"token"`
	CartToken literal   `json:"cart_token"`
	UpdatedAt timestamp `json:"updated_at"`
	CreatedAt timestamp `json:"created_at"`
}

// normalizeCheckoutDelete maps checkouts/delete to checkout.deleted, keyed on
// the token when the payload has one, else on the id.
func normalizeCheckoutDelete(d *delivery, body []byte) ([]ingest.Message, error) {
	var p checkoutRefPayload
	if err := decode(d.topic, body, &p); err != nil {
		return nil, err
	}
	resource := firstNonEmpty(string(p.Token), string(p.ID))
	if resource == "" {
		return nil, missing(d.topic, "token or id")
	}
	return d.one(change{
		typ:      event.CheckoutDeleted,
		resource: resource,
		occurred: d.occurredAt(p.UpdatedAt.Time, p.CreatedAt.Time),
		data: &event.CheckoutRef{
			Token:     string(p.Token),
			ID:        string(p.ID),
			CartToken: string(p.CartToken),
		},
	}), nil
}
