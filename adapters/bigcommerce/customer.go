package bigcommerce

import (
	"context"
	"slices"
	"strings"

	"github.com/boomerang-dev/boomerang/flows/event"
)

// Subscriber consent types (subscriber_Full.consents).
const consentNewsletter = "marketing_newsletter"

// apiCustomer is the v3 customer (customer_Full) as far as Boomerang reads
// it.
type apiCustomer struct {
	ID           flexID  `json:"id"`
	Email        string  `json:"email"`
	FirstName    string  `json:"first_name"`
	LastName     string  `json:"last_name"`
	Company      string  `json:"company"`
	Phone        string  `json:"phone"`
	DateCreated  apiTime `json:"date_created"`
	DateModified apiTime `json:"date_modified"`
	// AcceptsMarketing is accepts_product_review_abandoned_cart_emails:
	// the customer agreed to abandoned-cart and product-review emails.
	AcceptsMarketing *bool `json:"accepts_product_review_abandoned_cart_emails"`
	Addresses        []struct {
		FirstName       string `json:"first_name"`
		LastName        string `json:"last_name"`
		Company         string `json:"company"`
		Address1        string `json:"address1"`
		Address2        string `json:"address2"`
		City            string `json:"city"`
		StateOrProvince string `json:"state_or_province"`
		PostalCode      string `json:"postal_code"`
		Country         string `json:"country"`
		CountryCode     string `json:"country_code"`
		Phone           string `json:"phone"`
	} `json:"addresses"`
}

// subscriberEnvelope is GET /v3/customers/subscribers/{id}'s answer.
type subscriberEnvelope struct {
	Data *apiSubscriber `json:"data"`
}

// apiSubscriber is a v3 newsletter subscriber (subscriber_Full).
type apiSubscriber struct {
	ID        flexID `json:"id"`
	Email     string `json:"email"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Source    string `json:"source"`
	// Consents is nil when the API does not send the field (older stores):
	// a subscriber record then means a newsletter subscription.
	Consents     []string `json:"consents"`
	DateCreated  apiTime  `json:"date_created"`
	DateModified apiTime  `json:"date_modified"`
}

// resolveCustomer handles store/customer/created and updated.
func (c *session) resolveCustomer(ctx context.Context, b *builder, d hookData, t event.Type) ([]*event.Event, error) {
	cust, err := c.customer(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	return []*event.Event{b.customerEvent(t, cust)}, nil
}

// customer fetches one customer: GET /v3/customers?id:in={id}. An empty
// list means the customer is gone, like a 404.
func (c *session) customer(ctx context.Context, id string) (*apiCustomer, error) {
	var env customersEnvelope
	if err := c.get(ctx, "/v3/customers?id:in="+id, &env); err != nil {
		return nil, err
	}
	for i := range env.Data {
		if env.Data[i].ID.String() == id {
			return &env.Data[i], nil
		}
	}
	if len(env.Data) == 1 && env.Data[0].ID == "" {
		env.Data[0].ID = flexID(id)
		return &env.Data[0], nil
	}
	return nil, permanentf("customer %s not found", id)
}

// customerEvent builds customer.created or customer.updated. A customer
// answer without dates takes the event's trigger time as its update time
// (and, for customer.created, as its creation time).
func (b *builder) customerEvent(t event.Type, c *apiCustomer) *event.Event {
	data := &event.CustomerData{
		ID:        c.ID.String(),
		Email:     strings.TrimSpace(c.Email),
		Phone:     c.Phone,
		FirstName: c.FirstName,
		LastName:  c.LastName,
		CreatedAt: c.DateCreated.Time(),
		UpdatedAt: firstTime(c.DateModified.Time(), c.DateCreated.Time(), b.n.CreatedAt),
	}
	if data.CreatedAt.IsZero() && t == event.CustomerCreated {
		data.CreatedAt = b.n.CreatedAt
	}
	if c.AcceptsMarketing != nil {
		state := event.ConsentNotSubscribed
		if *c.AcceptsMarketing {
			state = event.ConsentSubscribed
		}
		data.EmailConsent = &event.ConsentState{State: state, UpdatedAt: data.UpdatedAt}
	}
	if len(c.Addresses) > 0 {
		a := c.Addresses[0]
		data.Address = &event.Address{
			FirstName: a.FirstName, LastName: a.LastName, Company: a.Company,
			Address1: a.Address1, Address2: a.Address2, City: a.City, Province: a.StateOrProvince,
			Zip: a.PostalCode, Country: a.Country, CountryCode: a.CountryCode, Phone: a.Phone,
		}
	}
	r := resource{
		id:         data.ID,
		version:    data.UpdatedAt,
		updated:    data.UpdatedAt,
		created:    data.CreatedAt,
		apiVersion: apiV3,
	}
	cust := &event.Customer{ID: data.ID, Email: data.Email, Phone: data.Phone, FirstName: data.FirstName, LastName: data.LastName}
	return b.event(t, r, cust, data)
}

// resolveSubscriber handles store/subscriber/created and updated.
func (c *session) resolveSubscriber(ctx context.Context, b *builder, d hookData) ([]*event.Event, error) {
	var env subscriberEnvelope
	if err := c.get(ctx, "/v3/customers/subscribers/"+d.ID, &env); err != nil {
		return nil, err
	}
	if env.Data == nil {
		return nil, permanentf("subscriber %s: answer has no data", d.ID)
	}
	if env.Data.ID == "" {
		env.Data.ID = flexID(d.ID)
	}
	return []*event.Event{b.subscriberEvent(env.Data)}, nil
}

// subscriberEvent builds consent.updated for the subscriber's email. A
// record whose consents list lacks marketing_newsletter is not subscribed:
// "not_subscribed" when created so (the checkout box left unticked),
// "unsubscribed" when updated so.
func (b *builder) subscriberEvent(sub *apiSubscriber) *event.Event {
	state := event.ConsentSubscribed
	if sub.Consents != nil && !slices.Contains(sub.Consents, consentNewsletter) {
		state = event.ConsentUnsubscribed
		if b.n.Scope == ScopeSubscriberCreated {
			state = event.ConsentNotSubscribed
		}
	}
	data := &event.Consent{
		Channel:       event.ChannelEmail,
		Email:         strings.TrimSpace(sub.Email),
		State:         state,
		CollectedFrom: sub.Source,
		UpdatedAt:     firstTime(sub.DateModified.Time(), sub.DateCreated.Time()),
	}
	r := resource{
		id:         sub.ID.String(),
		version:    b.changeVersion(sub.DateModified.Time()),
		updated:    sub.DateModified.Time(),
		created:    sub.DateCreated.Time(),
		apiVersion: apiV3,
	}
	cust := &event.Customer{Email: data.Email, FirstName: sub.FirstName, LastName: sub.LastName}
	return b.event(event.ConsentUpdated, r, cust, data)
}
