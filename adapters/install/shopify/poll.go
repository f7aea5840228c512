package shopify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/adapters/reconcile"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	shopifyhook "github.com/boomerang-dev/boomerang/adapters/shopify"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// ErrNoAccess: Shopify refused the shop's access token or does not serve
// the shop (HTTP 401, 402, 403, 404 or 423, or a GraphQL ACCESS_DENIED
// error). The app was uninstalled, the token revoked or expired, a scope or
// the protected customer data approval is missing, or the shop is closed,
// frozen for an unpaid bill or locked. Polling the shop again cannot succeed
// until it is installed again, its token refreshed or its access granted, so
// a reconciler stops polling it and says why. It wraps ErrRejected.
var ErrNoAccess = fmt.Errorf("the shop's Admin API refuses the app (uninstalled, token revoked or expired, or access missing): %w", ErrRejected)

// Operation names of the poller's calls, in errors.
const (
	opPollOrders    = "poll orders"
	opPollCheckouts = "poll checkouts"
	opPollCustomers = "poll customers"
	opPollLineItems = "poll line items"
	gqlAccessDenied = "ACCESS_DENIED"
	// pollDeliveryPrefix starts every polled event's Source.DeliveryID.
	pollDeliveryPrefix = "poll:"
	// pollMaxPages stops a list that never ends (a misbehaving server); the
	// context bounds a long one.
	pollMaxPages = 1_000_000
	// minThrottleWait is the shortest wait after a throttled answer.
	minThrottleWait = 100 * time.Millisecond
	// throttleBackoff is the first wait after a throttled answer that says
	// nothing of the bucket; it doubles with each one in a row.
	throttleBackoff = time.Second
)

// Poller is the Shopify reconcile.Source: it lists a shop's orders,
// abandoned checkouts and customers changed in a window through the GraphQL
// Admin API and turns each into the events its webhooks would have made, by
// rewriting the GraphQL node as the webhook's REST-shaped body and running
// the webhook normaliser (adapters/shopify) on it. Keys are therefore those
// of a webhook by construction. It is safe for concurrent use.
type Poller struct {
	cfg     PollerConfig
	adapter *shopifyhook.Adapter
}

var _ reconcile.Source = (*Poller)(nil)

// NewPoller returns a Poller, or an error when cfg is incomplete or invalid.
func NewPoller(cfg PollerConfig) (*Poller, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	return &Poller{cfg: cfg, adapter: shopifyhook.New()}, nil
}

// Changes implements reconcile.Source. It lists orders (sorted by
// updated_at), then abandoned checkouts when w.Checkouts (Shopify sorts them
// by id only), then customers when w.Customers (by updated_at). For each
// order it emits order.placed, order.paid, order.fulfilled and
// order.cancelled when the transition's own time lies in w, then
// order.updated. s needs Domain and APIToken (and APIURL when the shop has
// its own). Errors are an *Error (ErrNoAccess for a shop that refuses the
// app, ErrTemporary when Shopify stays throttled or fails), ctx.Err(), or
// emit's error as it was returned.
func (p *Poller) Changes(ctx context.Context, s *shop.Shop, w reconcile.Window, emit func(*event.Event) error) error {
	if s == nil {
		return errors.New("shopify poller: no shop")
	}
	if !w.Until.IsZero() && !w.Until.After(w.Since) {
		return fmt.Errorf("shopify poller: window until %s is not after since %s", w.Until.Format(time.RFC3339Nano), w.Since.Format(time.RFC3339Nano))
	}
	ss := &session{p: p, s: s}
	if err := ss.orders(ctx, w, emit); err != nil {
		return err
	}
	if w.Checkouts {
		if err := ss.checkouts(ctx, w, emit); err != nil {
			return err
		}
	}
	if w.Customers {
		if err := ss.customers(ctx, w, emit); err != nil {
			return err
		}
	}
	return nil
}

// session is one Changes call: the shop, and how long the cost bucket asks
// the next request to wait.
type session struct {
	p     *Poller
	s     *shop.Shop
	pause time.Duration
}

// updatedQuery is the search query of a window: updated_at at or after
// Since, rounded down to the second, and before Until, rounded up, so no
// change is lost to the rounding. Callers drop the nodes outside w.
func updatedQuery(w reconcile.Window) string {
	var parts []string
	if !w.Since.IsZero() {
		parts = append(parts, "updated_at:>='"+w.Since.UTC().Truncate(time.Second).Format(time.RFC3339)+"'")
	}
	if !w.Until.IsZero() {
		until := w.Until.UTC()
		if t := until.Truncate(time.Second); !t.Equal(until) {
			until = t.Add(time.Second)
		}
		parts = append(parts, "updated_at:<'"+until.Format(time.RFC3339)+"'")
	}
	return strings.Join(parts, " ")
}

// pageInfo is a connection's paging state.
//
//nolint:tagliatelle // Shopify's GraphQL names
type pageInfo struct {
	HasNextPage bool   `json:"hasNextPage"`
	EndCursor   string `json:"endCursor"`
}

// connection is one page of a GraphQL connection.
//
//nolint:tagliatelle // Shopify's GraphQL names
type connection[T any] struct {
	Nodes    []T      `json:"nodes"`
	PageInfo pageInfo `json:"pageInfo"`
}

// eachPage runs a connection query named root page by page, setting
// "after" in vars, and calls each for every node in order.
func eachPage[T any](ctx context.Context, ss *session, op, doc, root string, vars map[string]any, each func(*T) error) error {
	var after any // null on the first page
	for range pollMaxPages {
		vars["after"] = after
		var d map[string]*connection[T]
		if err := ss.query(ctx, op, doc, vars, &d); err != nil {
			return err
		}
		page := d[root]
		if page == nil {
			return ss.malformed(op, fmt.Errorf("the GraphQL data lacks %s", root))
		}
		for i := range page.Nodes {
			if err := each(&page.Nodes[i]); err != nil {
				return err
			}
		}
		if !page.PageInfo.HasNextPage {
			return nil
		}
		if page.PageInfo.EndCursor == "" || page.PageInfo.EndCursor == after {
			return ss.malformed(op, errors.New("hasNextPage without a new endCursor"))
		}
		after = page.PageInfo.EndCursor
	}
	return ss.malformed(op, fmt.Errorf("more than %d pages", pollMaxPages))
}

// malformed is the error of an answer the poller cannot use.
func (ss *session) malformed(op string, err error) *Error {
	return &Error{Op: op, Shop: ss.s.Domain, Kind: ErrMalformed, Err: err}
}

// query posts one GraphQL document and decodes its data into out. It
// waits, honouring ctx, as long as the last answer's cost asks, and waits
// out THROTTLED answers (and HTTP 429) up to MaxThrottleRetries in a row.
func (ss *session) query(ctx context.Context, op, doc string, vars map[string]any, out any) error {
	fail := func(kind error, status int, cause error) *Error {
		return &Error{Op: op, Shop: ss.s.Domain, StatusCode: status, Kind: kind, Err: cause}
	}
	if ss.s.APIToken == "" {
		return fail(ErrNoAccess, 0, errors.New("the shop has no access token"))
	}
	c := ss.p.cfg.Client
	base, err := c.BaseURL(ss.s.Domain, ss.s.APIURL)
	if err != nil {
		return fail(ErrRejected, 0, err)
	}
	body, err := json.Marshal(map[string]any{"query": doc, "variables": vars})
	if err != nil {
		return fail(ErrRejected, 0, err)
	}
	target := base + "/admin/api/" + c.cfg.APIVersion + "/graphql.json"
	for throttled := 0; ; {
		if ss.pause > 0 {
			if err := ss.p.cfg.Wait(ctx, ss.pause); err != nil {
				return err
			}
			ss.pause = 0
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		status, answer, err := c.post(ctx, target, ss.s.APIToken, body)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fail(ErrTemporary, 0, err)
		}
		a, err := parsePollAnswer(status, answer)
		if err != nil {
			if e, ok := errors.AsType[*Error](err); ok {
				e.Op, e.Shop, e.StatusCode = op, ss.s.Domain, status
				return e
			}
			return fail(ErrMalformed, status, err)
		}
		if a.throttled {
			throttled++
			if throttled > ss.p.cfg.MaxThrottleRetries {
				e := fail(ErrTemporary, status, nil)
				e.Code = gqlThrottled
				e.addMessage(fmt.Sprintf("still throttled after %d waits", ss.p.cfg.MaxThrottleRetries))
				return e
			}
			ss.pause = a.cost.throttleWait(throttled, ss.p.cfg.MaxThrottleWait)
			ss.p.cfg.Logger.Info("shopify poll throttled", zap.String("shop", ss.s.Domain), zap.String("op", op),
				zap.Int("attempt", throttled), zap.Duration("wait", ss.pause))
			continue
		}
		ss.pause = a.cost.paceWait(ss.p.cfg.MaxThrottleWait)
		if err := json.Unmarshal(a.data, out); err != nil {
			return fail(ErrMalformed, status, errors.New("the GraphQL data is not the documented shape"))
		}
		return nil
	}
}

// queryCost is an answer's extensions.cost.
//
//nolint:tagliatelle // Shopify's GraphQL names
type queryCost struct {
	RequestedQueryCost float64 `json:"requestedQueryCost"`
	ThrottleStatus     struct {
		MaximumAvailable   float64 `json:"maximumAvailable"`
		CurrentlyAvailable float64 `json:"currentlyAvailable"`
		RestoreRate        float64 `json:"restoreRate"`
	} `json:"throttleStatus"`
}

// usable reports whether the bucket figures can be computed with.
func (c *queryCost) usable() bool {
	if c == nil {
		return false
	}
	ts := c.ThrottleStatus
	for _, v := range []float64{c.RequestedQueryCost, ts.CurrentlyAvailable, ts.RestoreRate} {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return false
		}
	}
	return ts.RestoreRate > 0
}

// deficit is how long the bucket takes to hold the query's requested cost
// again, unbounded.
func (c *queryCost) deficit() float64 {
	return (c.RequestedQueryCost - c.ThrottleStatus.CurrentlyAvailable) / c.ThrottleStatus.RestoreRate
}

// throttleWait is the wait after the attempt-th throttled answer in a row:
// the time the bucket needs to refill the query's cost at the restore rate,
// or, when the answer says nothing usable of the bucket, one second doubled
// per attempt; at least minThrottleWait, at most limit.
func (c *queryCost) throttleWait(attempt int, limit time.Duration) time.Duration {
	var d time.Duration
	if c.usable() {
		d = seconds(c.deficit(), limit)
	} else {
		d = throttleBackoff << min(max(attempt-1, 0), 16)
	}
	return min(max(d, minThrottleWait), limit)
}

// paceWait is the wait before the next request after a served one: none
// while the bucket still holds this query's cost, else the time it takes
// to refill it, at most limit.
func (c *queryCost) paceWait(limit time.Duration) time.Duration {
	if !c.usable() {
		return 0
	}
	return min(seconds(c.deficit(), limit), limit)
}

// seconds converts s seconds to a duration within [0, limit].
func seconds(s float64, limit time.Duration) time.Duration {
	if !(s > 0) {
		return 0
	}
	if s >= limit.Seconds() {
		return limit
	}
	return time.Duration(s * float64(time.Second))
}

// pollAnswer is a parsed GraphQL answer of a poll query.
type pollAnswer struct {
	data      json.RawMessage
	cost      *queryCost
	throttled bool
}

// pollEnvelope is a GraphQL answer with its cost extension.
type pollEnvelope struct {
	Data       json.RawMessage `json:"data"`
	Errors     json.RawMessage `json:"errors"`
	Extensions struct {
		Cost *queryCost `json:"cost"`
	} `json:"extensions"`
}

// parsePollAnswer reads the HTTP status and body of a GraphQL call. A
// THROTTLED error or HTTP 429 is a throttled answer, with the cost when the
// body gives it. Refusals are an *Error: ErrNoAccess for HTTP 401, 402,
// 403, 404 and 423 and ACCESS_DENIED, ErrTemporary for 408, 5xx and internal errors,
// ErrRejected otherwise; an undocumented answer wraps ErrMalformed.
func parsePollAnswer(status int, body []byte) (pollAnswer, error) {
	var env pollEnvelope
	decoded := json.Unmarshal(body, &env) == nil
	a := pollAnswer{cost: env.Extensions.Cost}
	if status == http.StatusTooManyRequests {
		a.throttled = true
		return a, nil
	}
	if status < 200 || status > 299 {
		e := &Error{StatusCode: status, Kind: statusKind(status)}
		if decoded {
			for _, m := range errorsField(env.Errors) {
				e.addMessage(m)
			}
		}
		switch status {
		case http.StatusUnauthorized:
			e.Kind = ErrNoAccess
			e.addMessage("the access token was refused: refresh it, or the app was uninstalled")
		case http.StatusForbidden:
			e.Kind = ErrNoAccess
			e.addMessage("the app lacks a scope or the shop is unavailable")
		case http.StatusNotFound:
			e.Kind = ErrNoAccess
			e.addMessage("the shop does not exist or is closed")
		case http.StatusPaymentRequired, http.StatusLocked:
			e.Kind = ErrNoAccess
			e.addMessage("the shop is frozen or locked")
		}
		return pollAnswer{}, e
	}
	if !decoded {
		return pollAnswer{}, fmt.Errorf("%w: the GraphQL answer is not JSON", ErrMalformed)
	}
	if len(env.Errors) > 0 && string(env.Errors) != "null" {
		_, err := parseGraphQL(body)
		e, ok := errors.AsType[*Error](err)
		if !ok {
			return pollAnswer{}, err
		}
		switch e.Code {
		case gqlThrottled:
			a.throttled = true
			return a, nil
		case gqlAccessDenied:
			e.Kind = ErrNoAccess
		}
		return pollAnswer{}, e
	}
	if len(env.Data) == 0 || string(env.Data) == "null" {
		return pollAnswer{}, fmt.Errorf("%w: the GraphQL answer has neither data nor errors", ErrMalformed)
	}
	a.data = env.Data
	return a, nil
}

// encodeBody writes a REST-shaped body as its webhook's JSON.
func (ss *session) encodeBody(op, id string, body any) ([]byte, error) {
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, ss.malformed(op, fmt.Errorf("encoding the body of %s: %w", id, err))
	}
	return raw, nil
}

// emitWebhook runs the webhook normaliser on a REST-shaped body as if it
// had been delivered under topic, with the synthetic delivery id
// "poll:<topic>:<id>:<updated_at>", and emits its events. A body the
// normaliser refuses is a bug of the mapping, reported as ErrMalformed.
func (ss *session) emitWebhook(ctx context.Context, op, topic, id string, updated time.Time, raw []byte, emit func(*event.Event) error) error {
	h := http.Header{}
	h.Set(shopifyhook.HeaderTopic, topic)
	h.Set(shopifyhook.HeaderWebhookID, pollDeliveryPrefix+topic+":"+id+":"+updated.UTC().Format(time.RFC3339Nano))
	h.Set(shopifyhook.HeaderAPIVersion, ss.p.cfg.Client.cfg.APIVersion)
	res, err := ss.p.adapter.Normalize(ss.s, &ingest.Request{Header: h, Body: raw, ReceivedAt: ss.p.cfg.Now().UTC()})
	if err != nil {
		return ss.malformed(op, fmt.Errorf("normalizing the %s body of %s: %w", topic, id, err))
	}
	for _, m := range res.Messages {
		ev, ok := m.Value.(*event.Event)
		if !ok {
			return ss.malformed(op, fmt.Errorf("%s of %s made a message that is not an event", topic, id))
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := emit(ev); err != nil {
			return err
		}
	}
	return nil
}

// flexString is a GraphQL scalar that Shopify serialises as a string
// (UnsignedInt64, Decimal, ID) but that is read from a JSON number too,
// keeping the number's literal text; null is empty.
type flexString string

// UnmarshalJSON implements json.Unmarshaler.
func (f *flexString) UnmarshalJSON(b []byte) error {
	switch {
	case string(b) == "null":
		*f = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
	case len(b) > 0 && (b[0] == '-' || b[0] >= '0' && b[0] <= '9'):
		*f = flexString(b)
	default:
		return errors.New("want a string or a number")
	}
	return nil
}

// gidTail returns the last path segment of a global id
// ("gid://shopify/Order/450789469" → "450789469"), without a query.
func gidTail(gid string) string {
	gid, _, _ = strings.Cut(gid, "?")
	if i := strings.LastIndexByte(gid, '/'); i >= 0 {
		return gid[i+1:]
	}
	return gid
}

// legacyID is a resource's REST id: its legacyResourceId, else its gid's
// tail.
func legacyID(legacy flexString, gid string) string {
	if legacy != "" {
		return string(legacy)
	}
	return gidTail(gid)
}

// plainDecimal is a decimal without exponent.
var plainDecimal = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// amount writes a GraphQL Decimal as REST does: at least two decimals
// ("10.0" → "10.00", "7" → "7.00"); anything else is kept as sent.
func amount(s flexString) string {
	v := string(s)
	if !plainDecimal.MatchString(v) {
		return v
	}
	whole, frac, _ := strings.Cut(v, ".")
	for len(frac) < 2 {
		frac += "0"
	}
	return whole + "." + frac
}

// lowerEnum writes a GraphQL enum value as REST does ("PARTIALLY_PAID" →
// "partially_paid").
func lowerEnum(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// money is a GraphQL MoneyV2.
//
//nolint:tagliatelle // Shopify's GraphQL names
type money struct {
	Amount       flexString `json:"amount"`
	CurrencyCode string     `json:"currencyCode"`
}

// moneyBag is a GraphQL MoneyBag; a query asks for one of its two sides.
//
//nolint:tagliatelle // Shopify's GraphQL names
type moneyBag struct {
	ShopMoney        *money `json:"shopMoney"`
	PresentmentMoney *money `json:"presentmentMoney"`
}

// shop returns the shop-currency side, nil when absent.
func (b *moneyBag) shop() *money {
	if b == nil {
		return nil
	}
	return b.ShopMoney
}

// presentment returns the buyer-currency side, nil when absent.
func (b *moneyBag) presentment() *money {
	if b == nil {
		return nil
	}
	return b.PresentmentMoney
}

// restAmount is a money's amount as REST writes it, "" for nil.
func (m *money) restAmount() string {
	if m == nil {
		return ""
	}
	return amount(m.Amount)
}

// currency is a money's currency, "" for nil.
func (m *money) currency() string {
	if m == nil {
		return ""
	}
	return m.CurrencyCode
}

// legacyRef is an object asked for its REST id only.
//
//nolint:tagliatelle // Shopify's GraphQL names
type legacyRef struct {
	LegacyResourceID flexString `json:"legacyResourceId"`
}

// id returns the REST id, "" for nil.
func (r *legacyRef) id() string {
	if r == nil {
		return ""
	}
	return string(r.LegacyResourceID)
}

// addressFields is the MailingAddress selection.
const addressFields = `firstName lastName company address1 address2 city province zip country countryCodeV2 phone`

// mailingAddress is a GraphQL MailingAddress.
//
//nolint:tagliatelle // Shopify's GraphQL names
type mailingAddress struct {
	FirstName     string `json:"firstName"`
	LastName      string `json:"lastName"`
	Company       string `json:"company"`
	Address1      string `json:"address1"`
	Address2      string `json:"address2"`
	City          string `json:"city"`
	Province      string `json:"province"`
	Zip           string `json:"zip"`
	Country       string `json:"country"`
	CountryCodeV2 string `json:"countryCodeV2"`
	Phone         string `json:"phone"`
}

// restAddress is a REST address.
type restAddress struct {
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

// rest maps the address, nil for nil.
func (a *mailingAddress) rest() *restAddress {
	if a == nil {
		return nil
	}
	return &restAddress{
		FirstName: a.FirstName, LastName: a.LastName, Company: a.Company,
		Address1: a.Address1, Address2: a.Address2, City: a.City, Province: a.Province,
		Zip: a.Zip, Country: a.Country, CountryCode: a.CountryCodeV2, Phone: a.Phone,
	}
}

// customerRefFields is the selection of the customer nested in orders and
// checkouts. Customer.email and .phone are deprecated since 2025-04 in
// favour of defaultEmailAddress and defaultPhoneNumber.
const customerRefFields = `id legacyResourceId firstName lastName
      defaultEmailAddress { emailAddress marketingState }
      defaultPhoneNumber { phoneNumber marketingState }`

// emailAddress is a GraphQL CustomerEmailAddress.
//
//nolint:tagliatelle // Shopify's GraphQL names
type emailAddress struct {
	EmailAddress        string    `json:"emailAddress"`
	MarketingState      string    `json:"marketingState"`
	MarketingOptInLevel string    `json:"marketingOptInLevel"`
	MarketingUpdatedAt  time.Time `json:"marketingUpdatedAt"`
}

// phoneNumber is a GraphQL CustomerPhoneNumber.
//
//nolint:tagliatelle // Shopify's GraphQL names
type phoneNumber struct {
	PhoneNumber            string    `json:"phoneNumber"`
	MarketingState         string    `json:"marketingState"`
	MarketingOptInLevel    string    `json:"marketingOptInLevel"`
	MarketingUpdatedAt     time.Time `json:"marketingUpdatedAt"`
	MarketingCollectedFrom string    `json:"marketingCollectedFrom"`
}

// address returns the email address, "" for nil.
func (e *emailAddress) address() string {
	if e == nil {
		return ""
	}
	return e.EmailAddress
}

// number returns the phone number, "" for nil.
func (p *phoneNumber) number() string {
	if p == nil {
		return ""
	}
	return p.PhoneNumber
}

// subscribed reports whether a marketing state is SUBSCRIBED.
func subscribed(state string) bool { return strings.EqualFold(strings.TrimSpace(state), "SUBSCRIBED") }

// customerRef is the customer nested in orders and checkouts.
//
//nolint:tagliatelle // Shopify's GraphQL names
type customerRef struct {
	ID                  string        `json:"id"`
	LegacyResourceID    flexString    `json:"legacyResourceId"`
	FirstName           string        `json:"firstName"`
	LastName            string        `json:"lastName"`
	DefaultEmailAddress *emailAddress `json:"defaultEmailAddress"`
	DefaultPhoneNumber  *phoneNumber  `json:"defaultPhoneNumber"`
}

// restCustomerRef is the REST customer nested in orders and checkouts.
type restCustomerRef struct {
	ID        string `json:"id"`
	Email     string `json:"email,omitempty"`
	Phone     string `json:"phone,omitempty"`
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
}

// rest maps the customer, nil for nil.
func (c *customerRef) rest() *restCustomerRef {
	if c == nil {
		return nil
	}
	return &restCustomerRef{
		ID:        legacyID(c.LegacyResourceID, c.ID),
		Email:     c.DefaultEmailAddress.address(),
		Phone:     c.DefaultPhoneNumber.number(),
		FirstName: c.FirstName,
		LastName:  c.LastName,
	}
}

// lineItemFields is the line item selection with the price in the side
// of the MoneyBag named by side (shopMoney for orders, presentmentMoney for
// checkouts).
func lineItemFields(side string) string {
	return `id sku title variantTitle quantity
        originalUnitPriceSet { ` + side + ` { amount currencyCode } }
        image { url }
        product { legacyResourceId }
        variant { legacyResourceId }`
}

// lineItem is a GraphQL LineItem or AbandonedCheckoutLineItem.
//
//nolint:tagliatelle // Shopify's GraphQL names
type lineItem struct {
	ID                   string     `json:"id"`
	SKU                  string     `json:"sku"`
	Title                string     `json:"title"`
	VariantTitle         string     `json:"variantTitle"`
	Quantity             int        `json:"quantity"`
	OriginalUnitPriceSet *moneyBag  `json:"originalUnitPriceSet"`
	Image                *image     `json:"image"`
	Product              *legacyRef `json:"product"`
	Variant              *legacyRef `json:"variant"`
}

// image is a GraphQL Image asked for its URL.
type image struct {
	URL string `json:"url"`
}

// restLineItem is a REST line item.
type restLineItem struct {
	ID           string `json:"id,omitempty"`
	Key          string `json:"key,omitempty"`
	ProductID    string `json:"product_id,omitempty"`
	VariantID    string `json:"variant_id,omitempty"`
	SKU          string `json:"sku,omitempty"`
	Title        string `json:"title,omitempty"`
	VariantTitle string `json:"variant_title,omitempty"`
	Quantity     int    `json:"quantity"`
	Price        string `json:"price,omitempty"`
	Image        string `json:"image,omitempty"`
}

// rest maps a line; price is its unit price before discounts in the side
// the query asked for.
func (li *lineItem) rest(price *money) restLineItem {
	out := restLineItem{
		ID:           gidTail(li.ID),
		ProductID:    li.Product.id(),
		VariantID:    li.Variant.id(),
		SKU:          li.SKU,
		Title:        li.Title,
		VariantTitle: li.VariantTitle,
		Quantity:     li.Quantity,
		Price:        price.restAmount(),
	}
	if li.Image != nil {
		out.Image = li.Image.URL
	}
	return out
}

// lineItemsQuery reads the line items after the first page of one order or
// abandoned checkout, through the node query.
func lineItemsQuery() string {
	return `query pollLineItems($id: ID!, $first: Int!, $after: String) {
  node(id: $id) {
    ... on Order {
      lineItems(first: $first, after: $after) {
        nodes { ` + lineItemFields("shopMoney") + ` }
        pageInfo { hasNextPage endCursor }
      }
    }
    ... on AbandonedCheckout {
      lineItems(first: $first, after: $after) {
        nodes { ` + lineItemFields("presentmentMoney") + ` }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}`
}

// allLineItems returns first's nodes and, when first has more, every
// further page of the resource's line items.
func (ss *session) allLineItems(ctx context.Context, gid string, first connection[lineItem]) ([]lineItem, error) {
	items := first.Nodes
	next := first.PageInfo
	doc := lineItemsQuery()
	for range pollMaxPages {
		if !next.HasNextPage {
			return items, nil
		}
		if next.EndCursor == "" {
			return nil, ss.malformed(opPollLineItems, errors.New("hasNextPage without an endCursor"))
		}
		var d struct {
			Node *struct {
				LineItems *connection[lineItem] `json:"lineItems"` //nolint:tagliatelle // Shopify's name
			} `json:"node"`
		}
		vars := map[string]any{"id": gid, "first": MoreLineItemsPageSize, "after": next.EndCursor}
		if err := ss.query(ctx, opPollLineItems, doc, vars, &d); err != nil {
			return nil, err
		}
		if d.Node == nil || d.Node.LineItems == nil {
			return nil, ss.malformed(opPollLineItems, fmt.Errorf("no line items for %s", gid))
		}
		if d.Node.LineItems.PageInfo.HasNextPage && d.Node.LineItems.PageInfo.EndCursor == next.EndCursor {
			return nil, ss.malformed(opPollLineItems, errors.New("the endCursor did not move"))
		}
		items = append(items, d.Node.LineItems.Nodes...)
		next = d.Node.LineItems.PageInfo
	}
	return nil, ss.malformed(opPollLineItems, fmt.Errorf("more than %d pages", pollMaxPages))
}
