package woocommerce

import (
	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// normalizeCustomer maps customer.created and customer.updated (registered
// accounts only: guests have no customer resource) to the event of type t,
// versioned by date_modified_gmt. WooCommerce customers carry no marketing
// consent, so EmailConsent and SMSConsent stay unset.
func normalizeCustomer(t event.Type) normalizer {
	return func(d *delivery) (*ingest.Result, error) {
		var c customer
		if err := d.decode(&c); err != nil {
			return nil, err
		}
		if c.ID == "" {
			return nil, errMissingID(d)
		}
		modified, created := c.DateModifiedGMT.Time(), c.DateCreatedGMT.Time()
		firstName, lastName := c.FirstName, c.LastName
		if firstName == "" && lastName == "" {
			firstName, lastName = c.Billing.FirstName, c.Billing.LastName
		}
		email := c.Email
		if email == "" {
			email = c.Billing.Email
		}
		addr := eventAddress(&c.Billing)
		if addr == nil {
			addr = eventAddress(&c.Shipping)
		}
		data := &event.CustomerData{
			ID:          string(c.ID),
			Email:       email,
			Phone:       string(c.Billing.Phone),
			FirstName:   firstName,
			LastName:    lastName,
			OrdersCount: c.OrdersCount,
			TotalSpent:  event.Decimal(c.TotalSpent),
			Address:     addr,
			CreatedAt:   created,
			UpdatedAt:   firstSet(modified, created),
		}
		who := &event.Customer{
			ID:        data.ID,
			Email:     data.Email,
			Phone:     data.Phone,
			FirstName: data.FirstName,
			LastName:  data.LastName,
		}
		id := d.identity(data.ID, modified)
		ev := d.newEvent(t, id, data.ID, firstSet(modified, created), d.occurredAt(modified, created), who, data)
		return d.result(id, ev), nil
	}
}
