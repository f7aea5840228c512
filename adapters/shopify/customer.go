package shopify

import (
	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// customerPayload is the part of Shopify's Customer resource Boomerang
// reads. Since API 2025-01 it carries no consent and no tags; older
// versions' email_marketing_consent and sms_marketing_consent are read when
// present. The removed accepts_marketing and marketing_opt_in_level (a
// string) are deliberately not declared, so they never break decoding.
type customerPayload struct {
	ID                    literal         `json:"id"`
	Email                 string          `json:"email"`
	Phone                 string          `json:"phone"`
	FirstName             string          `json:"first_name"`
	LastName              string          `json:"last_name"`
	State                 string          `json:"state"`
	VerifiedEmail         bool            `json:"verified_email"`
	Locale                string          `json:"locale"`
	Tags                  tagList         `json:"tags"`
	OrdersCount           *int            `json:"orders_count"`
	TotalSpent            literal         `json:"total_spent"`
	Currency              string          `json:"currency"`
	DefaultAddress        *address        `json:"default_address"`
	EmailMarketingConsent *consentPayload `json:"email_marketing_consent"`
	SMSMarketingConsent   *consentPayload `json:"sms_marketing_consent"`
	CreatedAt             timestamp       `json:"created_at"`
	UpdatedAt             timestamp       `json:"updated_at"`
}

// normalizeCustomer maps customers/create to customer.created and
// customers/update to customer.updated.
func normalizeCustomer(d *delivery, body []byte) ([]ingest.Message, error) {
	var p customerPayload
	if err := decode(d.topic, body, &p); err != nil {
		return nil, err
	}
	if p.ID == "" {
		return nil, missing(d.topic, "id")
	}
	typ := event.CustomerUpdated
	if d.topic == topicCustomersCreate {
		typ = event.CustomerCreated
	}
	occurred := d.occurredAt(p.UpdatedAt.Time, p.CreatedAt.Time)
	return d.one(change{
		typ:      typ,
		resource: string(p.ID),
		version:  firstTime(p.UpdatedAt.Time, occurred),
		occurred: occurred,
		customer: &event.Customer{
			ID:        string(p.ID),
			Email:     p.Email,
			Phone:     p.Phone,
			FirstName: p.FirstName,
			LastName:  p.LastName,
		},
		data: &event.CustomerData{
			ID:            string(p.ID),
			Email:         p.Email,
			Phone:         p.Phone,
			FirstName:     p.FirstName,
			LastName:      p.LastName,
			State:         lower(p.State),
			VerifiedEmail: p.VerifiedEmail,
			Locale:        p.Locale,
			Tags:          p.Tags,
			OrdersCount:   p.OrdersCount,
			TotalSpent:    event.Decimal(p.TotalSpent),
			Currency:      p.Currency,
			Address:       p.DefaultAddress.canonical(),
			EmailConsent:  p.EmailMarketingConsent.state(),
			SMSConsent:    p.SMSMarketingConsent.state(),
			CreatedAt:     p.CreatedAt.Time,
			UpdatedAt:     p.UpdatedAt.Time,
		},
	}), nil
}
