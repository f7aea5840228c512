package shopify

import (
	"strings"

	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// consentPayload is Shopify's email_marketing_consent or
// sms_marketing_consent object.
type consentPayload struct {
	State                string    `json:"state"`
	OptInLevel           string    `json:"opt_in_level"`
	ConsentUpdatedAt     timestamp `json:"consent_updated_at"`
	ConsentCollectedFrom string    `json:"consent_collected_from"`
}

// state returns the canonical consent state, nil when c is nil.
func (c *consentPayload) state() *event.ConsentState {
	if c == nil {
		return nil
	}
	return &event.ConsentState{
		State:      lower(c.State),
		OptInLevel: lower(c.OptInLevel),
		UpdatedAt:  c.ConsentUpdatedAt.Time,
	}
}

// canonical returns the consent.updated data for channel.
func (c *consentPayload) canonical(channel, email, phone string) *event.Consent {
	return &event.Consent{
		Channel:       channel,
		Email:         email,
		Phone:         phone,
		State:         lower(c.State),
		OptInLevel:    lower(c.OptInLevel),
		CollectedFrom: strings.ToUpper(strings.TrimSpace(c.ConsentCollectedFrom)),
		UpdatedAt:     c.ConsentUpdatedAt.Time,
	}
}

// emailConsentPayload is a customers_email_marketing_consent/update payload.
type emailConsentPayload struct {
	CustomerID   literal         `json:"customer_id"`
	EmailAddress string          `json:"email_address"`
	Consent      *consentPayload `json:"email_marketing_consent"`
}

// smsConsentPayload is a customers_marketing_consent/update payload.
type smsConsentPayload struct {
	ID      literal         `json:"id"`
	Phone   string          `json:"phone"`
	Consent *consentPayload `json:"sms_marketing_consent"`
}

// normalizeEmailConsent maps customers_email_marketing_consent/update to
// consent.updated on the email channel.
func normalizeEmailConsent(d *delivery, body []byte) ([]ingest.Message, error) {
	var p emailConsentPayload
	if err := decode(d.topic, body, &p); err != nil {
		return nil, err
	}
	if p.CustomerID == "" {
		return nil, missing(d.topic, "customer_id")
	}
	if p.Consent == nil {
		return nil, missing(d.topic, "email_marketing_consent")
	}
	return d.consent(string(p.CustomerID), event.ChannelEmail, p.Consent,
		&event.Customer{ID: string(p.CustomerID), Email: p.EmailAddress},
		p.Consent.canonical(event.ChannelEmail, p.EmailAddress, "")), nil
}

// normalizeSMSConsent maps customers_marketing_consent/update, Shopify's SMS
// consent topic, to consent.updated on the sms channel.
func normalizeSMSConsent(d *delivery, body []byte) ([]ingest.Message, error) {
	var p smsConsentPayload
	if err := decode(d.topic, body, &p); err != nil {
		return nil, err
	}
	if p.ID == "" {
		return nil, missing(d.topic, "id")
	}
	if p.Consent == nil {
		return nil, missing(d.topic, "sms_marketing_consent")
	}
	return d.consent(string(p.ID), event.ChannelSMS, p.Consent,
		&event.Customer{ID: string(p.ID), Phone: p.Phone},
		p.Consent.canonical(event.ChannelSMS, "", p.Phone)), nil
}

// consent builds the consent.updated message. Its resource is the customer
// and channel, so an email and an SMS change of one customer at one instant
// keep distinct keys; its version is consent_updated_at, else the time the
// change is known to have happened.
func (d *delivery) consent(customerID, channel string, c *consentPayload, cust *event.Customer, data *event.Consent) []ingest.Message {
	occurred := d.occurredAt(c.ConsentUpdatedAt.Time)
	return d.one(change{
		typ:      event.ConsentUpdated,
		resource: customerID + "/" + channel,
		version:  occurred,
		occurred: occurred,
		customer: cust,
		data:     data,
	})
}
