package shopify

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/boomerang-dev/boomerang/adapters/reconcile"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// topicCheckoutsUpdate is the checkout topic the poller stands in for.
const topicCheckoutsUpdate = "checkouts/update"

// checkoutsQuery lists the abandoned checkouts changed in a window. The
// connection sorts by id at best (AbandonedCheckoutSortKeys has no
// UPDATED_AT). Amounts are the buyer's currency (presentmentMoney), the
// currency adapters/shopify gives a checkout; the shop's currency code comes
// along for REST's currency field.
func checkoutsQuery() string {
	const bag = `{ shopMoney { currencyCode } presentmentMoney { amount currencyCode } }`
	return `query pollCheckouts($first: Int!, $after: String, $query: String, $lineItems: Int!) {
  abandonedCheckouts(first: $first, after: $after, query: $query) {
    nodes {
      id abandonedCheckoutUrl completedAt createdAt updatedAt
      customer { ` + customerRefFields + ` }
      billingAddress { ` + addressFields + ` }
      shippingAddress { ` + addressFields + ` }
      subtotalPriceSet ` + bag + `
      totalPriceSet ` + bag + `
      lineItems(first: $lineItems) {
        nodes { ` + lineItemFields("presentmentMoney") + ` }
        pageInfo { hasNextPage endCursor }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}`
}

// checkoutNode is one node of the abandonedCheckouts query.
//
//nolint:tagliatelle // Shopify's GraphQL names
type checkoutNode struct {
	ID                   string               `json:"id"`
	AbandonedCheckoutURL string               `json:"abandonedCheckoutUrl"`
	CompletedAt          time.Time            `json:"completedAt"`
	CreatedAt            time.Time            `json:"createdAt"`
	UpdatedAt            time.Time            `json:"updatedAt"`
	Customer             *customerRef         `json:"customer"`
	BillingAddress       *mailingAddress      `json:"billingAddress"`
	ShippingAddress      *mailingAddress      `json:"shippingAddress"`
	SubtotalPriceSet     *moneyBag            `json:"subtotalPriceSet"`
	TotalPriceSet        *moneyBag            `json:"totalPriceSet"`
	LineItems            connection[lineItem] `json:"lineItems"`
}

// restCheckout is the REST checkout, as checkouts/update webhooks carry it.
type restCheckout struct {
	ID                       string           `json:"id,omitempty"`
	Token                    string           `json:"token,omitempty"`
	BuyerAcceptsMarketing    bool             `json:"buyer_accepts_marketing"`
	BuyerAcceptsSMSMarketing bool             `json:"buyer_accepts_sms_marketing"`
	Currency                 string           `json:"currency,omitempty"`
	PresentmentCurrency      string           `json:"presentment_currency,omitempty"`
	SubtotalPrice            string           `json:"subtotal_price,omitempty"`
	TotalPrice               string           `json:"total_price,omitempty"`
	LineItems                []restLineItem   `json:"line_items"`
	AbandonedCheckoutURL     string           `json:"abandoned_checkout_url,omitempty"`
	BillingAddress           *restAddress     `json:"billing_address,omitempty"`
	ShippingAddress          *restAddress     `json:"shipping_address,omitempty"`
	Customer                 *restCustomerRef `json:"customer,omitempty"`
	CompletedAt              time.Time        `json:"completed_at,omitzero"`
	CreatedAt                time.Time        `json:"created_at,omitzero"`
	UpdatedAt                time.Time        `json:"updated_at,omitzero"`
}

// maxTokenLen bounds a checkout token read from a recovery URL.
const maxTokenLen = 128

// checkoutToken reads the checkout token from an abandoned checkout's
// recovery URL: the path segment before "recover" under "checkouts", with
// or without the "ac" (or "cn") segment newer URLs carry:
// https://shop.example/12345/checkouts/ac/<token>/recover?key=… or
// https://shop.example/12345/checkouts/<token>/recover?key=…. The
// AbandonedCheckout object has no token field of its own. It returns ""
// when the URL has neither shape or the token has characters other than
// letters, digits, '-' and '_'.
func checkoutToken(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	segs := strings.Split(strings.Trim(u.Path, "/"), "/")
	i := len(segs) - 1
	if i < 2 || segs[i] != "recover" {
		return ""
	}
	tok := segs[i-1]
	j := i - 2
	if (segs[j] == "ac" || segs[j] == "cn") && j > 0 {
		j--
	}
	if segs[j] != "checkouts" || !validToken(tok) {
		return ""
	}
	return tok
}

// validToken reports whether tok is a plausible checkout token.
func validToken(tok string) bool {
	if tok == "" || len(tok) > maxTokenLen {
		return false
	}
	for _, r := range tok {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
		default:
			return false
		}
	}
	return true
}

// rest maps the checkout onto the REST checkout; items are its line items.
// The AbandonedCheckout object has no email, phone, cart token or buyer
// consent of its own: the customer's email and phone stand for the buyer's,
// and buyer_accepts_(sms_)marketing is whether the customer is SUBSCRIBED
// on that channel now.
func (c *checkoutNode) rest(items []lineItem) *restCheckout {
	out := &restCheckout{
		ID:                   gidTail(c.ID),
		Token:                checkoutToken(c.AbandonedCheckoutURL),
		Currency:             c.TotalPriceSet.shop().currency(),
		PresentmentCurrency:  c.TotalPriceSet.presentment().currency(),
		SubtotalPrice:        c.SubtotalPriceSet.presentment().restAmount(),
		TotalPrice:           c.TotalPriceSet.presentment().restAmount(),
		LineItems:            make([]restLineItem, 0, len(items)),
		AbandonedCheckoutURL: c.AbandonedCheckoutURL,
		BillingAddress:       c.BillingAddress.rest(),
		ShippingAddress:      c.ShippingAddress.rest(),
		Customer:             c.Customer.rest(),
		CompletedAt:          c.CompletedAt,
		CreatedAt:            c.CreatedAt,
		UpdatedAt:            c.UpdatedAt,
	}
	if cu := c.Customer; cu != nil {
		out.BuyerAcceptsMarketing = cu.DefaultEmailAddress != nil && subscribed(cu.DefaultEmailAddress.MarketingState)
		out.BuyerAcceptsSMSMarketing = cu.DefaultPhoneNumber != nil && subscribed(cu.DefaultPhoneNumber.MarketingState)
	}
	for i := range items {
		li := items[i].rest(items[i].OriginalUnitPriceSet.presentment())
		// A checkout line has no id in REST: its key names it.
		li.Key, li.ID = li.ID, ""
		out.LineItems = append(out.LineItems, li)
	}
	return out
}

// checkouts emits checkout.updated for every open abandoned checkout
// updated in w whose buyer can be reached; the normaliser drops completed
// ones and those without an email or phone.
func (ss *session) checkouts(ctx context.Context, w reconcile.Window, emit func(*event.Event) error) error {
	vars := map[string]any{"first": ss.p.cfg.CheckoutPageSize, "query": updatedQuery(w), "lineItems": ss.p.cfg.LineItemPageSize}
	return eachPage(ctx, ss, opPollCheckouts, checkoutsQuery(), "abandonedCheckouts", vars, func(c *checkoutNode) error {
		if !w.Contains(c.UpdatedAt) || !c.CompletedAt.IsZero() {
			return nil
		}
		items, err := ss.allLineItems(ctx, c.ID, c.LineItems)
		if err != nil {
			return err
		}
		body := c.rest(items)
		id := firstNonEmptyString(body.Token, body.ID)
		raw, err := ss.encodeBody(opPollCheckouts, id, body)
		if err != nil {
			return err
		}
		return ss.emitWebhook(ctx, opPollCheckouts, topicCheckoutsUpdate, id, c.UpdatedAt, raw, emit)
	})
}

// firstNonEmptyString returns the first non-empty string of vs.
func firstNonEmptyString(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
