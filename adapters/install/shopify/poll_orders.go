package shopify

import (
	"context"
	"time"

	"github.com/boomerang-dev/boomerang/adapters/reconcile"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// The order topics the poller stands in for.
const (
	topicOrdersCreate    = "orders/create"
	topicOrdersPaid      = "orders/paid"
	topicOrdersFulfilled = "orders/fulfilled"
	topicOrdersCancelled = "orders/cancelled"
	topicOrdersUpdated   = "orders/updated"
)

// ordersQuery lists the orders changed in a window, oldest change first,
// with every field the webhook normaliser reads. Order.checkoutToken and
// .cartToken are new in 2026-07. Money is the shop's currency (shopMoney),
// as in REST's order amounts.
func ordersQuery() string {
	const bag = `{ shopMoney { amount currencyCode } }`
	return `query pollOrders($first: Int!, $after: String, $query: String, $lineItems: Int!) {
  orders(first: $first, after: $after, sortKey: UPDATED_AT, query: $query) {
    nodes {
      id legacyResourceId name email phone checkoutToken cartToken
      customer { ` + customerRefFields + ` }
      currencyCode
      subtotalPriceSet ` + bag + `
      totalDiscountsSet ` + bag + `
      totalShippingPriceSet ` + bag + `
      totalTaxSet ` + bag + `
      totalPriceSet ` + bag + `
      discountCodes
      billingAddress { ` + addressFields + ` }
      shippingAddress { ` + addressFields + ` }
      displayFinancialStatus displayFulfillmentStatus
      cancelledAt cancelReason createdAt updatedAt processedAt
      fulfillments(first: 5) { createdAt }
      statusPageUrl test customerAcceptsMarketing
      lineItems(first: $lineItems) {
        nodes { ` + lineItemFields("shopMoney") + ` }
        pageInfo { hasNextPage endCursor }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}`
}

// orderNode is one node of the orders query.
//
//nolint:tagliatelle // Shopify's GraphQL names
type orderNode struct {
	ID                       string          `json:"id"`
	LegacyResourceID         flexString      `json:"legacyResourceId"`
	Name                     string          `json:"name"`
	Email                    string          `json:"email"`
	Phone                    string          `json:"phone"`
	CheckoutToken            string          `json:"checkoutToken"`
	CartToken                string          `json:"cartToken"`
	Customer                 *customerRef    `json:"customer"`
	CurrencyCode             string          `json:"currencyCode"`
	SubtotalPriceSet         *moneyBag       `json:"subtotalPriceSet"`
	TotalDiscountsSet        *moneyBag       `json:"totalDiscountsSet"`
	TotalShippingPriceSet    *moneyBag       `json:"totalShippingPriceSet"`
	TotalTaxSet              *moneyBag       `json:"totalTaxSet"`
	TotalPriceSet            *moneyBag       `json:"totalPriceSet"`
	DiscountCodes            []string        `json:"discountCodes"`
	BillingAddress           *mailingAddress `json:"billingAddress"`
	ShippingAddress          *mailingAddress `json:"shippingAddress"`
	DisplayFinancialStatus   string          `json:"displayFinancialStatus"`
	DisplayFulfillmentStatus string          `json:"displayFulfillmentStatus"`
	CancelledAt              time.Time       `json:"cancelledAt"`
	CancelReason             string          `json:"cancelReason"`
	CreatedAt                time.Time       `json:"createdAt"`
	UpdatedAt                time.Time       `json:"updatedAt"`
	ProcessedAt              time.Time       `json:"processedAt"`
	Fulfillments             []struct {
		CreatedAt time.Time `json:"createdAt"`
	} `json:"fulfillments"`
	StatusPageURL            string               `json:"statusPageUrl"`
	Test                     bool                 `json:"test"`
	CustomerAcceptsMarketing bool                 `json:"customerAcceptsMarketing"`
	LineItems                connection[lineItem] `json:"lineItems"`
}

// restOrder is the REST Order resource, as orders/* webhooks carry it.
type restOrder struct {
	ID                    string           `json:"id"`
	Name                  string           `json:"name,omitempty"`
	Email                 string           `json:"email,omitempty"`
	Phone                 string           `json:"phone,omitempty"`
	CheckoutToken         string           `json:"checkout_token,omitempty"`
	CartToken             string           `json:"cart_token,omitempty"`
	FinancialStatus       string           `json:"financial_status,omitempty"`
	FulfillmentStatus     string           `json:"fulfillment_status,omitempty"`
	Currency              string           `json:"currency,omitempty"`
	SubtotalPrice         string           `json:"subtotal_price,omitempty"`
	TotalDiscounts        string           `json:"total_discounts,omitempty"`
	TotalShippingPriceSet *restMoneySet    `json:"total_shipping_price_set,omitempty"`
	TotalTax              string           `json:"total_tax,omitempty"`
	TotalPrice            string           `json:"total_price,omitempty"`
	DiscountCodes         []restCode       `json:"discount_codes"`
	LineItems             []restLineItem   `json:"line_items"`
	BillingAddress        *restAddress     `json:"billing_address,omitempty"`
	ShippingAddress       *restAddress     `json:"shipping_address,omitempty"`
	BuyerAcceptsMarketing bool             `json:"buyer_accepts_marketing"`
	OrderStatusURL        string           `json:"order_status_url,omitempty"`
	Test                  bool             `json:"test"`
	CancelReason          string           `json:"cancel_reason,omitempty"`
	Customer              *restCustomerRef `json:"customer,omitempty"`
	Fulfillments          []restCreated    `json:"fulfillments"`
	CreatedAt             time.Time        `json:"created_at,omitzero"`
	UpdatedAt             time.Time        `json:"updated_at,omitzero"`
	ProcessedAt           time.Time        `json:"processed_at,omitzero"`
	CancelledAt           time.Time        `json:"cancelled_at,omitzero"`
}

// restCode is one of an order's discount_codes.
type restCode struct {
	Code string `json:"code"`
}

// restCreated is an object known by its creation time (a fulfillment).
type restCreated struct {
	CreatedAt time.Time `json:"created_at,omitzero"`
}

// restMoney is one side of a REST money set.
type restMoney struct {
	Amount       string `json:"amount"`
	CurrencyCode string `json:"currency_code,omitempty"`
}

// restMoneySet is a REST *_set field.
type restMoneySet struct {
	ShopMoney *restMoney `json:"shop_money,omitempty"`
}

// restFulfillmentStatuses maps displayFulfillmentStatus onto REST's
// fulfillment_status vocabulary. The other values (UNFULFILLED, OPEN,
// IN_PROGRESS, ON_HOLD, SCHEDULED, PENDING_FULFILLMENT, REQUEST_DECLINED)
// describe fulfillment orders with nothing fulfilled yet: REST's null.
var restFulfillmentStatuses = map[string]string{
	"FULFILLED":           "fulfilled",
	"PARTIALLY_FULFILLED": "partial",
	"RESTOCKED":           "restocked",
}

// paidStatuses are the financial statuses of an order whose money was
// captured, as adapters/shopify reads them: processed_at is the paid time.
var paidStatuses = map[string]bool{
	"paid":               true,
	"partially_paid":     true,
	"partially_refunded": true,
	"refunded":           true,
}

// rest maps the order onto the REST resource; items are its line items.
func (o *orderNode) rest(items []lineItem) *restOrder {
	out := &restOrder{
		ID:                    legacyID(o.LegacyResourceID, o.ID),
		Name:                  o.Name,
		Email:                 o.Email,
		Phone:                 o.Phone,
		CheckoutToken:         o.CheckoutToken,
		CartToken:             o.CartToken,
		FinancialStatus:       lowerEnum(o.DisplayFinancialStatus),
		FulfillmentStatus:     restFulfillmentStatuses[o.DisplayFulfillmentStatus],
		Currency:              o.CurrencyCode,
		SubtotalPrice:         o.SubtotalPriceSet.shop().restAmount(),
		TotalDiscounts:        o.TotalDiscountsSet.shop().restAmount(),
		TotalTax:              o.TotalTaxSet.shop().restAmount(),
		TotalPrice:            o.TotalPriceSet.shop().restAmount(),
		DiscountCodes:         []restCode{},
		LineItems:             make([]restLineItem, 0, len(items)),
		BillingAddress:        o.BillingAddress.rest(),
		ShippingAddress:       o.ShippingAddress.rest(),
		BuyerAcceptsMarketing: o.CustomerAcceptsMarketing,
		OrderStatusURL:        o.StatusPageURL,
		Test:                  o.Test,
		CancelReason:          lowerEnum(o.CancelReason),
		Customer:              o.Customer.rest(),
		Fulfillments:          []restCreated{},
		CreatedAt:             o.CreatedAt,
		UpdatedAt:             o.UpdatedAt,
		ProcessedAt:           o.ProcessedAt,
		CancelledAt:           o.CancelledAt,
	}
	if m := o.TotalShippingPriceSet.shop(); m != nil {
		out.TotalShippingPriceSet = &restMoneySet{ShopMoney: &restMoney{Amount: m.restAmount(), CurrencyCode: m.CurrencyCode}}
	}
	for _, c := range o.DiscountCodes {
		out.DiscountCodes = append(out.DiscountCodes, restCode{Code: c})
	}
	for i := range items {
		out.LineItems = append(out.LineItems, items[i].rest(items[i].OriginalUnitPriceSet.shop()))
	}
	for _, f := range o.Fulfillments {
		out.Fulfillments = append(out.Fulfillments, restCreated(f))
	}
	return out
}

// transitions returns the one-time topics whose own time lies in w, in the
// order they happen: created, paid, fulfilled, cancelled.
func (o *orderNode) transitions(w reconcile.Window) []string {
	var out []string
	if !o.CreatedAt.IsZero() && w.Contains(o.CreatedAt) {
		out = append(out, topicOrdersCreate)
	}
	if paidStatuses[lowerEnum(o.DisplayFinancialStatus)] && !o.ProcessedAt.IsZero() && w.Contains(o.ProcessedAt) {
		out = append(out, topicOrdersPaid)
	}
	if o.DisplayFulfillmentStatus == "FULFILLED" {
		var last time.Time
		for _, f := range o.Fulfillments {
			if f.CreatedAt.After(last) {
				last = f.CreatedAt
			}
		}
		if !last.IsZero() && w.Contains(last) {
			out = append(out, topicOrdersFulfilled)
		}
	}
	if !o.CancelledAt.IsZero() && w.Contains(o.CancelledAt) {
		out = append(out, topicOrdersCancelled)
	}
	return out
}

// orders emits the events of every order updated in w.
func (ss *session) orders(ctx context.Context, w reconcile.Window, emit func(*event.Event) error) error {
	vars := map[string]any{"first": ss.p.cfg.OrderPageSize, "query": updatedQuery(w), "lineItems": ss.p.cfg.LineItemPageSize}
	return eachPage(ctx, ss, opPollOrders, ordersQuery(), "orders", vars, func(o *orderNode) error {
		if !w.Contains(o.UpdatedAt) {
			return nil
		}
		items, err := ss.allLineItems(ctx, o.ID, o.LineItems)
		if err != nil {
			return err
		}
		body := o.rest(items)
		raw, err := ss.encodeBody(opPollOrders, body.ID, body)
		if err != nil {
			return err
		}
		for _, topic := range append(o.transitions(w), topicOrdersUpdated) {
			if err := ss.emitWebhook(ctx, opPollOrders, topic, body.ID, o.UpdatedAt, raw, emit); err != nil {
				return err
			}
		}
		return nil
	})
}
