package shopify

import (
	"time"

	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// orderPayload is the part of Shopify's Order resource Boomerang reads.
type orderPayload struct {
	ID                    literal   `json:"id"`
	Name                  string    `json:"name"`
	OrderNumber           literal   `json:"order_number"`
	CheckoutToken         literal   `json:"checkout_token"`
	CartToken             literal   `json:"cart_token"`
	Email                 string    `json:"email"`
	ContactEmail          string    `json:"contact_email"`
	Phone                 string    `json:"phone"`
	FinancialStatus       string    `json:"financial_status"`
	FulfillmentStatus     string    `json:"fulfillment_status"`
	Currency              string    `json:"currency"`
	SubtotalPrice         literal   `json:"subtotal_price"`
	TotalDiscounts        literal   `json:"total_discounts"`
	TotalShippingPriceSet *moneySet `json:"total_shipping_price_set"`
	TotalTax              literal   `json:"total_tax"`
	TotalPrice            literal   `json:"total_price"`
	DiscountCodes         []struct {
		Code string `json:"code"`
	} `json:"discount_codes"`
	LineItems             []lineItem   `json:"line_items"`
	BillingAddress        *address     `json:"billing_address"`
	ShippingAddress       *address     `json:"shipping_address"`
	BuyerAcceptsMarketing bool         `json:"buyer_accepts_marketing"`
	OrderStatusURL        string       `json:"order_status_url"`
	Test                  bool         `json:"test"`
	CancelReason          string       `json:"cancel_reason"`
	Customer              *customerRef `json:"customer"`
	Fulfillments          []struct {
		CreatedAt timestamp `json:"created_at"`
	} `json:"fulfillments"`
	CreatedAt   timestamp `json:"created_at"`
	UpdatedAt   timestamp `json:"updated_at"`
	ProcessedAt timestamp `json:"processed_at"`
	CancelledAt timestamp `json:"cancelled_at"`
}

// orderTypes maps the order topics to their event types. Every type but
// order.updated is a one-time transition, keyed without a version.
var orderTypes = map[string]event.Type{
	topicOrdersCreate:    event.OrderPlaced,
	topicOrdersPaid:      event.OrderPaid,
	topicOrdersFulfilled: event.OrderFulfilled,
	topicOrdersUpdated:   event.OrderUpdated,
	topicOrdersCancelled: event.OrderCancelled,
}

// paidStatuses are the financial statuses of an order whose money was
// captured; for those, processed_at is the paid time.
var paidStatuses = map[string]bool{
	"paid":               true,
	"partially_paid":     true,
	"partially_refunded": true,
	"refunded":           true,
}

func normalizeOrder(d *delivery, body []byte) ([]ingest.Message, error) {
	var p orderPayload
	if err := decode(d.topic, body, &p); err != nil {
		return nil, err
	}
	if p.ID == "" {
		return nil, missing(d.topic, "id")
	}
	typ := orderTypes[d.topic]
	occurred := d.occurredAt(p.UpdatedAt.Time, p.CreatedAt.Time)
	var version time.Time
	if typ == event.OrderUpdated {
		version = firstTime(p.UpdatedAt.Time, occurred)
	}
	data := p.canonical()
	cust := &event.Customer{Email: data.Email, Phone: data.Phone}
	if p.Customer != nil {
		cust.ID = string(p.Customer.ID)
		cust.Email = firstNonEmpty(cust.Email, p.Customer.Email)
		cust.Phone = firstNonEmpty(cust.Phone, p.Customer.Phone)
	}
	cust.FirstName, cust.LastName = names(p.Customer, p.BillingAddress, p.ShippingAddress)
	return d.one(change{
		typ:      typ,
		resource: string(p.ID),
		version:  version,
		occurred: occurred,
		customer: orNil(cust),
		data:     data,
	}), nil
}

// canonical maps the payload onto the canonical order.
func (p *orderPayload) canonical() *event.Order {
	o := &event.Order{
		ID:                string(p.ID),
		Number:            string(p.OrderNumber),
		Name:              p.Name,
		CheckoutToken:     string(p.CheckoutToken),
		CartToken:         string(p.CartToken),
		Email:             firstNonEmpty(p.Email, p.ContactEmail),
		Phone:             p.Phone,
		FinancialStatus:   lower(p.FinancialStatus),
		FulfillmentStatus: lower(p.FulfillmentStatus),
		Currency:          p.Currency,
		Subtotal:          event.Decimal(p.SubtotalPrice),
		TotalDiscounts:    event.Decimal(p.TotalDiscounts),
		TotalTax:          event.Decimal(p.TotalTax),
		Total:             event.Decimal(p.TotalPrice),
		LineItems:         lineItems(p.LineItems),
		BillingAddress:    p.BillingAddress.canonical(),
		ShippingAddress:   p.ShippingAddress.canonical(),
		AcceptsMarketing:  p.BuyerAcceptsMarketing,
		StatusURL:         p.OrderStatusURL,
		Test:              p.Test,
		CancelReason:      p.CancelReason,
		CreatedAt:         p.CreatedAt.Time,
		UpdatedAt:         p.UpdatedAt.Time,
		CancelledAt:       p.CancelledAt.ptr(),
	}
	if s := p.TotalShippingPriceSet; s != nil && s.ShopMoney != nil {
		o.TotalShipping = event.Decimal(s.ShopMoney.Amount)
	}
	for _, dc := range p.DiscountCodes {
		if dc.Code != "" {
			o.DiscountCodes = append(o.DiscountCodes, dc.Code)
		}
	}
	if paidStatuses[o.FinancialStatus] {
		o.PaidAt = p.ProcessedAt.ptr()
	}
	if o.FulfillmentStatus == "fulfilled" {
		var last time.Time
		for _, f := range p.Fulfillments {
			if f.CreatedAt.After(last) {
				last = f.CreatedAt.Time
			}
		}
		o.FulfilledAt = timestamp{last}.ptr()
	}
	return o
}
