package shopify

import (
	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// shopPayload is the Shop resource app/uninstalled carries. Its times are
// the shop record's, not the uninstall's, so the event's occurred_at is the
// trigger time.
type shopPayload struct {
	ID              literal `json:"id"`
	Name            string  `json:"name"`
	Email           string  `json:"email"`
	Domain          string  `json:"domain"`
	MyshopifyDomain string  `json:"myshopify_domain"`
}

// normalizeAppUninstalled maps app/uninstalled to shop.uninstalled. The
// domain is the payload's myshopify_domain, else the shop's own domain.
func normalizeAppUninstalled(d *delivery, body []byte) ([]ingest.Message, error) {
	var p shopPayload
	if err := decode(d.topic, body, &p); err != nil {
		return nil, err
	}
	domain := firstNonEmpty(p.MyshopifyDomain, d.shop.Domain, p.Domain)
	return d.one(change{
		typ:      event.ShopUninstalled,
		resource: firstNonEmpty(string(p.ID), domain),
		// The trigger time versions the key: a shop can be reinstalled and
		// uninstalled again, and each uninstall must act.
		version:  d.occurredAt(),
		occurred: d.occurredAt(),
		data: &event.ShopData{
			PlatformShopID: string(p.ID),
			Domain:         domain,
			Email:          p.Email,
			Name:           p.Name,
		},
	}), nil
}

// shopRedactPayload is a shop/redact compliance payload, sent 48 hours
// after an uninstall.
type shopRedactPayload struct {
	ShopID     literal `json:"shop_id"`
	ShopDomain string  `json:"shop_domain"`
}

// normalizeShopRedact maps shop/redact to shop.redact.
func normalizeShopRedact(d *delivery, body []byte) ([]ingest.Message, error) {
	var p shopRedactPayload
	if err := decode(d.topic, body, &p); err != nil {
		return nil, err
	}
	domain := firstNonEmpty(p.ShopDomain, d.shop.Domain)
	return d.one(change{
		typ:      event.ShopRedact,
		resource: firstNonEmpty(string(p.ShopID), domain),
		occurred: d.occurredAt(),
		data: &event.ShopData{
			PlatformShopID: string(p.ShopID),
			Domain:         domain,
		},
	}), nil
}
