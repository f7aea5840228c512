package shopify_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/adapters/install/shopify"
	"github.com/boomerang-dev/boomerang/adapters/reconcile"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	shopifyhook "github.com/boomerang-dev/boomerang/adapters/shopify"
	"github.com/boomerang-dev/boomerang/flows/event"
)

const (
	pollDomain = "poll-shop.myshopify.com"
	pollToken  = "shpat_poll_token"
)

// The tests' window: 10:00:00.25 to 11:00:00.5 on the tests' day, with
// sub-second bounds so the rounding of the search query is exercised.
var (
	winSince = time.Date(2026, 9, 1, 10, 0, 0, 250e6, time.UTC)
	winUntil = time.Date(2026, 9, 1, 11, 0, 0, 500e6, time.UTC)
	// restZone is the shop's offset REST payloads are written in.
	restZone = time.FixedZone("EDT", -4*3600)
)

// at is a time on the tests' day.
func at(h, m, s int) time.Time { return time.Date(2026, 9, 1, h, m, s, 0, time.UTC) }

// pollBundle is one poll test's fake Shopify, shop and poller.
type pollBundle struct {
	fake   *fakeShopify
	shop   *shop.Shop
	waits  *waitLog
	client *shopify.Client
}

// waitLog records the poller's waits without waiting.
type waitLog struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *waitLog) wait(ctx context.Context, d time.Duration) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.d = append(l.d, d)
	return ctx.Err()
}

func (l *waitLog) all() []time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]time.Duration(nil), l.d...)
}

func setupPoll(t *testing.T) *pollBundle {
	t.Helper()
	b := &pollBundle{fake: newFakeShopify(t, testAPIKey, testAPISecret), waits: &waitLog{}}
	b.fake.setTokens(pollDomain, pollToken, "")
	var err error
	b.client, err = shopify.NewClient(shopify.ClientConfig{
		APIKey: testAPIKey, APISecret: testAPISecret, ShopURL: b.fake.shopURL(),
		Now: func() time.Time { return testNow },
	})
	require.NoError(t, err)
	b.shop = &shop.Shop{ID: "poll-shop", Platform: event.PlatformShopify, Domain: pollDomain, APIToken: pollToken}
	return b
}

// poller returns a Poller over the bundle's client; change edits its config.
func (b *pollBundle) poller(t *testing.T, change func(c *shopify.PollerConfig)) *shopify.Poller {
	t.Helper()
	cfg := shopify.PollerConfig{Client: b.client, Wait: b.waits.wait}
	if change != nil {
		change(&cfg)
	}
	p, err := shopify.NewPoller(cfg)
	require.NoError(t, err)
	return p
}

// changes runs Changes and returns the events it emitted.
func (b *pollBundle) changes(t *testing.T, p *shopify.Poller, w reconcile.Window) ([]*event.Event, error) {
	t.Helper()
	var out []*event.Event
	err := p.Changes(context.Background(), b.shop, w, func(ev *event.Event) error {
		out = append(out, ev)
		return nil
	})
	return out, err
}

// webhookEvents is what the webhook normaliser makes of a delivery.
func webhookEvents(t *testing.T, s *shop.Shop, topic string, body []byte) []*event.Event {
	t.Helper()
	h := http.Header{}
	h.Set(shopifyhook.HeaderTopic, topic)
	h.Set(shopifyhook.HeaderWebhookID, "b5a1c2d3-webhook")
	h.Set(shopifyhook.HeaderAPIVersion, "2026-07")
	res, err := shopifyhook.New().Normalize(s, &ingest.Request{Header: h, Body: body, ReceivedAt: testNow})
	require.NoError(t, err)
	var out []*event.Event
	for _, m := range res.Messages {
		ev, ok := m.Value.(*event.Event)
		require.True(t, ok)
		out = append(out, ev)
	}
	return out
}

// eventView is what a polled event must share with the webhook's: all but
// the delivery identity, and the data without the fields the GraphQL
// Admin API does not have (documented in docs/platforms/shopify.md).
type eventView struct {
	Type       event.Type
	Key        string
	Shop       string
	Platform   string
	OccurredAt time.Time
	ReceivedAt time.Time
	Customer   *event.Customer
	Data       any
	Topic      string
	APIVersion string
}

func view(ev *event.Event) eventView {
	data := ev.Data
	switch d := data.(type) {
	case *event.Order:
		c := *d
		c.Number = "" // REST order_number: not read from GraphQL
		data = &c
	case *event.Checkout:
		c := *d
		// The AbandonedCheckout object has no phone, SMS marketing phone
		// or cart token of its own.
		c.Phone, c.SMSMarketingPhone, c.CartToken = "", "", ""
		data = &c
	}
	return eventView{
		Type: ev.Type, Key: ev.Key, Shop: ev.Shop, Platform: ev.Platform, OccurredAt: ev.OccurredAt,
		ReceivedAt: ev.ReceivedAt, Customer: ev.Customer, Data: data, Topic: ev.Source.Topic, APIVersion: ev.Source.APIVersion,
	}
}

func views(evs []*event.Event) []eventView {
	out := make([]eventView, 0, len(evs))
	for _, ev := range evs {
		out = append(out, view(ev))
	}
	return out
}

// requirePolled checks what only a polled event has: a delivery id
// "poll:<topic>:<id>:<updated_at>" and the event id derived from it.
func requirePolled(t *testing.T, ev *event.Event, id string, updated time.Time) {
	t.Helper()
	want := "poll:" + ev.Source.Topic + ":" + id + ":" + updated.UTC().Format(time.RFC3339Nano)
	require.Equal(t, want, ev.Source.DeliveryID)
	require.Equal(t, event.DeliveryID(event.PlatformShopify, ev.Shop, want, ev.Type), ev.ID)
	require.NoError(t, ev.Validate())
}

// ---- fixtures: one resource, written both as GraphQL answers it and as
// its webhook carries it ----

// gqlDecimal writes a REST amount as GraphQL's Decimal does ("25.50" →
// "25.5", "7.00" → "7.0").
func gqlDecimal(rest string) string {
	whole, frac, ok := strings.Cut(rest, ".")
	if !ok {
		return rest + ".0"
	}
	frac = strings.TrimRight(frac, "0")
	if frac == "" {
		frac = "0"
	}
	return whole + "." + frac
}

// restTime writes a time as REST payloads do, in the shop's offset; zero
// is null.
func restTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.In(restZone).Format(time.RFC3339Nano)
}

// gqlTime writes a time as GraphQL does; zero is null.
func gqlTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}

// orNull is s, or null when empty.
func orNull(s string) any {
	if s == "" {
		return nil
	}
	return s
}

type fxPerson struct {
	ID                        int64
	Email, Phone, First, Last string
	EmailState, SMSState      string // GraphQL marketing states, for checkouts
}

func (p *fxPerson) gql() any {
	if p == nil {
		return nil
	}
	out := map[string]any{
		"id": "gid://shopify/Customer/" + strconv.FormatInt(p.ID, 10), "legacyResourceId": strconv.FormatInt(p.ID, 10),
		"firstName": orNull(p.First), "lastName": orNull(p.Last), "defaultEmailAddress": nil, "defaultPhoneNumber": nil,
	}
	if p.Email != "" {
		out["defaultEmailAddress"] = map[string]any{"emailAddress": p.Email, "marketingState": orNull(p.EmailState)}
	}
	if p.Phone != "" {
		out["defaultPhoneNumber"] = map[string]any{"phoneNumber": p.Phone, "marketingState": orNull(p.SMSState)}
	}
	return out
}

func (p *fxPerson) rest() any {
	if p == nil {
		return nil
	}
	return map[string]any{
		"id": p.ID, "email": orNull(p.Email), "phone": orNull(p.Phone), "first_name": orNull(p.First),
		"last_name": orNull(p.Last), "state": "enabled", "verified_email": true, "admin_graphql_api_id": "gid://shopify/Customer/" + strconv.FormatInt(p.ID, 10),
	}
}

type fxAddress struct {
	First, Last, Company, Line1, Line2, City, Province, Zip, Country, CountryCode, Phone string
}

func (a *fxAddress) gql() any {
	if a == nil {
		return nil
	}
	return map[string]any{
		"firstName": a.First, "lastName": a.Last, "company": orNull(a.Company), "address1": a.Line1, "address2": orNull(a.Line2),
		"city": a.City, "province": a.Province, "zip": a.Zip, "country": a.Country, "countryCodeV2": a.CountryCode, "phone": orNull(a.Phone),
	}
}

func (a *fxAddress) rest() any {
	if a == nil {
		return nil
	}
	return map[string]any{
		"first_name": a.First, "last_name": a.Last, "company": orNull(a.Company), "address1": a.Line1, "address2": orNull(a.Line2),
		"city": a.City, "province": a.Province, "zip": a.Zip, "country": a.Country, "country_code": a.CountryCode, "phone": orNull(a.Phone),
		"name": a.First + " " + a.Last, "latitude": 45.41634, "longitude": -75.6868,
	}
}

type fxLine struct {
	ID, ProductID, VariantID int64
	SKU, Title, VariantTitle string
	Quantity                 int
	Price                    string // REST text
	Image                    string
}

// gql is the line as GraphQL answers it, its price in side (shopMoney or
// presentmentMoney).
func (l fxLine) gql(side, currency string) map[string]any {
	out := map[string]any{
		"id": "gid://shopify/LineItem/" + strconv.FormatInt(l.ID, 10), "sku": orNull(l.SKU), "title": l.Title,
		"variantTitle": orNull(l.VariantTitle), "quantity": l.Quantity,
		"originalUnitPriceSet": map[string]any{side: map[string]any{"amount": gqlDecimal(l.Price), "currencyCode": currency}},
		"image":                nil,
		"product":              map[string]any{"legacyResourceId": strconv.FormatInt(l.ProductID, 10)},
		"variant":              map[string]any{"legacyResourceId": strconv.FormatInt(l.VariantID, 10)},
	}
	if l.Image != "" {
		out["image"] = map[string]any{"url": l.Image}
	}
	return out
}

// rest is the line as a webhook carries it; a checkout's line has a key
// and no id.
func (l fxLine) rest(currency string, checkout bool) map[string]any {
	out := map[string]any{
		"product_id": l.ProductID, "variant_id": l.VariantID, "sku": orNull(l.SKU), "title": l.Title,
		"variant_title": orNull(l.VariantTitle), "quantity": l.Quantity, "price": l.Price, "name": l.Title + " - " + l.VariantTitle,
		"price_set": map[string]any{
			"shop_money":        map[string]any{"amount": l.Price, "currency_code": currency},
			"presentment_money": map[string]any{"amount": l.Price, "currency_code": currency},
		},
		"gift_card": false, "taxable": true,
	}
	if l.Image != "" {
		out["image"] = map[string]any{"src": l.Image}
	}
	if checkout {
		out["key"] = strconv.FormatInt(l.ID, 10)
	} else {
		out["id"] = l.ID
	}
	return out
}

type fxOrder struct {
	ID, Number                                   int64
	Name, Email, Phone, CheckoutToken, CartToken string
	Customer                                     *fxPerson
	Currency                                     string
	Subtotal, Discounts, Shipping, Tax, Total    string
	Codes                                        []string
	Lines                                        []fxLine
	Billing, ShipTo                              *fxAddress
	Financial, Fulfillment, CancelReason         string // GraphQL enums
	Created, Updated, Processed, Cancelled       time.Time
	Fulfillments                                 []time.Time
	StatusURL                                    string
	Test, AcceptsMarketing                       bool
}

func (o fxOrder) gid() string { return "gid://shopify/Order/" + strconv.FormatInt(o.ID, 10) }

func (o fxOrder) node() fakeNode {
	bag := func(amount string) any {
		return map[string]any{"shopMoney": map[string]any{"amount": gqlDecimal(amount), "currencyCode": o.Currency}}
	}
	fulfillments := []any{}
	for _, f := range o.Fulfillments {
		fulfillments = append(fulfillments, map[string]any{"createdAt": gqlTime(f)})
	}
	lines := []map[string]any{}
	for _, l := range o.Lines {
		lines = append(lines, l.gql("shopMoney", o.Currency))
	}
	codes := append([]string{}, o.Codes...)
	return fakeNode{GID: o.gid(), UpdatedAt: o.Updated, LineItems: lines, Fields: map[string]any{
		"legacyResourceId": strconv.FormatInt(o.ID, 10), "name": o.Name, "email": orNull(o.Email), "phone": orNull(o.Phone),
		"checkoutToken": orNull(o.CheckoutToken), "cartToken": orNull(o.CartToken), "customer": o.Customer.gql(),
		"currencyCode": o.Currency, "subtotalPriceSet": bag(o.Subtotal), "totalDiscountsSet": bag(o.Discounts),
		"totalShippingPriceSet": bag(o.Shipping), "totalTaxSet": bag(o.Tax), "totalPriceSet": bag(o.Total),
		"discountCodes": codes, "billingAddress": o.Billing.gql(), "shippingAddress": o.ShipTo.gql(),
		"displayFinancialStatus": o.Financial, "displayFulfillmentStatus": o.Fulfillment,
		"cancelledAt": gqlTime(o.Cancelled), "cancelReason": orNull(o.CancelReason),
		"createdAt": gqlTime(o.Created), "processedAt": gqlTime(o.Processed), "fulfillments": fulfillments,
		"statusPageUrl": o.StatusURL, "test": o.Test, "customerAcceptsMarketing": o.AcceptsMarketing,
	}}
}

// webhook is the order as orders/* webhooks carry it (REST, the shop's
// offset, order_number, contact_email, presentment money and more).
func (o fxOrder) webhook(t *testing.T) []byte {
	t.Helper()
	money := func(amount string) any {
		return map[string]any{
			"shop_money":        map[string]any{"amount": amount, "currency_code": o.Currency},
			"presentment_money": map[string]any{"amount": amount, "currency_code": o.Currency},
		}
	}
	fulfillment := map[string]any{"FULFILLED": "fulfilled", "PARTIALLY_FULFILLED": "partial", "RESTOCKED": "restocked"}[o.Fulfillment]
	codes := []any{}
	for _, c := range o.Codes {
		codes = append(codes, map[string]any{"code": c, "amount": "5.00", "type": "fixed_amount"})
	}
	lines := []any{}
	for _, l := range o.Lines {
		lines = append(lines, l.rest(o.Currency, false))
	}
	fulfillments := []any{}
	for i, f := range o.Fulfillments {
		fulfillments = append(fulfillments, map[string]any{"id": 9000 + i, "order_id": o.ID, "status": "success", "created_at": restTime(f), "updated_at": restTime(f)})
	}
	cancelReason := any(nil)
	if o.CancelReason != "" {
		cancelReason = strings.ToLower(o.CancelReason)
	}
	body, err := json.Marshal(map[string]any{
		"id": o.ID, "admin_graphql_api_id": o.gid(), "name": o.Name, "order_number": o.Number, "number": o.Number - 1000,
		"email": orNull(o.Email), "contact_email": orNull(o.Email), "phone": orNull(o.Phone),
		"checkout_token": orNull(o.CheckoutToken), "cart_token": orNull(o.CartToken), "token": "b1946ac92492d2347c6235b4d2611184",
		"financial_status": strings.ToLower(o.Financial), "fulfillment_status": fulfillment,
		"currency": o.Currency, "presentment_currency": o.Currency,
		"subtotal_price": o.Subtotal, "subtotal_price_set": money(o.Subtotal), "total_discounts": o.Discounts,
		"total_tax": o.Tax, "total_price": o.Total, "total_price_set": money(o.Total),
		"total_shipping_price_set": money(o.Shipping), "discount_codes": codes, "line_items": lines,
		"billing_address": o.Billing.rest(), "shipping_address": o.ShipTo.rest(),
		"buyer_accepts_marketing": o.AcceptsMarketing, "order_status_url": o.StatusURL, "test": o.Test,
		"cancel_reason": cancelReason, "customer": o.Customer.rest(), "fulfillments": fulfillments,
		"created_at": restTime(o.Created), "updated_at": restTime(o.Updated), "processed_at": restTime(o.Processed),
		"cancelled_at": restTime(o.Cancelled), "closed_at": nil, "source_name": "web",
	})
	require.NoError(t, err)
	return body
}

type fxCheckout struct {
	ID                          int64
	Token, URL                  string
	Customer                    *fxPerson
	Currency, Presentment       string
	Subtotal, Total             string
	Lines                       []fxLine
	Billing                     *fxAddress
	Completed, Created, Updated time.Time
}

func (c fxCheckout) node() fakeNode {
	bag := func(amount string) any {
		return map[string]any{
			"shopMoney":        map[string]any{"currencyCode": c.Currency},
			"presentmentMoney": map[string]any{"amount": gqlDecimal(amount), "currencyCode": c.Presentment},
		}
	}
	lines := []map[string]any{}
	for _, l := range c.Lines {
		lines = append(lines, l.gql("presentmentMoney", c.Presentment))
	}
	return fakeNode{GID: "gid://shopify/AbandonedCheckout/" + strconv.FormatInt(c.ID, 10), UpdatedAt: c.Updated, LineItems: lines, Fields: map[string]any{
		"abandonedCheckoutUrl": c.URL, "completedAt": gqlTime(c.Completed), "createdAt": gqlTime(c.Created),
		"customer": c.Customer.gql(), "billingAddress": c.Billing.gql(), "shippingAddress": nil,
		"subtotalPriceSet": bag(c.Subtotal), "totalPriceSet": bag(c.Total),
	}}
}

// webhook is the checkout as checkouts/update carries it.
func (c fxCheckout) webhook(t *testing.T) []byte {
	t.Helper()
	lines := []any{}
	for _, l := range c.Lines {
		lines = append(lines, l.rest(c.Presentment, true))
	}
	var email, phone, smsPhone any
	emailOK, smsOK := false, false
	if p := c.Customer; p != nil {
		email, phone = orNull(p.Email), orNull(p.Phone)
		emailOK, smsOK = p.EmailState == "SUBSCRIBED", p.SMSState == "SUBSCRIBED"
		if smsOK {
			smsPhone = phone
		}
	}
	body, err := json.Marshal(map[string]any{
		"id": c.ID, "token": c.Token, "cart_token": "hWN2zuB5cart", "email": email, "phone": phone,
		"sms_marketing_phone": smsPhone, "buyer_accepts_marketing": emailOK, "buyer_accepts_sms_marketing": smsOK,
		"currency": c.Currency, "presentment_currency": c.Presentment, "subtotal_price": c.Subtotal, "total_price": c.Total,
		"line_items": lines, "abandoned_checkout_url": c.URL, "billing_address": c.Billing.rest(),
		"customer": c.Customer.rest(), "completed_at": restTime(c.Completed), "created_at": restTime(c.Created),
		"updated_at": restTime(c.Updated), "gateway": nil, "landing_site": "/",
	})
	require.NoError(t, err)
	return body
}

type fxCustomer struct {
	ID                          int64
	Email, Phone, First, Last   string
	State, Locale               string // State is the GraphQL enum
	Verified                    bool
	Tags                        []string
	Orders                      int
	Spent, Currency             string
	Address                     *fxAddress
	EmailState, EmailLevel      string
	EmailAt                     time.Time
	SMSState, SMSLevel, SMSFrom string
	SMSAt                       time.Time
	Created, Updated            time.Time
}

func (c fxCustomer) node() fakeNode {
	var emailAddr, phoneNum any
	if c.Email != "" {
		emailAddr = map[string]any{"emailAddress": c.Email, "marketingState": c.EmailState, "marketingOptInLevel": orNull(c.EmailLevel), "marketingUpdatedAt": gqlTime(c.EmailAt)}
	}
	if c.Phone != "" {
		phoneNum = map[string]any{"phoneNumber": c.Phone, "marketingState": c.SMSState, "marketingOptInLevel": orNull(c.SMSLevel), "marketingUpdatedAt": gqlTime(c.SMSAt), "marketingCollectedFrom": orNull(c.SMSFrom)}
	}
	return fakeNode{GID: "gid://shopify/Customer/" + strconv.FormatInt(c.ID, 10), UpdatedAt: c.Updated, Fields: map[string]any{
		"legacyResourceId": strconv.FormatInt(c.ID, 10), "firstName": orNull(c.First), "lastName": orNull(c.Last),
		"state": c.State, "verifiedEmail": c.Verified, "locale": c.Locale, "tags": append([]string{}, c.Tags...),
		"numberOfOrders": strconv.Itoa(c.Orders), "amountSpent": map[string]any{"amount": gqlDecimal(c.Spent), "currencyCode": c.Currency},
		"defaultAddress": c.Address.gql(), "defaultEmailAddress": emailAddr, "defaultPhoneNumber": phoneNum,
		"createdAt": gqlTime(c.Created),
	}}
}

// webhook is the customer as customers/update carried it before API
// 2025-01, with its consent objects.
func (c fxCustomer) webhook(t *testing.T) []byte {
	t.Helper()
	var emailConsent, smsConsent any
	if c.Email != "" {
		emailConsent = map[string]any{"state": strings.ToLower(c.EmailState), "opt_in_level": orNull(strings.ToLower(c.EmailLevel)), "consent_updated_at": restTime(c.EmailAt)}
	}
	if c.Phone != "" {
		smsConsent = map[string]any{"state": strings.ToLower(c.SMSState), "opt_in_level": orNull(strings.ToLower(c.SMSLevel)), "consent_updated_at": restTime(c.SMSAt), "consent_collected_from": orNull(c.SMSFrom)}
	}
	body, err := json.Marshal(map[string]any{
		"id": c.ID, "email": orNull(c.Email), "phone": orNull(c.Phone), "first_name": orNull(c.First), "last_name": orNull(c.Last),
		"state": strings.ToLower(c.State), "verified_email": c.Verified, "locale": c.Locale, "tags": strings.Join(c.Tags, ", "),
		"orders_count": c.Orders, "total_spent": c.Spent, "currency": c.Currency, "default_address": c.Address.rest(),
		"email_marketing_consent": emailConsent, "sms_marketing_consent": smsConsent,
		"created_at": restTime(c.Created), "updated_at": restTime(c.Updated), "note": nil, "tax_exempt": false,
	})
	require.NoError(t, err)
	return body
}

// ---- tests ----

var (
	annAddress = &fxAddress{First: "Ann", Last: "Lee", Line1: "1 Main St", City: "Ottawa", Province: "Ontario", Zip: "K2P 1L4", Country: "Canada", CountryCode: "CA", Phone: "+16135550100"}
	ann        = &fxPerson{ID: 207119551, Email: "ann@example.com", Phone: "+16135550100", First: "Ann", Last: "Lee"}
)

// placedPaidFulfilled is an order created, paid and fulfilled in the window.
func placedPaidFulfilled() fxOrder {
	return fxOrder{
		ID: 450789469, Number: 1001, Name: "#1001", Email: "ann@example.com", Phone: "+16135550100",
		CheckoutToken: "bd5a8aa1ecd019dd3520ff791ee3a24c", CartToken: "68778783ad298f1c80c3bafcddeea02f", Customer: ann,
		Currency: "USD", Subtotal: "50.00", Discounts: "5.00", Shipping: "4.50", Tax: "3.25", Total: "52.75",
		Codes: []string{"WELCOME5"}, Billing: annAddress, ShipTo: annAddress,
		Lines: []fxLine{
			{ID: 466157049, ProductID: 632910392, VariantID: 39072856, SKU: "MUG-1", Title: "Mug", VariantTitle: "Blue", Quantity: 2, Price: "20.00", Image: "https://cdn.example/mug.png"},
			{ID: 518995019, ProductID: 632910393, VariantID: 49148385, SKU: "TEA-1", Title: "Tea", VariantTitle: "Green", Quantity: 1, Price: "10.00"},
		},
		Financial: "PAID", Fulfillment: "FULFILLED",
		Created: at(10, 5, 0), Processed: at(10, 5, 0), Fulfillments: []time.Time{at(10, 20, 0), at(10, 30, 0)}, Updated: at(10, 31, 0),
		StatusURL: "https://poll-shop.myshopify.com/123/orders/abc/authenticate?key=k", AcceptsMarketing: true,
	}
}

// TestPollerOrdersMatchWebhooks: each polled order yields what the webhook
// normaliser makes of the webhooks of the same order (same keys, customer
// and data), the one-time transitions only when their own time lies in the
// window, and order.updated always.
func TestPollerOrdersMatchWebhooks(t *testing.T) {
	t.Parallel()
	b := setupPoll(t)
	a := placedPaidFulfilled()
	// Placed, paid and fulfilled in August, refunded and cancelled now.
	cancelled := fxOrder{
		ID: 450789470, Number: 1002, Name: "#1002", Email: "bob@example.com", Customer: &fxPerson{ID: 207119552, Email: "bob@example.com", First: "Bob"},
		Currency: "EUR", Subtotal: "10.00", Discounts: "0.00", Shipping: "0.00", Tax: "0.00", Total: "10.00",
		Lines:     []fxLine{{ID: 466157050, ProductID: 632910392, VariantID: 39072856, Title: "Mug", VariantTitle: "Blue", Quantity: 1, Price: "10.00"}},
		Financial: "REFUNDED", Fulfillment: "FULFILLED", CancelReason: "CUSTOMER",
		Created: time.Date(2026, 8, 1, 9, 0, 0, 0, time.UTC), Processed: time.Date(2026, 8, 1, 9, 0, 0, 0, time.UTC),
		Fulfillments: []time.Time{time.Date(2026, 8, 2, 9, 0, 0, 0, time.UTC)},
		Cancelled:    at(10, 40, 0), Updated: at(10, 41, 0),
	}
	// A guest's unpaid order: placed only. Its name comes from the address.
	guest := fxOrder{
		ID: 450789471, Number: 1003, Name: "#1003", Email: "guest@example.com", Currency: "USD",
		Subtotal: "7.00", Discounts: "0.00", Shipping: "0.00", Tax: "0.00", Total: "7.00", Billing: &fxAddress{First: "Gus", Last: "Test", Country: "France", CountryCode: "FR"},
		Lines:     []fxLine{{ID: 466157051, ProductID: 1, VariantID: 2, Title: "Pin", Quantity: 1, Price: "7.00"}},
		Financial: "PENDING", Fulfillment: "UNFULFILLED", Created: at(10, 10, 0), Processed: at(10, 10, 0), Updated: at(10, 10, 0), Test: true,
	}
	// Updated at 11:00:00.2: inside the window, which ends at 11:00:00.5,
	// though after the whole second.
	late := guest
	late.ID, late.Number, late.Name, late.Created, late.Processed, late.Updated = 450789472, 1004, "#1004", at(9, 0, 0), at(9, 0, 0), at(11, 0, 0).Add(200*time.Millisecond)
	// Outside the window on either side, though in the search's whole
	// seconds: 10:00:00.1 and 11:00:00.7.
	before, after := guest, guest
	before.ID, before.Updated = 450789473, at(10, 0, 0).Add(100*time.Millisecond)
	after.ID, after.Updated = 450789474, at(11, 0, 0).Add(700*time.Millisecond)
	old := guest
	old.ID, old.Updated = 450789475, at(9, 0, 0)
	for _, o := range []fxOrder{a, cancelled, guest, late, before, after, old} {
		b.fake.addNodes(pollDomain, "orders", o.node())
	}
	// Another shop's order, in the window: never this shop's.
	stranger := guest
	stranger.ID = 990000001
	b.fake.addNodes("other-shop.myshopify.com", "orders", stranger.node())

	got, err := b.changes(t, b.poller(t, nil), reconcile.Window{Since: winSince, Until: winUntil})
	require.NoError(t, err)

	var want []*event.Event
	for _, c := range []struct {
		o      fxOrder
		topics []string
	}{
		{guest, []string{"orders/create", "orders/updated"}},
		{a, []string{"orders/create", "orders/paid", "orders/fulfilled", "orders/updated"}},
		{cancelled, []string{"orders/cancelled", "orders/updated"}},
		{late, []string{"orders/updated"}},
	} {
		for _, topic := range c.topics {
			want = append(want, webhookEvents(t, b.shop, topic, c.o.webhook(t))...)
		}
	}
	require.Equal(t, views(want), views(got))
	ids := map[string]bool{}
	for _, ev := range got {
		o := map[string]fxOrder{"450789469": a, "450789470": cancelled, "450789471": guest, "450789472": late}[ev.Data.(*event.Order).ID]
		requirePolled(t, ev, strconv.FormatInt(o.ID, 10), o.Updated)
		require.False(t, ids[ev.ID], "event ids are distinct")
		ids[ev.ID] = true
	}

	// The values behind the comparison, spelled out once.
	placed := got[2]
	require.Equal(t, event.OrderPlaced, placed.Type)
	require.Equal(t, "order.placed:poll-shop:450789469", placed.Key)
	o := placed.Data.(*event.Order)
	require.Equal(t, "bd5a8aa1ecd019dd3520ff791ee3a24c", o.CheckoutToken)
	require.Equal(t, event.Decimal("52.75"), o.Total)
	require.Equal(t, event.Decimal("4.50"), o.TotalShipping)
	require.Equal(t, "paid", o.FinancialStatus)
	require.Equal(t, "fulfilled", o.FulfillmentStatus)
	require.Equal(t, at(10, 30, 0), *o.FulfilledAt)
	require.Equal(t, "https://cdn.example/mug.png", o.LineItems[0].ImageURL)
	require.Equal(t, "632910392", o.LineItems[0].ProductID)
	require.Equal(t, event.Decimal("20.00"), o.LineItems[0].Price)
	require.Equal(t, &event.Customer{ID: "207119551", Email: "ann@example.com", Phone: "+16135550100", FirstName: "Ann", LastName: "Lee"}, placed.Customer)
	require.Equal(t, "order.updated:poll-shop:450789470@2026-09-01T10:41:00Z", got[7].Key)
	require.Equal(t, "customer", got[7].Data.(*event.Order).CancelReason)
	require.Equal(t, "Gus", got[0].Customer.FirstName)

	// No checkout or customer query without the window asking for them.
	require.Zero(t, b.fake.pollCalls("abandonedCheckouts"))
	require.Zero(t, b.fake.pollCalls("customers"))
	require.Equal(t, "updated_at:>='2026-09-01T10:00:00Z' updated_at:<'2026-09-01T11:00:01Z'", b.fake.pollVars()[0]["query"])
}

// TestPollerOldOrderUpdatedToday: an order placed, paid, fulfilled and
// cancelled before the window and updated in it is order.updated only; the
// processor forgets one-time keys after a week, so it must not be placed
// again.
func TestPollerOldOrderUpdatedToday(t *testing.T) {
	t.Parallel()
	b := setupPoll(t)
	o := placedPaidFulfilled()
	day := 24 * time.Hour
	o.Created, o.Processed, o.Fulfillments = at(10, 5, 0).Add(-30*day), at(10, 5, 0).Add(-30*day), []time.Time{at(10, 30, 0).Add(-29 * day)}
	o.Cancelled, o.CancelReason, o.Financial = at(10, 0, 0).Add(-day), "OTHER", "REFUNDED"
	b.fake.addNodes(pollDomain, "orders", o.node())

	got, err := b.changes(t, b.poller(t, nil), reconcile.Window{Since: winSince, Until: winUntil})
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.Equal(t, event.OrderUpdated, got[0].Type)
	require.Equal(t, views(webhookEvents(t, b.shop, "orders/updated", o.webhook(t))), views(got))

	// The same order polled over a window holding its whole history: every
	// transition, each with the key its webhook has.
	got, err = b.changes(t, b.poller(t, nil), reconcile.Window{Since: o.Created.Add(-time.Hour)})
	require.NoError(t, err)
	var types []event.Type
	for _, ev := range got {
		types = append(types, ev.Type)
	}
	require.Equal(t, []event.Type{event.OrderPlaced, event.OrderPaid, event.OrderFulfilled, event.OrderCancelled, event.OrderUpdated}, types)
	require.Equal(t, "order.cancelled:poll-shop:450789469", got[3].Key)
	require.Equal(t, "updated_at:>='2026-08-02T09:05:00Z'", b.fake.pollVars()[1]["query"], "no upper bound without Until")
}

// TestPollerPaging: every page of orders and every page of a long order's
// line items is read, in updated_at order, and page sizes are as
// configured.
func TestPollerPaging(t *testing.T) {
	t.Parallel()
	b := setupPoll(t)
	const n = 23
	var long fxOrder
	for i := range n {
		o := placedPaidFulfilled()
		o.ID, o.Number = int64(5000+i), int64(2000+i)
		// Added out of order; updated_at order is i's order.
		o.Updated = at(10, 10, 0).Add(time.Duration((i*7)%n) * time.Minute)
		if i == 11 {
			o.Lines = nil
			for l := range 7 {
				o.Lines = append(o.Lines, fxLine{ID: int64(70 + l), ProductID: 1, VariantID: int64(100 + l), Title: "Line " + strconv.Itoa(l), Quantity: l + 1, Price: "1.50"})
			}
			long = o
		}
		b.fake.addNodes(pollDomain, "orders", o.node())
	}
	p := b.poller(t, func(c *shopify.PollerConfig) { c.OrderPageSize, c.LineItemPageSize = 5, 2 })
	got, err := b.changes(t, p, reconcile.Window{Since: winSince, Until: winUntil})
	require.NoError(t, err)

	var updated []*event.Event
	for _, ev := range got {
		if ev.Type == event.OrderUpdated {
			updated = append(updated, ev)
		}
	}
	require.Len(t, updated, n)
	seen := map[string]bool{}
	for i, ev := range updated {
		o := ev.Data.(*event.Order)
		require.False(t, seen[o.ID], "order %s listed twice", o.ID)
		seen[o.ID] = true
		if i > 0 {
			require.False(t, o.UpdatedAt.Before(updated[i-1].Data.(*event.Order).UpdatedAt), "oldest change first")
		}
		if o.ID == strconv.FormatInt(long.ID, 10) {
			require.Len(t, o.LineItems, 7)
			for l, li := range o.LineItems {
				require.Equal(t, strconv.Itoa(70+l), li.ID)
				require.Equal(t, l+1, li.Quantity)
			}
			require.Equal(t, views(webhookEvents(t, b.shop, "orders/updated", long.webhook(t))), views([]*event.Event{ev}))
		} else {
			require.Len(t, o.LineItems, 2)
		}
	}
	require.Equal(t, 5, b.fake.pollCalls("orders"), "23 orders in pages of 5")
	require.Equal(t, 1, b.fake.pollCalls("node"), "7 lines: 2 with the page, the other 5 in one more query")
	for _, v := range b.fake.pollVars() {
		if _, ok := v["lineItems"]; ok {
			require.InDelta(t, 5, v["first"], 0)
			require.InDelta(t, 2, v["lineItems"], 0)
		} else {
			require.InDelta(t, shopify.MoreLineItemsPageSize, v["first"], 0)
			require.Equal(t, "gid://shopify/Order/5011", v["id"])
		}
	}
}

// TestPollerCheckouts: open abandoned checkouts become checkout.updated as
// their checkouts/update webhook does, keyed on the token read from the
// recovery URL (both URL shapes); completed ones and those nobody can be
// reached at are skipped.
func TestPollerCheckouts(t *testing.T) {
	t.Parallel()
	b := setupPoll(t)
	lines := []fxLine{{ID: 1, ProductID: 632910392, VariantID: 39072856, SKU: "MUG-1", Title: "Mug", VariantTitle: "Blue", Quantity: 2, Price: "19.90", Image: "https://cdn.example/mug.png"}}
	newURL := fxCheckout{
		ID: 100, Token: "hWN3KpL7Zq9fXa2b", URL: "https://poll-shop.myshopify.com/548380009/checkouts/ac/hWN3KpL7Zq9fXa2b/recover?key=9f2d&locale=en-US",
		Customer: &fxPerson{ID: 207119551, Email: "ann@example.com", First: "Ann", Last: "Lee", EmailState: "SUBSCRIBED"},
		Currency: "USD", Presentment: "CAD", Subtotal: "39.80", Total: "44.80", Lines: lines, Billing: annAddress,
		Created: at(10, 1, 0), Updated: at(10, 2, 0),
	}
	oldURL := fxCheckout{
		ID: 101, Token: "0d6ffa5a2b3c4d5e6f708192a3b4c5d6", URL: "https://poll-shop.myshopify.com/548380009/checkouts/0d6ffa5a2b3c4d5e6f708192a3b4c5d6/recover?key=ab",
		Customer: &fxPerson{ID: 207119553, Phone: "+33612345678", SMSState: "SUBSCRIBED"},
		Currency: "EUR", Presentment: "EUR", Subtotal: "19.90", Total: "19.90", Lines: lines,
		Created: at(10, 3, 0), Updated: at(10, 4, 0),
	}
	completed := newURL
	completed.ID, completed.Token, completed.Completed = 102, "doneToken", at(10, 6, 0)
	completed.URL = strings.ReplaceAll(newURL.URL, newURL.Token, completed.Token)
	unreachable := oldURL
	unreachable.ID, unreachable.Customer = 103, nil
	outside := newURL
	outside.ID, outside.Updated = 104, at(9, 59, 59)
	for _, c := range []fxCheckout{completed, oldURL, newURL, unreachable, outside} {
		b.fake.addNodes(pollDomain, "abandonedCheckouts", c.node())
	}

	got, err := b.changes(t, b.poller(t, nil), reconcile.Window{Since: winSince, Until: winUntil, Checkouts: true})
	require.NoError(t, err)
	var want []*event.Event
	for _, c := range []fxCheckout{newURL, oldURL} { // sorted by id, as Shopify does
		want = append(want, webhookEvents(t, b.shop, "checkouts/update", c.webhook(t))...)
	}
	require.Equal(t, views(want), views(got))
	requirePolled(t, got[0], newURL.Token, newURL.Updated)
	requirePolled(t, got[1], oldURL.Token, oldURL.Updated)

	require.Equal(t, "checkout.updated:poll-shop:hWN3KpL7Zq9fXa2b@2026-09-01T10:02:00Z", got[0].Key)
	c0 := got[0].Data.(*event.Checkout)
	require.Equal(t, "CAD", c0.Currency)
	require.Equal(t, event.Decimal("44.80"), c0.Total)
	require.Equal(t, "ann@example.com", c0.Email)
	require.True(t, c0.AcceptsEmailMarketing)
	require.False(t, c0.AcceptsSMSMarketing)
	require.Equal(t, newURL.URL, c0.RecoveryURL)
	require.Equal(t, event.Decimal("19.90"), c0.LineItems[0].Price)
	c1 := got[1].Data.(*event.Checkout)
	require.Equal(t, "0d6ffa5a2b3c4d5e6f708192a3b4c5d6", c1.Token)
	require.True(t, c1.AcceptsSMSMarketing)
	require.Equal(t, "+33612345678", got[1].Customer.Phone)
	require.Equal(t, 1, b.fake.pollCalls("abandonedCheckouts"))
	require.Equal(t, 1, b.fake.pollCalls("orders"))
}

// TestPollerCustomers: customers become customer.updated as the
// customers/update webhook makes it, with the email and SMS consent the
// current webhook lacks.
func TestPollerCustomers(t *testing.T) {
	t.Parallel()
	b := setupPoll(t)
	full := fxCustomer{
		ID: 207119551, Email: "ann@example.com", Phone: "+16135550100", First: "Ann", Last: "Lee", State: "ENABLED", Locale: "en-CA",
		Verified: true, Tags: []string{"vip", "newsletter"}, Orders: 3, Spent: "128.00", Currency: "CAD", Address: annAddress,
		EmailState: "SUBSCRIBED", EmailLevel: "CONFIRMED_OPT_IN", EmailAt: at(9, 0, 0),
		SMSState: "UNSUBSCRIBED", SMSLevel: "SINGLE_OPT_IN", SMSFrom: "SHOPIFY", SMSAt: at(9, 30, 0),
		Created: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), Updated: at(10, 20, 0),
	}
	bare := fxCustomer{
		ID: 207119552, Email: "bob@example.com", State: "DISABLED", Currency: "CAD", Spent: "0.00",
		EmailState: "NOT_SUBSCRIBED", Created: at(10, 21, 0), Updated: at(10, 21, 0),
	}
	other := bare
	other.ID, other.Updated = 207119553, at(11, 30, 0)
	for _, c := range []fxCustomer{bare, other, full} {
		b.fake.addNodes(pollDomain, "customers", c.node())
	}
	p := b.poller(t, func(c *shopify.PollerConfig) { c.CustomerPageSize = 1 })
	got, err := b.changes(t, p, reconcile.Window{Since: winSince, Until: winUntil, Customers: true})
	require.NoError(t, err)

	var want []*event.Event
	for _, c := range []fxCustomer{full, bare} {
		want = append(want, webhookEvents(t, b.shop, "customers/update", c.webhook(t))...)
	}
	require.Equal(t, views(want), views(got))
	requirePolled(t, got[0], "207119551", full.Updated)
	d := got[0].Data.(*event.CustomerData)
	require.Equal(t, &event.ConsentState{State: "subscribed", OptInLevel: "confirmed_opt_in", UpdatedAt: at(9, 0, 0)}, d.EmailConsent)
	require.Equal(t, &event.ConsentState{State: "unsubscribed", OptInLevel: "single_opt_in", UpdatedAt: at(9, 30, 0)}, d.SMSConsent)
	require.Equal(t, 3, *d.OrdersCount)
	require.Equal(t, []string{"vip", "newsletter"}, d.Tags)
	require.Nil(t, got[1].Data.(*event.CustomerData).SMSConsent)
	require.Equal(t, 2, b.fake.pollCalls("customers"), "two customers in the window, pages of one")
	require.Zero(t, b.fake.pollCalls("abandonedCheckouts"))
}

// TestPollerThrottled: a THROTTLED answer is waited out for the time the
// bucket needs at its restore rate and the query retried; a served answer
// that leaves the bucket short paces the next request; a shop that stays
// throttled ends the poll with ErrTemporary.
func TestPollerThrottled(t *testing.T) {
	t.Parallel()
	b := setupPoll(t)
	for i := range 3 {
		o := placedPaidFulfilled()
		o.ID, o.Updated = int64(600+i), at(10, 40+i, 0)
		b.fake.addNodes(pollDomain, "orders", o.node())
	}
	b.fake.setPoll(func(p *fakePoll) {
		p.throttle = 1
		p.cost = fakeCost{requested: 800, available: 300, restore: 100}
		p.served = []fakeCost{{requested: 800, available: 150, restore: 100}, {requested: 800, available: 2000, restore: 100}}
	})
	p := b.poller(t, func(c *shopify.PollerConfig) { c.OrderPageSize = 2 })
	got, err := b.changes(t, p, reconcile.Window{Since: winSince, Until: winUntil})
	require.NoError(t, err)
	require.Len(t, got, 3*4, "three orders, four events each")
	// 500 points short at 100/s, then 650 short before the second page.
	require.Equal(t, []time.Duration{5 * time.Second, 6500 * time.Millisecond}, b.waits.all())
	require.Equal(t, 3, b.fake.pollCalls("orders"), "the throttled call, then two pages")

	b2 := setupPoll(t)
	b2.fake.addNodes(pollDomain, "orders", placedPaidFulfilled().node())
	b2.fake.setPoll(func(p *fakePoll) { p.throttle = 100 })
	p2 := b2.poller(t, func(c *shopify.PollerConfig) { c.MaxThrottleRetries, c.MaxThrottleWait = 3, 10*time.Second })
	got, err = b2.changes(t, p2, reconcile.Window{Since: winSince})
	require.Empty(t, got)
	require.ErrorIs(t, err, shopify.ErrTemporary)
	require.NotErrorIs(t, err, shopify.ErrNoAccess)
	var e *shopify.Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, "THROTTLED", e.Code)
	require.Equal(t, "poll orders", e.Op)
	// Without cost figures: one second, doubled each time.
	require.Equal(t, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}, b2.waits.all())
	require.Equal(t, 4, b2.fake.pollCalls("orders"))
}

// TestPollerNoAccess: a revoked token (401), a shop Shopify no longer knows
// (404), a missing scope (ACCESS_DENIED) and a shop without a token end the
// poll at once with ErrNoAccess, which the caller treats as permanent for
// the shop.
func TestPollerNoAccess(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		break_ func(b *pollBundle)
		status int
		code   string
	}{
		{"revoked token", func(b *pollBundle) { b.fake.setTokens(pollDomain, "shpat_other", "") }, http.StatusUnauthorized, ""},
		{"uninstalled shop", func(b *pollBundle) {
			b.fake.setPoll(func(p *fakePoll) { p.gone = map[string]bool{pollDomain: true} })
		}, http.StatusNotFound, ""},
		{"access denied", func(b *pollBundle) { b.fake.setPoll(func(p *fakePoll) { p.denied = true }) }, http.StatusOK, "ACCESS_DENIED"},
		{"no token", func(b *pollBundle) { b.shop.APIToken = "" }, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setupPoll(t)
			b.fake.addNodes(pollDomain, "orders", placedPaidFulfilled().node())
			tc.break_(b)
			got, err := b.changes(t, b.poller(t, nil), reconcile.Window{Since: winSince, Checkouts: true, Customers: true})
			require.Empty(t, got)
			require.ErrorIs(t, err, shopify.ErrNoAccess)
			require.ErrorIs(t, err, shopify.ErrRejected)
			require.NotErrorIs(t, err, shopify.ErrTemporary)
			var e *shopify.Error
			require.ErrorAs(t, err, &e)
			require.Equal(t, tc.status, e.StatusCode)
			require.Equal(t, tc.code, e.Code)
			require.Equal(t, pollDomain, e.Shop)
			require.NotContains(t, err.Error(), pollToken)
			require.Empty(t, b.waits.all(), "no retry")
			require.Zero(t, b.fake.pollCalls("abandonedCheckouts"))
		})
	}
}

// TestPollerStops: a cancelled context ends a throttle wait at once and
// stops paging; emit's error is returned as it is and ends the poll.
func TestPollerStops(t *testing.T) {
	t.Parallel()
	t.Run("cancel during a throttle wait", func(t *testing.T) {
		t.Parallel()
		b := setupPoll(t)
		b.fake.addNodes(pollDomain, "orders", placedPaidFulfilled().node())
		throttled := make(chan struct{}, 1)
		b.fake.setPoll(func(p *fakePoll) {
			p.throttle = 1
			p.cost = fakeCost{requested: 1000, available: 0, restore: 1} // 1,000 s, capped at a minute
			p.throttled = func() { throttled <- struct{}{} }
		})
		p, err := shopify.NewPoller(shopify.PollerConfig{Client: b.client}) // the real timer
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			done <- p.Changes(ctx, b.shop, reconcile.Window{Since: winSince}, func(*event.Event) error { return nil })
		}()
		select {
		case <-throttled:
		case <-time.After(10 * time.Second):
			t.Fatal("no throttled answer")
		}
		cancel()
		select {
		case err := <-done:
			require.ErrorIs(t, err, context.Canceled)
		case <-time.After(10 * time.Second):
			t.Fatal("Changes kept waiting after the context was cancelled")
		}
		require.Equal(t, 1, b.fake.pollCalls("orders"))
	})
	t.Run("cancel while emitting", func(t *testing.T) {
		t.Parallel()
		b := setupPoll(t)
		for i := range 3 {
			o := placedPaidFulfilled()
			o.ID, o.Updated = int64(700+i), at(10, 40+i, 0)
			b.fake.addNodes(pollDomain, "orders", o.node())
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var n int
		err := b.poller(t, func(c *shopify.PollerConfig) { c.OrderPageSize = 1 }).Changes(ctx, b.shop, reconcile.Window{Since: winSince}, func(*event.Event) error {
			n++
			cancel()
			return nil
		})
		require.ErrorIs(t, err, context.Canceled)
		require.Equal(t, 1, n, "the first event, then nothing")
		require.Equal(t, 1, b.fake.pollCalls("orders"))
	})
	t.Run("emit error", func(t *testing.T) {
		t.Parallel()
		b := setupPoll(t)
		b.fake.addNodes(pollDomain, "orders", placedPaidFulfilled().node())
		b.fake.addNodes(pollDomain, "customers", fxCustomer{ID: 1, Email: "a@example.com", EmailState: "SUBSCRIBED", Updated: at(10, 30, 0)}.node())
		stop := errors.New("JetStream is away")
		var n int
		err := b.poller(t, nil).Changes(context.Background(), b.shop, reconcile.Window{Since: winSince, Customers: true}, func(*event.Event) error {
			n++
			return stop
		})
		require.Same(t, stop, err)
		require.Equal(t, 1, n)
		require.Zero(t, b.fake.pollCalls("customers"))
	})
}

// TestNewPoller: the config is checked and defaulted.
func TestNewPoller(t *testing.T) {
	t.Parallel()
	b := setupPoll(t)
	_, err := shopify.NewPoller(shopify.PollerConfig{})
	require.ErrorContains(t, err, "Client is required")
	_, err = shopify.NewPoller(shopify.PollerConfig{Client: b.client, OrderPageSize: 51})
	require.ErrorContains(t, err, "OrderPageSize 51 is not within 1 to 50")
	_, err = shopify.NewPoller(shopify.PollerConfig{Client: b.client, MaxThrottleWait: -time.Second})
	require.ErrorContains(t, err, "negative")
	p, err := shopify.NewPoller(shopify.PollerConfig{Client: b.client})
	require.NoError(t, err)
	err = p.Changes(context.Background(), b.shop, reconcile.Window{Since: winUntil, Until: winSince}, func(*event.Event) error { return nil })
	require.ErrorContains(t, err, "is not after since")
	require.Zero(t, b.fake.pollCalls("orders"))
}
