package processor

import (
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/boomerang-dev/boomerang/flows/event"
)

// maxOrderTimes bounds the order times a profile keeps for orders_since.
const maxOrderTimes = 50

// Profile is what Boomerang knows of one customer of one shop.
type Profile struct {
	// Key is the processor's customer key (see CustomerKey).
	Key         string   `json:"key"`
	Emails      []string `json:"emails,omitempty"`
	Phones      []string `json:"phones,omitempty"`
	PlatformIDs []string `json:"platform_ids,omitempty"`
	FirstName   string   `json:"first_name,omitempty"`
	LastName    string   `json:"last_name,omitempty"`
	// Country is the ISO 3166 code of the customer's latest address.
	Country string `json:"country,omitempty"`
	// Consent is per channel (email, sms).
	Consent map[string]ConsentRecord `json:"consent,omitempty"`
	// OrdersCount and TotalSpent count placed orders; TotalSpent is a
	// decimal string in Currency (orders in another currency are counted
	// but not summed).
	OrdersCount      int         `json:"orders_count"`
	TotalSpent       string      `json:"total_spent,omitempty"`
	Currency         string      `json:"currency,omitempty"`
	FirstOrderAt     *time.Time  `json:"first_order_at,omitempty"`
	LastOrderAt      *time.Time  `json:"last_order_at,omitempty"`
	OrderTimes       []time.Time `json:"order_times,omitempty"`
	LastEngagementAt *time.Time  `json:"last_engagement_at,omitempty"`
	// Purchased are the product ids of the customer's orders, newest
	// first (bounded): cross-sell and "buy X, get Y" leave them out.
	Purchased []string `json:"purchased,omitempty"`
	// Viewed are the products the customer viewed, newest first
	// (bounded): what browse abandonment shows.
	Viewed []ViewedProduct `json:"viewed,omitempty"`
	// Predictions are the newest prediction.updated figures.
	Predictions *Predictions `json:"predictions,omitempty"`
	// Touches are the customer's latest message events, for attribution.
	Touches []Touch `json:"touches,omitempty"`
	// Props are properties set by flows' update steps.
	Props     map[string]any `json:"props,omitempty"`
	CreatedAt time.Time      `json:"created_at"`
	UpdatedAt time.Time      `json:"updated_at"`
}

// Bounds of the profile's product lists.
const (
	maxViewed    = 10
	maxPurchased = 50
)

// ViewedProduct is one product view.
type ViewedProduct struct {
	ID       string    `json:"id"`
	Title    string    `json:"title,omitempty"`
	URL      string    `json:"url,omitempty"`
	ImageURL string    `json:"image_url,omitempty"`
	Price    string    `json:"price,omitempty"`
	Currency string    `json:"currency,omitempty"`
	At       time.Time `json:"at"`
}

// Predictions are a customer's predicted figures (docs/predictions.md).
type Predictions struct {
	PAlive         float64    `json:"p_alive"`
	ChurnRisk      float64    `json:"churn_risk"`
	ChurnBand      string     `json:"churn_band"`
	ExpectedOrders float64    `json:"expected_orders_365"`
	CLV            string     `json:"clv_365,omitempty"`
	NextOrderAt    *time.Time `json:"next_order_at,omitempty"`
	Model          string     `json:"model,omitempty"`
	At             time.Time  `json:"at"`
}

// ConsentRecord is one channel's consent: its state, where it came from and
// when.
type ConsentRecord struct {
	State  string    `json:"state"`
	Source string    `json:"source,omitempty"`
	At     time.Time `json:"at"`
}

// Subscribed reports whether the channel may receive marketing.
func (p *Profile) Subscribed(channel string) bool {
	return p != nil && p.Consent[channel].State == event.ConsentSubscribed
}

func addUnique(list []string, v string) []string {
	if v == "" || slices.Contains(list, v) {
		return list
	}
	return append(list, v)
}

// setConsent records consent unless a newer record exists. Checkout and
// order checkboxes only ever grant consent: an unticked box does not
// unsubscribe someone who subscribed elsewhere.
func (p *Profile) setConsent(channel, state, source string, at time.Time) {
	if p.Consent == nil {
		p.Consent = map[string]ConsentRecord{}
	}
	if old, ok := p.Consent[channel]; ok && old.At.After(at) {
		return
	}
	p.Consent[channel] = ConsentRecord{State: state, Source: source, At: at}
}

// apply updates the profile from one event and reports whether it changed.
func (p *Profile) apply(ev *event.Event) {
	if c := ev.Customer; c != nil {
		p.Emails = addUnique(p.Emails, normalizeEmail(c.Email))
		p.Phones = addUnique(p.Phones, normalizePhone(c.Phone))
		p.PlatformIDs = addUnique(p.PlatformIDs, c.ID)
		if c.FirstName != "" {
			p.FirstName = c.FirstName
		}
		if c.LastName != "" {
			p.LastName = c.LastName
		}
	}
	at := ev.OccurredAt
	switch d := ev.Data.(type) {
	case *event.Consent:
		p.Emails = addUnique(p.Emails, normalizeEmail(d.Email))
		p.Phones = addUnique(p.Phones, normalizePhone(d.Phone))
		source := d.CollectedFrom
		if source == "" {
			source = ev.Platform
		}
		if !d.UpdatedAt.IsZero() {
			at = d.UpdatedAt
		}
		p.setConsent(d.Channel, d.State, source, at)
	case *event.Checkout:
		p.Emails = addUnique(p.Emails, normalizeEmail(d.Email))
		p.Phones = addUnique(p.Phones, normalizePhone(d.Phone))
		if d.AcceptsEmailMarketing && !p.Subscribed(event.ChannelEmail) {
			p.setConsent(event.ChannelEmail, event.ConsentSubscribed, "checkout", at)
		}
		if d.AcceptsSMSMarketing && !p.Subscribed(event.ChannelSMS) {
			p.Phones = addUnique(p.Phones, normalizePhone(d.SMSMarketingPhone))
			p.setConsent(event.ChannelSMS, event.ConsentSubscribed, "checkout", at)
		}
	case *event.CustomerData:
		if d.Address != nil && d.Address.CountryCode != "" {
			p.Country = d.Address.CountryCode
		}
		p.Emails = addUnique(p.Emails, normalizeEmail(d.Email))
		p.Phones = addUnique(p.Phones, normalizePhone(d.Phone))
		if d.EmailConsent != nil {
			p.setConsent(event.ChannelEmail, d.EmailConsent.State, ev.Platform, firstTime(d.EmailConsent.UpdatedAt, at))
		}
		if d.SMSConsent != nil {
			p.setConsent(event.ChannelSMS, d.SMSConsent.State, ev.Platform, firstTime(d.SMSConsent.UpdatedAt, at))
		}
	case *event.Order:
		for _, a := range []*event.Address{d.ShippingAddress, d.BillingAddress} {
			if a != nil && a.CountryCode != "" {
				p.Country = a.CountryCode
				break
			}
		}
		p.Emails = addUnique(p.Emails, normalizeEmail(d.Email))
		if d.AcceptsMarketing && !p.Subscribed(event.ChannelEmail) {
			p.setConsent(event.ChannelEmail, event.ConsentSubscribed, "order", at)
		}
		if ev.Type == event.OrderPlaced {
			// The order's own creation time: a polled or imported order
			// occurred (was last updated) later than it was placed.
			p.addOrder(d, firstTime(d.CreatedAt, at))
		}
	case *event.Message:
		p.touch(ev, d, at)
		switch ev.Type { //nolint:exhaustive // only engagement and opt-outs change the profile
		case event.MessageOpened, event.MessageClicked:
			t := at
			p.LastEngagementAt = &t
		case event.MessageUnsubscribed, event.MessageComplained:
			p.setConsent(d.Channel, event.ConsentUnsubscribed, string(ev.Type), at)
		}
	case *event.ProductView:
		p.viewed(d, at)
	case *event.Prediction:
		p.Predictions = &Predictions{
			PAlive: d.PAlive, ChurnRisk: d.ChurnRisk, ChurnBand: d.ChurnBand, ExpectedOrders: d.ExpectedOrders,
			CLV: string(d.PredictedCLV), NextOrderAt: d.ExpectedNextOrderAt, Model: d.Model, At: at,
		}
	case *event.InboundSMS:
		switch strings.ToUpper(d.Keyword) {
		case "STOP":
			p.setConsent(event.ChannelSMS, event.ConsentUnsubscribed, "sms_keyword", at)
		case "START":
			p.setConsent(event.ChannelSMS, event.ConsentSubscribed, "sms_keyword", at)
		}
	}
}

// viewed puts a product view first in Viewed, once per product.
func (p *Profile) viewed(v *event.ProductView, at time.Time) {
	if v.ProductID == "" {
		return
	}
	list := make([]ViewedProduct, 0, maxViewed)
	list = append(list, ViewedProduct{
		ID: v.ProductID, Title: v.Title, URL: v.URL, ImageURL: v.ImageURL, Price: string(v.Price), Currency: v.Currency, At: at,
	})
	for _, o := range p.Viewed {
		if o.ID != v.ProductID && len(list) < maxViewed {
			list = append(list, o)
		}
	}
	p.Viewed = list
}

func (p *Profile) addOrder(o *event.Order, at time.Time) {
	for _, li := range o.LineItems {
		if li.ProductID != "" && !slices.Contains(p.Purchased, li.ProductID) {
			p.Purchased = append([]string{li.ProductID}, p.Purchased...)
		}
	}
	if len(p.Purchased) > maxPurchased {
		p.Purchased = p.Purchased[:maxPurchased]
	}
	p.OrdersCount++
	if p.FirstOrderAt == nil || at.Before(*p.FirstOrderAt) {
		t := at
		p.FirstOrderAt = &t
	}
	if p.LastOrderAt == nil || at.After(*p.LastOrderAt) {
		t := at
		p.LastOrderAt = &t
	}
	p.OrderTimes = append(p.OrderTimes, at)
	slices.SortFunc(p.OrderTimes, func(a, b time.Time) int { return a.Compare(b) })
	if len(p.OrderTimes) > maxOrderTimes {
		p.OrderTimes = p.OrderTimes[len(p.OrderTimes)-maxOrderTimes:]
	}
	if p.Currency == "" {
		p.Currency = o.Currency
	}
	if o.Currency == p.Currency {
		p.TotalSpent = addDecimal(p.TotalSpent, string(o.Total))
	}
}

// addDecimal adds two decimal strings exactly; an unreadable operand
// counts as zero.
func addDecimal(a, b string) string {
	x, ok := new(big.Rat).SetString(orZero(a))
	if !ok {
		x = new(big.Rat)
	}
	y, ok := new(big.Rat).SetString(orZero(b))
	if !ok {
		y = new(big.Rat)
	}
	return x.Add(x, y).FloatString(2)
}

func orZero(s string) string {
	if s == "" {
		return "0"
	}
	return s
}

func firstTime(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}
