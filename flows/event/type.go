package event

import "slices"

// Type names an event type, such as "order.placed".
type Type string

// The canonical event types. docs/events.md documents each one's data.
const (
	CustomerCreated     Type = "customer.created"
	CustomerUpdated     Type = "customer.updated"
	ConsentUpdated      Type = "consent.updated"
	CheckoutUpdated     Type = "checkout.updated"
	CheckoutDeleted     Type = "checkout.deleted"
	CartUpdated         Type = "cart.updated"
	CartAbandoned       Type = "cart.abandoned"
	OrderPlaced         Type = "order.placed"
	OrderUpdated        Type = "order.updated"
	OrderPaid           Type = "order.paid"
	OrderCancelled      Type = "order.cancelled"
	OrderFulfilled      Type = "order.fulfilled"
	CouponUpdated       Type = "coupon.updated"
	ProductUpdated      Type = "product.updated"
	ProductDeleted      Type = "product.deleted"
	ShipmentUpdated     Type = "shipment.updated"
	ProductViewed       Type = "product.viewed"
	CartItemAdded       Type = "cart.item_added"
	MessageSent         Type = "message.sent"
	MessageFailed       Type = "message.failed"
	MessageDropped      Type = "message.dropped"
	MessageDelivered    Type = "message.delivered"
	MessageOpened       Type = "message.opened"
	MessageClicked      Type = "message.clicked"
	MessageBounced      Type = "message.bounced"
	MessageComplained   Type = "message.complained"
	MessageUnsubscribed Type = "message.unsubscribed"
	SMSInbound          Type = "sms.inbound"
	FeedbackSubmitted   Type = "feedback.submitted"
	SurveySubmitted     Type = "survey.submitted"
	DateReached         Type = "date.reached"
	PredictionUpdated   Type = "prediction.updated"
	TimerFired          Type = "timer.fired"
	ShopInstalled       Type = "shop.installed"
	ShopUninstalled     Type = "shop.uninstalled"
	CustomerRedact      Type = "customer.redact"
	ShopRedact          Type = "shop.redact"
	CustomerDataRequest Type = "customer.data_request"
)

// registry maps each type to a constructor of its data struct.
var registry = map[Type]func() any{
	CustomerCreated:     func() any { return new(CustomerData) },
	CustomerUpdated:     func() any { return new(CustomerData) },
	ConsentUpdated:      func() any { return new(Consent) },
	CheckoutUpdated:     func() any { return new(Checkout) },
	CheckoutDeleted:     func() any { return new(CheckoutRef) },
	CartUpdated:         func() any { return new(Cart) },
	CartAbandoned:       func() any { return new(Cart) },
	OrderPlaced:         func() any { return new(Order) },
	OrderUpdated:        func() any { return new(Order) },
	OrderPaid:           func() any { return new(Order) },
	OrderCancelled:      func() any { return new(Order) },
	OrderFulfilled:      func() any { return new(Order) },
	CouponUpdated:       func() any { return new(Coupon) },
	ProductUpdated:      func() any { return new(Product) },
	ProductDeleted:      func() any { return new(ProductRef) },
	ShipmentUpdated:     func() any { return new(Shipment) },
	ProductViewed:       func() any { return new(ProductView) },
	CartItemAdded:       func() any { return new(CartItem) },
	MessageSent:         func() any { return new(Message) },
	MessageFailed:       func() any { return new(Message) },
	MessageDropped:      func() any { return new(Message) },
	MessageDelivered:    func() any { return new(Message) },
	MessageOpened:       func() any { return new(Message) },
	MessageClicked:      func() any { return new(Message) },
	MessageBounced:      func() any { return new(Message) },
	MessageComplained:   func() any { return new(Message) },
	MessageUnsubscribed: func() any { return new(Message) },
	SMSInbound:          func() any { return new(InboundSMS) },
	FeedbackSubmitted:   func() any { return new(Feedback) },
	SurveySubmitted:     func() any { return new(Survey) },
	DateReached:         func() any { return new(DateEvent) },
	PredictionUpdated:   func() any { return new(Prediction) },
	TimerFired:          func() any { return new(Timer) },
	ShopInstalled:       func() any { return new(ShopData) },
	ShopUninstalled:     func() any { return new(ShopData) },
	CustomerRedact:      func() any { return new(Redact) },
	ShopRedact:          func() any { return new(ShopData) },
	CustomerDataRequest: func() any { return new(Redact) },
}

// NewData returns a new, empty data struct for t, or nil for a type this
// build does not know.
func NewData(t Type) any {
	if f, ok := registry[t]; ok {
		return f()
	}
	return nil
}

// Known reports whether t is a canonical type.
func Known(t Type) bool {
	_, ok := registry[t]
	return ok
}

// Types lists every canonical type, sorted.
func Types() []Type {
	out := make([]Type, 0, len(registry))
	for t := range registry {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}
