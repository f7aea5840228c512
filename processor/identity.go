package processor

import (
	"strings"

	"github.com/boomerang-dev/boomerang/flows/event"
)

// CustomerKey returns the key that identifies the event's customer within
// its shop: "e:" and the lower-cased email when any email is known (on the
// envelope or in the data), else "p:" and the phone's digits, else "i:" and
// the platform customer id. Empty means the event concerns no customer.
// timer.fired carries the key it was scheduled with.
//
// Email comes first because it is what checkouts, orders and customers
// share across guest and account checkouts; a customer known first by phone
// only (an SMS consent) and later by email gets a second profile — a known
// limit until identity merging lands.
func CustomerKey(ev *event.Event) string {
	if t, ok := ev.Data.(*event.Timer); ok {
		return t.Customer
	}
	var email, phone, id string
	if c := ev.Customer; c != nil {
		email, phone, id = c.Email, c.Phone, c.ID
	}
	if email == "" {
		switch d := ev.Data.(type) {
		case *event.Checkout:
			email = d.Email
		case *event.Order:
			email = d.Email
		case *event.Cart:
			email = d.Email
		case *event.CustomerData:
			email = d.Email
		case *event.Consent:
			email = d.Email
		case *event.Shipment:
			email = d.Email
		}
	}
	if phone == "" {
		if d, ok := ev.Data.(*event.Consent); ok {
			phone = d.Phone
		}
	}
	switch {
	case normalizeEmail(email) != "":
		return "e:" + normalizeEmail(email)
	case normalizePhone(phone) != "":
		return "p:" + normalizePhone(phone)
	case id != "":
		return "i:" + id
	}
	return ""
}

func normalizeEmail(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if !strings.Contains(s, "@") {
		return ""
	}
	return s
}

// normalizePhone keeps a leading + and the digits.
func normalizePhone(s string) string {
	var b strings.Builder
	for i, r := range strings.TrimSpace(s) {
		if r == '+' && i == 0 || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	if b.Len() < 5 {
		return ""
	}
	return b.String()
}
