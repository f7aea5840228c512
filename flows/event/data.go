package event

import "time"

// Decimal is an exact decimal number written as a string, such as "19.99".
// Money is always a Decimal beside a currency code, never a float.
type Decimal string

// Address is a postal address.
type Address struct {
	FirstName   string `json:"first_name,omitempty"`
	LastName    string `json:"last_name,omitempty"`
	Company     string `json:"company,omitempty"`
	Address1    string `json:"address1,omitempty"`
	Address2    string `json:"address2,omitempty"`
	City        string `json:"city,omitempty"`
	Province    string `json:"province,omitempty"`
	Zip         string `json:"zip,omitempty"`
	Country     string `json:"country,omitempty"`
	CountryCode string `json:"country_code,omitempty"`
	Phone       string `json:"phone,omitempty"`
}

// LineItem is one line of a cart, checkout, order or shipment. Price is the
// unit price in the parent's currency.
type LineItem struct {
	ID           string  `json:"id,omitempty"`
	ProductID    string  `json:"product_id,omitempty"`
	VariantID    string  `json:"variant_id,omitempty"`
	SKU          string  `json:"sku,omitempty"`
	Title        string  `json:"title"`
	VariantTitle string  `json:"variant_title,omitempty"`
	Quantity     int     `json:"quantity"`
	Price        Decimal `json:"price,omitempty"`
	ImageURL     string  `json:"image_url,omitempty"`
	URL          string  `json:"url,omitempty"`
}

// CustomerData is the data of customer.created and customer.updated.
type CustomerData struct {
	ID            string   `json:"id"`
	Email         string   `json:"email,omitempty"`
	Phone         string   `json:"phone,omitempty"`
	FirstName     string   `json:"first_name,omitempty"`
	LastName      string   `json:"last_name,omitempty"`
	State         string   `json:"state,omitempty"`
	VerifiedEmail bool     `json:"verified_email,omitempty"`
	Locale        string   `json:"locale,omitempty"`
	Tags          []string `json:"tags,omitempty"`
	OrdersCount   *int     `json:"orders_count,omitempty"`
	TotalSpent    Decimal  `json:"total_spent,omitempty"`
	Currency      string   `json:"currency,omitempty"`
	Birthday      string   `json:"birthday,omitempty"`
	Address       *Address `json:"address,omitempty"`
	// EmailConsent and SMSConsent are set only where the payload carries
	// consent (BigCommerce, older Shopify API versions).
	EmailConsent *ConsentState `json:"email_consent,omitempty"`
	SMSConsent   *ConsentState `json:"sms_consent,omitempty"`
	CreatedAt    time.Time     `json:"created_at"`
	UpdatedAt    time.Time     `json:"updated_at"`
}

// Consent channels.
const (
	ChannelEmail = "email"
	ChannelSMS   = "sms"
)

// Consent states, Shopify's vocabulary, which the other platforms map onto.
const (
	ConsentSubscribed    = "subscribed"
	ConsentNotSubscribed = "not_subscribed"
	ConsentUnsubscribed  = "unsubscribed"
	ConsentPending       = "pending"
	ConsentRedacted      = "redacted"
	ConsentInvalid       = "invalid"
)

// ConsentState is one channel's marketing consent.
type ConsentState struct {
	State      string    `json:"state"`
	OptInLevel string    `json:"opt_in_level,omitempty"`
	UpdatedAt  time.Time `json:"updated_at,omitzero"`
}

// Consent is the data of consent.updated: one channel's consent for one
// address or number.
type Consent struct {
	Channel    string `json:"channel"`
	Email      string `json:"email,omitempty"`
	Phone      string `json:"phone,omitempty"`
	State      string `json:"state"`
	OptInLevel string `json:"opt_in_level,omitempty"`
	// CollectedFrom is where consent was given (SHOPIFY, OTHER, checkout,
	// storefront, sms_keyword).
	CollectedFrom string    `json:"collected_from,omitempty"`
	UpdatedAt     time.Time `json:"updated_at,omitzero"`
}

// Checkout is the data of checkout.updated: a checkout with contact known.
type Checkout struct {
	// Token identifies the checkout; flows key abandonment runs on it.
	Token     string `json:"token"`
	ID        string `json:"id,omitempty"`
	CartToken string `json:"cart_token,omitempty"`
	Email     string `json:"email"`
	Phone     string `json:"phone,omitempty"`
	// SMSMarketingPhone is the number the buyer gave for SMS marketing.
	SMSMarketingPhone     string     `json:"sms_marketing_phone,omitempty"`
	AcceptsEmailMarketing bool       `json:"accepts_email_marketing"`
	AcceptsSMSMarketing   bool       `json:"accepts_sms_marketing"`
	Currency              string     `json:"currency,omitempty"`
	Subtotal              Decimal    `json:"subtotal,omitempty"`
	Total                 Decimal    `json:"total,omitempty"`
	LineItems             []LineItem `json:"line_items"`
	RecoveryURL           string     `json:"recovery_url,omitempty"`
	CompletedAt           *time.Time `json:"completed_at,omitempty"`
	CreatedAt             time.Time  `json:"created_at,omitzero"`
	UpdatedAt             time.Time  `json:"updated_at,omitzero"`
}

// CheckoutRef is the data of checkout.deleted.
type CheckoutRef struct {
	Token     string `json:"token"`
	ID        string `json:"id,omitempty"`
	CartToken string `json:"cart_token,omitempty"`
}

// Cart is the data of cart.updated and cart.abandoned.
type Cart struct {
	ID    string `json:"id"`
	Token string `json:"token,omitempty"`
	// Email is known only when a logged-in customer owns the cart or a
	// guest typed it at checkout.
	Email       string     `json:"email,omitempty"`
	Phone       string     `json:"phone,omitempty"`
	Currency    string     `json:"currency,omitempty"`
	Total       Decimal    `json:"total,omitempty"`
	LineItems   []LineItem `json:"line_items"`
	RecoveryURL string     `json:"recovery_url,omitempty"`
	// OrderID is set when the cart converted into an order.
	OrderID   string    `json:"order_id,omitempty"`
	CreatedAt time.Time `json:"created_at,omitzero"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// Order is the data of every order.* event.
type Order struct {
	ID     string `json:"id"`
	Number string `json:"number,omitempty"`
	Name   string `json:"name,omitempty"`
	// CheckoutToken and CartToken link the order to the checkout and cart
	// that became it; abandonment runs end on them.
	CheckoutToken string `json:"checkout_token,omitempty"`
	CartToken     string `json:"cart_token,omitempty"`
	Email         string `json:"email,omitempty"`
	Phone         string `json:"phone,omitempty"`
	// Status is the platform's own order status (WooCommerce, BigCommerce).
	Status            string     `json:"status,omitempty"`
	FinancialStatus   string     `json:"financial_status,omitempty"`
	FulfillmentStatus string     `json:"fulfillment_status,omitempty"`
	Currency          string     `json:"currency"`
	Subtotal          Decimal    `json:"subtotal,omitempty"`
	TotalDiscounts    Decimal    `json:"total_discounts,omitempty"`
	TotalShipping     Decimal    `json:"total_shipping,omitempty"`
	TotalTax          Decimal    `json:"total_tax,omitempty"`
	Total             Decimal    `json:"total"`
	DiscountCodes     []string   `json:"discount_codes,omitempty"`
	LineItems         []LineItem `json:"line_items"`
	BillingAddress    *Address   `json:"billing_address,omitempty"`
	ShippingAddress   *Address   `json:"shipping_address,omitempty"`
	AcceptsMarketing  bool       `json:"accepts_marketing"`
	StatusURL         string     `json:"status_url,omitempty"`
	Test              bool       `json:"test,omitempty"`
	CancelReason      string     `json:"cancel_reason,omitempty"`
	CreatedAt         time.Time  `json:"created_at,omitzero"`
	UpdatedAt         time.Time  `json:"updated_at,omitzero"`
	PaidAt            *time.Time `json:"paid_at,omitempty"`
	CancelledAt       *time.Time `json:"cancelled_at,omitempty"`
	FulfilledAt       *time.Time `json:"fulfilled_at,omitempty"`
}

// Coupon is the data of coupon.updated.
type Coupon struct {
	ID           string     `json:"id"`
	Code         string     `json:"code"`
	DiscountType string     `json:"discount_type,omitempty"`
	Amount       Decimal    `json:"amount,omitempty"`
	UsageCount   int        `json:"usage_count,omitempty"`
	ExpiresAt    *time.Time `json:"expires_at,omitempty"`
	Deleted      bool       `json:"deleted,omitempty"`
	UpdatedAt    time.Time  `json:"updated_at,omitzero"`
}

// Product is the data of product.updated.
type Product struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	URL       string    `json:"url,omitempty"`
	ImageURL  string    `json:"image_url,omitempty"`
	Price     Decimal   `json:"price,omitempty"`
	Currency  string    `json:"currency,omitempty"`
	Available bool      `json:"available"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// ProductRef is the data of product.deleted.
type ProductRef struct {
	ID string `json:"id"`
}

// Shipment statuses, Shopify's shipment_status vocabulary.
const (
	ShipmentConfirmed      = "confirmed"
	ShipmentInTransit      = "in_transit"
	ShipmentOutForDelivery = "out_for_delivery"
	ShipmentDelivered      = "delivered"
	ShipmentFailure        = "failure"
)

// Shipment is the data of shipment.updated.
type Shipment struct {
	ID      string `json:"id"`
	OrderID string `json:"order_id"`
	// Status is the shipment's progress: confirmed, in_transit,
	// out_for_delivery, delivered, failure, or another carrier status.
	Status              string     `json:"status"`
	Carrier             string     `json:"carrier,omitempty"`
	TrackingNumber      string     `json:"tracking_number,omitempty"`
	TrackingURL         string     `json:"tracking_url,omitempty"`
	Email               string     `json:"email,omitempty"`
	LineItems           []LineItem `json:"line_items,omitempty"`
	Destination         *Address   `json:"destination,omitempty"`
	Message             string     `json:"message,omitempty"`
	EstimatedDeliveryAt *time.Time `json:"estimated_delivery_at,omitempty"`
	HappenedAt          time.Time  `json:"happened_at,omitzero"`
	UpdatedAt           time.Time  `json:"updated_at,omitzero"`
}

// ProductView is the data of product.viewed (from the storefront snippet).
type ProductView struct {
	ProductID string  `json:"product_id"`
	VariantID string  `json:"variant_id,omitempty"`
	Title     string  `json:"title,omitempty"`
	URL       string  `json:"url,omitempty"`
	ImageURL  string  `json:"image_url,omitempty"`
	Price     Decimal `json:"price,omitempty"`
	Currency  string  `json:"currency,omitempty"`
}

// CartItem is the data of cart.item_added (from the storefront snippet).
type CartItem struct {
	CartToken string   `json:"cart_token,omitempty"`
	Item      LineItem `json:"item"`
	Currency  string   `json:"currency,omitempty"`
}

// Message is the data of every message.* event: a send's outcome or a
// recipient's engagement.
type Message struct {
	// MessageID is Boomerang's id for the message (run and step).
	MessageID string `json:"message_id"`
	Channel   string `json:"channel"`
	Flow      string `json:"flow,omitempty"`
	Run       string `json:"run,omitempty"`
	Step      string `json:"step,omitempty"`
	// Split names the split arms the run took ("step=arm,…"), for
	// attribution per arm.
	Split      string `json:"split,omitempty"`
	To         string `json:"to,omitempty"`
	Provider   string `json:"provider,omitempty"`
	ProviderID string `json:"provider_id,omitempty"`
	// Code and Reason explain failures, drops and bounces.
	Code   string `json:"code,omitempty"`
	Reason string `json:"reason,omitempty"`
	// URL is the clicked link for message.clicked.
	URL string `json:"url,omitempty"`
}

// InboundSMS is the data of sms.inbound.
type InboundSMS struct {
	From string `json:"from"`
	To   string `json:"to"`
	Body string `json:"body"`
	// Keyword is STOP, START, HELP or empty, from the body's first word.
	Keyword string `json:"keyword,omitempty"`
}

// Feedback is the data of feedback.submitted: a one-click answer.
type Feedback struct {
	Flow     string `json:"flow,omitempty"`
	Run      string `json:"run,omitempty"`
	Step     string `json:"step,omitempty"`
	Question string `json:"question"`
	Answer   string `json:"answer"`
	Score    *int   `json:"score,omitempty"`
	Comment  string `json:"comment,omitempty"`
}

// Survey is the data of survey.submitted.
type Survey struct {
	Survey  string            `json:"survey"`
	Run     string            `json:"run,omitempty"`
	Answers map[string]string `json:"answers"`
}

// DateEvent is the data of date.reached.
type DateEvent struct {
	// Kind is birthday, anniversary or holiday.
	Kind string `json:"kind"`
	// Date is the calendar date reached, YYYY-MM-DD in the customer's zone.
	Date string `json:"date"`
	// Name names a holiday.
	Name string `json:"name,omitempty"`
}

// Prediction is the data of prediction.updated.
type Prediction struct {
	PAlive    float64 `json:"p_alive"`
	ChurnRisk float64 `json:"churn_risk"`
	ChurnBand string  `json:"churn_band"`
	// PreviousBand is the band before this update, "" for a first
	// prediction: a flow reacts to a change with
	// event.data.churn_band != event.data.previous_band.
	PreviousBand        string     `json:"previous_band,omitempty"`
	ExpectedOrders      float64    `json:"expected_orders,omitempty"`
	PredictedCLV        Decimal    `json:"predicted_clv,omitempty"`
	Currency            string     `json:"currency,omitempty"`
	ExpectedNextOrderAt *time.Time `json:"expected_next_order_at,omitempty"`
	Model               string     `json:"model,omitempty"`
}

// Timer is the data of timer.fired: a reference to the run, not its state.
type Timer struct {
	// TimerID names the timer: the run and the step it waits at.
	TimerID string `json:"timer_id"`
	Flow    string `json:"flow,omitempty"`
	// Run is the run's id.
	Run  string `json:"run,omitempty"`
	Step string `json:"step,omitempty"`
	// Customer is the processor's key of the customer the run belongs to.
	Customer string `json:"customer,omitempty"`
	// DueAt is when the timer was due; a run whose wait has moved since
	// ignores a timer with an older due time.
	DueAt time.Time `json:"due_at"`
}

// ShopData is the data of shop.installed, shop.uninstalled and shop.redact.
type ShopData struct {
	PlatformShopID string `json:"platform_shop_id,omitempty"`
	Domain         string `json:"domain,omitempty"`
	Email          string `json:"email,omitempty"`
	Name           string `json:"name,omitempty"`
}

// Redact is the data of customer.redact and customer.data_request.
type Redact struct {
	CustomerID string   `json:"customer_id,omitempty"`
	Email      string   `json:"email,omitempty"`
	Phone      string   `json:"phone,omitempty"`
	OrderIDs   []string `json:"order_ids,omitempty"`
	RequestID  string   `json:"request_id,omitempty"`
}
