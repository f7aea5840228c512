package shopify

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/boomerang-dev/boomerang/adapters/reconcile"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// topicCustomersUpdate is the customer topic the poller stands in for.
const topicCustomersUpdate = "customers/update"

// customersQuery lists the customers changed in a window, oldest change
// first. The email and SMS marketing consent come from defaultEmailAddress
// and defaultPhoneNumber (2025-04 on), which the customers/update webhook no
// longer carries (2025-01 on).
func customersQuery() string {
	return `query pollCustomers($first: Int!, $after: String, $query: String) {
  customers(first: $first, after: $after, sortKey: UPDATED_AT, query: $query) {
    nodes {
      id legacyResourceId firstName lastName state verifiedEmail locale tags numberOfOrders
      amountSpent { amount currencyCode }
      defaultAddress { ` + addressFields + ` }
      defaultEmailAddress { emailAddress marketingState marketingOptInLevel marketingUpdatedAt }
      defaultPhoneNumber { phoneNumber marketingState marketingOptInLevel marketingUpdatedAt marketingCollectedFrom }
      createdAt updatedAt
    }
    pageInfo { hasNextPage endCursor }
  }
}`
}

// customerNode is one node of the customers query.
//
//nolint:tagliatelle // Shopify's GraphQL names
type customerNode struct {
	ID                  string          `json:"id"`
	LegacyResourceID    flexString      `json:"legacyResourceId"`
	FirstName           string          `json:"firstName"`
	LastName            string          `json:"lastName"`
	State               string          `json:"state"`
	VerifiedEmail       bool            `json:"verifiedEmail"`
	Locale              string          `json:"locale"`
	Tags                []string        `json:"tags"`
	NumberOfOrders      flexString      `json:"numberOfOrders"`
	AmountSpent         *money          `json:"amountSpent"`
	DefaultAddress      *mailingAddress `json:"defaultAddress"`
	DefaultEmailAddress *emailAddress   `json:"defaultEmailAddress"`
	DefaultPhoneNumber  *phoneNumber    `json:"defaultPhoneNumber"`
	CreatedAt           time.Time       `json:"createdAt"`
	UpdatedAt           time.Time       `json:"updatedAt"`
}

// restCustomer is the REST Customer resource with the consent objects API
// versions before 2025-01 carried, which adapters/shopify still reads. Its
// tags are REST's comma-separated string (a Shopify tag has no comma).
type restCustomer struct {
	ID                    string       `json:"id"`
	Email                 string       `json:"email,omitempty"`
	Phone                 string       `json:"phone,omitempty"`
	FirstName             string       `json:"first_name,omitempty"`
	LastName              string       `json:"last_name,omitempty"`
	State                 string       `json:"state,omitempty"`
	VerifiedEmail         bool         `json:"verified_email"`
	Locale                string       `json:"locale,omitempty"`
	Tags                  string       `json:"tags"`
	OrdersCount           *int         `json:"orders_count,omitempty"`
	TotalSpent            string       `json:"total_spent,omitempty"`
	Currency              string       `json:"currency,omitempty"`
	DefaultAddress        *restAddress `json:"default_address,omitempty"`
	EmailMarketingConsent *restConsent `json:"email_marketing_consent,omitempty"`
	SMSMarketingConsent   *restConsent `json:"sms_marketing_consent,omitempty"`
	CreatedAt             time.Time    `json:"created_at,omitzero"`
	UpdatedAt             time.Time    `json:"updated_at,omitzero"`
}

// restConsent is REST's email_marketing_consent or sms_marketing_consent.
type restConsent struct {
	State                string    `json:"state,omitempty"`
	OptInLevel           string    `json:"opt_in_level,omitempty"`
	ConsentUpdatedAt     time.Time `json:"consent_updated_at,omitzero"`
	ConsentCollectedFrom string    `json:"consent_collected_from,omitempty"`
}

// rest maps the customer onto the REST resource.
func (c *customerNode) rest() *restCustomer {
	out := &restCustomer{
		ID:             legacyID(c.LegacyResourceID, c.ID),
		Email:          c.DefaultEmailAddress.address(),
		Phone:          c.DefaultPhoneNumber.number(),
		FirstName:      c.FirstName,
		LastName:       c.LastName,
		State:          lowerEnum(c.State),
		VerifiedEmail:  c.VerifiedEmail,
		Locale:         c.Locale,
		Tags:           strings.Join(c.Tags, ", "),
		TotalSpent:     c.AmountSpent.restAmount(),
		Currency:       c.AmountSpent.currency(),
		DefaultAddress: c.DefaultAddress.rest(),
		CreatedAt:      c.CreatedAt,
		UpdatedAt:      c.UpdatedAt,
	}
	if n, err := strconv.Atoi(string(c.NumberOfOrders)); err == nil && n >= 0 {
		out.OrdersCount = &n
	}
	if e := c.DefaultEmailAddress; e != nil && e.MarketingState != "" {
		out.EmailMarketingConsent = &restConsent{
			State:            lowerEnum(e.MarketingState),
			OptInLevel:       lowerEnum(e.MarketingOptInLevel),
			ConsentUpdatedAt: e.MarketingUpdatedAt,
		}
	}
	if p := c.DefaultPhoneNumber; p != nil && p.MarketingState != "" {
		out.SMSMarketingConsent = &restConsent{
			State:                lowerEnum(p.MarketingState),
			OptInLevel:           lowerEnum(p.MarketingOptInLevel),
			ConsentUpdatedAt:     p.MarketingUpdatedAt,
			ConsentCollectedFrom: p.MarketingCollectedFrom,
		}
	}
	return out
}

// customers emits customer.updated for every customer updated in w.
func (ss *session) customers(ctx context.Context, w reconcile.Window, emit func(*event.Event) error) error {
	vars := map[string]any{"first": ss.p.cfg.CustomerPageSize, "query": updatedQuery(w)}
	return eachPage(ctx, ss, opPollCustomers, customersQuery(), "customers", vars, func(c *customerNode) error {
		if !w.Contains(c.UpdatedAt) {
			return nil
		}
		body := c.rest()
		raw, err := ss.encodeBody(opPollCustomers, body.ID, body)
		if err != nil {
			return err
		}
		return ss.emitWebhook(ctx, opPollCustomers, topicCustomersUpdate, body.ID, c.UpdatedAt, raw, emit)
	})
}
