package bigcommerce

import (
	"context"
	"fmt"
	"strings"

	"github.com/boomerang-dev/boomerang/flows/event"
)

// Order status ids (GET /v2/order_statuses).
const (
	statusIncomplete          = "0"
	statusPending             = "1"
	statusShipped             = "2"
	statusPartiallyShipped    = "3"
	statusCancelled           = "5"
	statusDeclined            = "6"
	statusAwaitingPickup      = "8"
	statusAwaitingShipment    = "9"
	statusCompleted           = "10"
	statusAwaitingFulfillment = "11"
)

// placed reports whether an order in status is a placed order: any known
// status but Incomplete (abandoned or failed payment), Pending, Cancelled
// and Declined.
func placed(status string) bool {
	switch status {
	case "", statusIncomplete, statusPending, statusCancelled, statusDeclined:
		return false
	}
	return isNumericID(status)
}

// paid reports whether status means the order is paid.
func paid(status string) bool {
	switch status {
	case statusShipped, statusPartiallyShipped, statusAwaitingPickup, statusAwaitingShipment,
		statusCompleted, statusAwaitingFulfillment:
		return true
	}
	return false
}

// fulfilled reports whether status means the order is fulfilled.
func fulfilled(status string) bool { return status == statusShipped || status == statusCompleted }

// orderMode says which events an order notification yields.
type orderMode int

const (
	// orderPlacedOnly yields order.placed when the order is placed
	// (store/order/created, store/cart/converted).
	orderPlacedOnly orderMode = iota
	// orderUpdatedOnly yields order.updated (store/order/updated).
	orderUpdatedOnly
)

// maxProductPages bounds the pages of an order's products read (250 each).
const maxProductPages = 20

// productsPageSize is the page size asked of /v2/orders/{id}/products.
const productsPageSize = 250

// apiOrder is the v2 order as far as Boomerang reads it.
type apiOrder struct {
	ID                    flexID     `json:"id"`
	CustomerID            flexID     `json:"customer_id"`
	DateCreated           apiTime    `json:"date_created"`
	DateModified          apiTime    `json:"date_modified"`
	DateShipped           apiTime    `json:"date_shipped"`
	StatusID              flexID     `json:"status_id"`
	Status                string     `json:"status"`
	SubtotalExTax         decimal    `json:"subtotal_ex_tax"`
	SubtotalIncTax        decimal    `json:"subtotal_inc_tax"`
	ShippingCostExTax     decimal    `json:"shipping_cost_ex_tax"`
	ShippingCostIncTax    decimal    `json:"shipping_cost_inc_tax"`
	TotalIncTax           decimal    `json:"total_inc_tax"`
	TotalTax              decimal    `json:"total_tax"`
	DiscountAmount        decimal    `json:"discount_amount"`
	IsTaxInclusivePricing bool       `json:"is_tax_inclusive_pricing"`
	PaymentStatus         string     `json:"payment_status"`
	CurrencyCode          string     `json:"currency_code"`
	DefaultCurrencyCode   string     `json:"default_currency_code"`
	CartID                string     `json:"cart_id"`
	BillingAddress        apiAddress `json:"billing_address"`
	IsEmailOptIn          bool       `json:"is_email_opt_in"`
}

// apiAddress is a v2 address (billing, shipping).
type apiAddress struct {
	FirstName   string `json:"first_name"`
	LastName    string `json:"last_name"`
	Company     string `json:"company"`
	Street1     string `json:"street_1"`
	Street2     string `json:"street_2"`
	City        string `json:"city"`
	State       string `json:"state"`
	Zip         string `json:"zip"`
	Country     string `json:"country"`
	CountryISO2 string `json:"country_iso2"`
	Phone       string `json:"phone"`
	Email       string `json:"email"`
}

// apiOrderProduct is one line of GET /v2/orders/{id}/products.
type apiOrderProduct struct {
	ID                   flexID  `json:"id"`
	ProductID            flexID  `json:"product_id"`
	VariantID            flexID  `json:"variant_id"`
	ParentOrderProductID flexID  `json:"parent_order_product_id"`
	Name                 string  `json:"name"`
	NameCustomer         string  `json:"name_customer"`
	SKU                  string  `json:"sku"`
	Quantity             int     `json:"quantity"`
	PriceExTax           decimal `json:"price_ex_tax"`
	PriceIncTax          decimal `json:"price_inc_tax"`
	ProductOptions       []struct {
		DisplayValue         string `json:"display_value"`
		DisplayValueCustomer string `json:"display_value_customer"`
	} `json:"product_options"`
}

// resolveOrder handles store/order/created, store/order/updated and
// store/cart/converted.
func (c *session) resolveOrder(ctx context.Context, b *builder, id string, mode orderMode) ([]*event.Event, error) {
	o, err := c.order(ctx, id)
	if err != nil {
		return nil, err
	}
	if mode == orderPlacedOnly && !placed(o.StatusID.String()) {
		return []*event.Event{}, nil
	}
	products, err := c.orderProducts(ctx, id)
	if err != nil {
		return nil, err
	}
	if mode == orderPlacedOnly {
		return []*event.Event{b.orderEvent(event.OrderPlaced, o, products)}, nil
	}
	return []*event.Event{b.orderEvent(event.OrderUpdated, o, products)}, nil
}

// resolveStatus handles store/order/statusUpdated: order.updated, plus the
// transitions the new status means.
func (c *session) resolveStatus(ctx context.Context, b *builder, d hookData) ([]*event.Event, error) {
	o, err := c.order(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	products, err := c.orderProducts(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	return b.statusEvents(o, products, d.PreviousStatus, d.NewStatus), nil
}

// statusEvents builds the events of a status change from previous (""
// when unknown) to current.
func (b *builder) statusEvents(o *apiOrder, products []apiOrderProduct, previous, current string) []*event.Event {
	out := []*event.Event{b.orderEvent(event.OrderUpdated, o, products)}
	if placed(current) && !placed(previous) {
		out = append(out, b.orderEvent(event.OrderPlaced, o, products))
	}
	if paid(current) {
		out = append(out, b.orderEvent(event.OrderPaid, o, products))
	}
	if fulfilled(current) {
		out = append(out, b.orderEvent(event.OrderFulfilled, o, products))
	}
	if current == statusCancelled {
		out = append(out, b.orderEvent(event.OrderCancelled, o, products))
	}
	return out
}

// order fetches one order.
func (c *session) order(ctx context.Context, id string) (*apiOrder, error) {
	var o *apiOrder
	if err := c.get(ctx, "/v2/orders/"+id, &o); err != nil {
		return nil, err
	}
	if o == nil {
		return nil, permanentf("order %s: empty answer", id)
	}
	if o.ID == "" {
		o.ID = flexID(id)
	}
	return o, nil
}

// orderProducts fetches an order's products, page by page.
func (c *session) orderProducts(ctx context.Context, id string) ([]apiOrderProduct, error) {
	var all []apiOrderProduct
	for page := 1; page <= maxProductPages; page++ {
		var batch []apiOrderProduct
		path := fmt.Sprintf("/v2/orders/%s/products?limit=%d&page=%d", id, productsPageSize, page)
		if err := c.get(ctx, path, &batch); err != nil {
			return nil, err
		}
		all = append(all, batch...)
		if len(batch) < productsPageSize {
			break
		}
	}
	return all, nil
}

// orderEvent builds one order event. order.updated is versioned by the
// order's date_modified; the transitions are one-time.
func (b *builder) orderEvent(t event.Type, o *apiOrder, products []apiOrderProduct) *event.Event {
	data := orderData(o, products)
	r := resource{id: data.ID, updated: data.UpdatedAt, created: data.CreatedAt, apiVersion: apiV2}
	if t == event.OrderUpdated {
		r.version = b.changeVersion(data.UpdatedAt)
	}
	return b.event(t, r, orderCustomer(o), data)
}

// orderCustomer is the order's buyer.
func orderCustomer(o *apiOrder) *event.Customer {
	a := o.BillingAddress
	return &event.Customer{
		ID:        o.CustomerID.orNone(),
		Email:     strings.TrimSpace(a.Email),
		Phone:     a.Phone,
		FirstName: a.FirstName,
		LastName:  a.LastName,
	}
}

// orderData maps an order and its products. Amounts follow the store's tax
// display: including tax when it prices with tax, else excluding it; Total
// is always the amount charged (total_inc_tax).
func orderData(o *apiOrder, products []apiOrderProduct) *event.Order {
	inc := o.IsTaxInclusivePricing
	pick := func(ex, in decimal) event.Decimal {
		if inc {
			return dec(in)
		}
		return dec(ex)
	}
	data := &event.Order{
		ID:               o.ID.String(),
		Number:           o.ID.String(),
		CheckoutToken:    o.CartID,
		CartToken:        o.CartID,
		Email:            strings.TrimSpace(o.BillingAddress.Email),
		Phone:            o.BillingAddress.Phone,
		Status:           o.Status,
		FinancialStatus:  o.PaymentStatus,
		Currency:         strings.ToUpper(firstNonEmpty(o.CurrencyCode, o.DefaultCurrencyCode)),
		Subtotal:         pick(o.SubtotalExTax, o.SubtotalIncTax),
		TotalDiscounts:   dec(o.DiscountAmount),
		TotalShipping:    pick(o.ShippingCostExTax, o.ShippingCostIncTax),
		TotalTax:         dec(o.TotalTax),
		Total:            dec(o.TotalIncTax),
		LineItems:        []event.LineItem{},
		BillingAddress:   address(o.BillingAddress),
		AcceptsMarketing: o.IsEmailOptIn,
		CreatedAt:        o.DateCreated.Time(),
		UpdatedAt:        o.DateModified.Time(),
	}
	if t := o.DateShipped.Time(); !t.IsZero() {
		data.FulfilledAt = &t
	}
	if o.StatusID.String() == statusCancelled && !data.UpdatedAt.IsZero() {
		t := data.UpdatedAt
		data.CancelledAt = &t
	}
	for _, p := range products {
		if p.ParentOrderProductID.orNone() != "" {
			continue // a bundle's child; its parent line carries the price
		}
		vals := make([]string, 0, len(p.ProductOptions))
		for _, opt := range p.ProductOptions {
			vals = append(vals, firstNonEmpty(opt.DisplayValueCustomer, opt.DisplayValue))
		}
		data.LineItems = append(data.LineItems, event.LineItem{
			ID:           p.ID.String(),
			ProductID:    p.ProductID.orNone(),
			VariantID:    p.VariantID.orNone(),
			SKU:          p.SKU,
			Title:        firstNonEmpty(p.NameCustomer, p.Name),
			VariantTitle: joinNonEmpty(" / ", vals...),
			Quantity:     p.Quantity,
			Price:        pick(p.PriceExTax, p.PriceIncTax),
		})
	}
	return data
}

// address maps a v2 address; nil when it is empty.
func address(a apiAddress) *event.Address {
	out := &event.Address{
		FirstName:   a.FirstName,
		LastName:    a.LastName,
		Company:     a.Company,
		Address1:    a.Street1,
		Address2:    a.Street2,
		City:        a.City,
		Province:    a.State,
		Zip:         a.Zip,
		Country:     a.Country,
		CountryCode: a.CountryISO2,
		Phone:       a.Phone,
	}
	if *out == (event.Address{}) {
		return nil
	}
	return out
}
