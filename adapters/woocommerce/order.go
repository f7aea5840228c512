package woocommerce

import (
	"encoding/json"
	"html"
	"strings"
	"time"

	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// Order statuses the mapping looks at.
const (
	statusCheckoutDraft = "checkout-draft"
	statusAutoDraft     = "auto-draft"
	statusNew           = "new"
	statusProcessing    = "processing"
	statusCompleted     = "completed"
	statusCancelled     = "cancelled"
)

// normalizeOrderCreated maps order.created: order.placed, plus order.paid
// when the order is already paid. Drafts are not placed orders: a
// checkout-draft with an email is a checkout.updated, other drafts nothing.
func normalizeOrderCreated(d *delivery) (*ingest.Result, error) {
	o, err := decodeOrder(d)
	if err != nil {
		return nil, err
	}
	if isDraft(o.Status) {
		return d.checkout(o), nil
	}
	id := d.identity(string(o.ID), o.DateModifiedGMT.Time())
	evs := []*event.Event{d.orderEvent(event.OrderPlaced, id, o)}
	if isPaid(o) {
		evs = append(evs, d.orderEvent(event.OrderPaid, id, o))
	}
	return d.result(id, evs...), nil
}

// normalizeOrderUpdated maps order.updated: order.updated, plus the one-time
// transitions the order's state shows (order.paid, order.fulfilled when
// completed, order.cancelled), each keyed without a version so repeats
// dedupe. A checkout-draft (WooCommerce delivers order.updated for drafts of
// the Checkout Block) is a checkout.updated once it has an email, otherwise
// nothing; other drafts are nothing.
func normalizeOrderUpdated(d *delivery) (*ingest.Result, error) {
	o, err := decodeOrder(d)
	if err != nil {
		return nil, err
	}
	if isDraft(o.Status) {
		return d.checkout(o), nil
	}
	id := d.identity(string(o.ID), o.DateModifiedGMT.Time())
	evs := []*event.Event{d.orderEvent(event.OrderUpdated, id, o)}
	if isPaid(o) {
		evs = append(evs, d.orderEvent(event.OrderPaid, id, o))
	}
	switch o.Status {
	case statusCompleted:
		evs = append(evs, d.orderEvent(event.OrderFulfilled, id, o))
	case statusCancelled:
		evs = append(evs, d.orderEvent(event.OrderCancelled, id, o))
	}
	return d.result(id, evs...), nil
}

func decodeOrder(d *delivery) (*order, error) {
	var o order
	if err := d.decode(&o); err != nil {
		return nil, err
	}
	if o.ID == "" {
		return nil, errMissingID(d)
	}
	return &o, nil
}

// isDraft reports whether status is one WooCommerce uses before an order is
// placed (its own webhooks skip them, order.updated of checkout-draft aside).
func isDraft(status string) bool {
	switch status {
	case statusCheckoutDraft, statusAutoDraft, statusNew:
		return true
	}
	return false
}

// isPaid reports whether the order is paid: date_paid_gmt set and status
// processing or completed (a refunded or cancelled order keeps its
// date_paid).
func isPaid(o *order) bool {
	return !o.DatePaidGMT.Time().IsZero() && (o.Status == statusProcessing || o.Status == statusCompleted)
}

// checkout maps a checkout-draft order to checkout.updated, keyed on the
// order_key that the placed order later carries as checkout_token. Without
// an email or an order key there is nothing to act on.
func (d *delivery) checkout(o *order) *ingest.Result {
	modified, created := o.DateModifiedGMT.Time(), o.DateCreatedGMT.Time()
	id := d.identity(string(o.ID), modified)
	if o.Status != statusCheckoutDraft || o.Billing.Email == "" || o.OrderKey == "" {
		return d.result(id)
	}
	version := firstSet(modified, created)
	c := &event.Checkout{
		Token:     o.OrderKey,
		ID:        string(o.ID),
		CartToken: o.CartHash,
		Email:     o.Billing.Email,
		Phone:     string(o.Billing.Phone),
		Currency:  o.Currency,
		Subtotal:  subtotal(o.LineItems),
		Total:     event.Decimal(o.Total),
		LineItems: lineItems(o.LineItems),
		CreatedAt: created,
		UpdatedAt: modified,

		AcceptsEmailMarketing: d.consents(o),
	}
	ev := d.newEvent(event.CheckoutUpdated, id, o.OrderKey, version, d.occurredAt(modified, created), orderCustomer(o), c)
	return d.result(id, ev)
}

// orderEvent builds an order.* event. order.updated is versioned by
// date_modified_gmt; the others are one-time transitions with no version.
func (d *delivery) orderEvent(t event.Type, id string, o *order) *event.Event {
	modified, created := o.DateModifiedGMT.Time(), o.DateCreatedGMT.Time()
	var version time.Time
	if t == event.OrderUpdated {
		version = firstSet(modified, created)
	}
	data := orderData(o)
	data.AcceptsMarketing = d.consents(o)
	return d.newEvent(t, id, string(o.ID), version, d.occurredAt(modified, created), orderCustomer(o), data)
}

// consents reports whether the order's consent meta (the shop's
// woocommerce.consent_meta_key) says the buyer accepted email marketing.
func (d *delivery) consents(o *order) bool {
	key := d.shop.WooCommerce.ConsentMetaKey
	if key == "" {
		return false
	}
	for _, m := range o.MetaData {
		if m.Key != key {
			continue
		}
		var v any
		if json.Unmarshal(m.Value, &v) != nil {
			return false
		}
		switch x := v.(type) {
		case bool:
			return x
		case float64:
			return x == 1
		case string:
			switch strings.ToLower(strings.TrimSpace(x)) {
			case "yes", "1", "true", "on", "subscribed":
				return true
			}
		}
		return false
	}
	return false
}

// orderData maps the REST order onto event.Order.
func orderData(o *order) *event.Order {
	codes := make([]string, 0, len(o.CouponLines))
	for _, c := range o.CouponLines {
		if c.Code != "" {
			codes = append(codes, c.Code)
		}
	}
	if len(codes) == 0 {
		codes = nil
	}
	return &event.Order{
		ID:               string(o.ID),
		Number:           string(o.Number),
		CheckoutToken:    o.OrderKey,
		CartToken:        o.CartHash,
		Email:            o.Billing.Email,
		Phone:            string(o.Billing.Phone),
		Status:           o.Status,
		Currency:         o.Currency,
		Subtotal:         subtotal(o.LineItems),
		TotalDiscounts:   event.Decimal(o.DiscountTotal),
		TotalShipping:    event.Decimal(o.ShippingTotal),
		TotalTax:         event.Decimal(o.TotalTax),
		Total:            event.Decimal(o.Total),
		DiscountCodes:    codes,
		LineItems:        lineItems(o.LineItems),
		BillingAddress:   eventAddress(&o.Billing),
		ShippingAddress:  eventAddress(&o.Shipping),
		AcceptsMarketing: false, // no native consent: see delivery.consents
		CreatedAt:        o.DateCreatedGMT.Time(),
		UpdatedAt:        o.DateModifiedGMT.Time(),
		PaidAt:           timePtr(o.DatePaidGMT.Time()),
		FulfilledAt:      timePtr(o.DateCompletedGMT.Time()),
	}
}

// orderCustomer is who an order is about: the registered customer's id
// (customer_id 0 is a guest: no id) and the billing contact.
func orderCustomer(o *order) *event.Customer {
	c := &event.Customer{
		ID:        string(o.CustomerID),
		Email:     o.Billing.Email,
		Phone:     string(o.Billing.Phone),
		FirstName: o.Billing.FirstName,
		LastName:  o.Billing.LastName,
	}
	if c.Empty() {
		return nil
	}
	return c
}

// lineItems maps line_items. Names are HTML-decoded: WooCommerce stores
// product names with entities ("Ship Your Idea &ndash; Black").
func lineItems(in []lineItem) []event.LineItem {
	out := make([]event.LineItem, 0, len(in))
	for _, li := range in {
		out = append(out, event.LineItem{
			ID:        string(li.ID),
			ProductID: string(li.ProductID),
			VariantID: string(li.VariationID),
			SKU:       string(li.SKU),
			Title:     html.UnescapeString(li.Name),
			Quantity:  int(li.Quantity),
			Price:     event.Decimal(li.Price),
			ImageURL:  li.Image.Src,
		})
	}
	return out
}

// subtotal is the exact sum of the line subtotals (before discounts, tax
// excluded), or "" when there are no lines or one is not a plain decimal.
func subtotal(in []lineItem) event.Decimal {
	vs := make([]string, 0, len(in))
	for _, li := range in {
		vs = append(vs, string(li.Subtotal))
	}
	s, ok := sumDecimals(vs)
	if !ok {
		return ""
	}
	return event.Decimal(s)
}

// eventAddress maps a REST address; nil when it is empty. WooCommerce's
// country is the ISO 3166-1 alpha-2 code and its state the state code or
// name.
func eventAddress(a *address) *event.Address {
	out := &event.Address{
		FirstName:   a.FirstName,
		LastName:    a.LastName,
		Company:     a.Company,
		Address1:    a.Address1,
		Address2:    a.Address2,
		City:        a.City,
		Province:    a.State,
		Zip:         string(a.Postcode),
		CountryCode: a.Country,
		Phone:       string(a.Phone),
	}
	if *out == (event.Address{}) {
		return nil
	}
	return out
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// firstSet returns the first non-zero time, or the zero time.
func firstSet(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}
