package shopify

import (
	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// cartPayload is Shopify's online-store cart webhook payload. It names no
// customer: carts are useful only joined later with a checkout's cart_token.
type cartPayload struct {
	ID        literal    `json:"id"`
	Token     literal    `json:"token"`
	LineItems []lineItem `json:"line_items"`
	CreatedAt timestamp  `json:"created_at"`
	UpdatedAt timestamp  `json:"updated_at"`
}

// normalizeCart maps carts/create and carts/update to cart.updated. The
// payload has no currency or total: the currency is the first line's
// presentment currency, and the total is left empty rather than summed.
func normalizeCart(d *delivery, body []byte) ([]ingest.Message, error) {
	var p cartPayload
	if err := decode(d.topic, body, &p); err != nil {
		return nil, err
	}
	id := firstNonEmpty(string(p.ID), string(p.Token))
	if id == "" {
		return nil, missing(d.topic, "id or token")
	}
	var currency string
	for _, li := range p.LineItems {
		if li.PriceSet != nil && li.PriceSet.PresentmentMoney != nil && li.PriceSet.PresentmentMoney.CurrencyCode != "" {
			currency = li.PriceSet.PresentmentMoney.CurrencyCode
			break
		}
	}
	occurred := d.occurredAt(p.UpdatedAt.Time, p.CreatedAt.Time)
	return d.one(change{
		typ:      event.CartUpdated,
		resource: id,
		version:  firstTime(p.UpdatedAt.Time, occurred),
		occurred: occurred,
		data: &event.Cart{
			ID:        id,
			Token:     string(p.Token),
			Currency:  currency,
			LineItems: lineItems(p.LineItems),
			CreatedAt: p.CreatedAt.Time,
			UpdatedAt: p.UpdatedAt.Time,
		},
	}), nil
}
