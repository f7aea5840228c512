package shopify

import (
	"encoding/json"
	"math/big"
	"net/url"

	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// productPayload is the part of Shopify's Product resource (products/create
// and products/update) Boomerang reads. It names no currency: prices are in
// the shop's currency, which the payload does not carry.
type productPayload struct {
	ID          literal          `json:"id"`
	Title       string           `json:"title"`
	Handle      string           `json:"handle"`
	Status      string           `json:"status"`
	PublishedAt timestamp        `json:"published_at"`
	Variants    []variantPayload `json:"variants"`
	Image       imageRef         `json:"image"`
	Images      imageList        `json:"images"`
	CreatedAt   timestamp        `json:"created_at"`
	UpdatedAt   timestamp        `json:"updated_at"`
}

// variantPayload is a product variant as far as price and stock go.
type variantPayload struct {
	Price             literal `json:"price"`
	InventoryPolicy   string  `json:"inventory_policy"`
	InventoryQuantity *int    `json:"inventory_quantity"`
	// InventoryManagement is "shopify" (or a fulfilment service) when
	// Shopify tracks the variant's stock, null when it does not. The
	// 2026-07 sample does not send it.
	InventoryManagement presentString `json:"inventory_management"`
}

// normalizeProduct maps products/create and products/update to
// product.updated, versioned by updated_at. Both topics fire for one save
// of a new product; with equal updated_at they share a semantic key.
func normalizeProduct(d *delivery, body []byte) ([]ingest.Message, error) {
	var p productPayload
	if err := decode(d.topic, body, &p); err != nil {
		return nil, err
	}
	if p.ID == "" {
		return nil, missing(d.topic, "id")
	}
	img := string(p.Image)
	if img == "" && len(p.Images) > 0 {
		img = string(p.Images[0])
	}
	occurred := d.occurredAt(p.UpdatedAt.Time, p.CreatedAt.Time)
	return d.one(change{
		typ:      event.ProductUpdated,
		resource: string(p.ID),
		version:  firstTime(p.UpdatedAt.Time, occurred),
		occurred: occurred,
		data: &event.Product{
			ID:        string(p.ID),
			Title:     p.Title,
			URL:       productURL(d.shop, p.Handle),
			ImageURL:  img,
			Price:     lowestPrice(p.Variants),
			Available: p.available(),
			UpdatedAt: p.UpdatedAt.Time,
		},
	}), nil
}

// productRefPayload is a products/delete payload: only the id.
type productRefPayload struct {
	ID literal `json:"id"`
}

// normalizeProductDelete maps products/delete to product.deleted. The
// payload has no time, so occurred_at is the trigger time and the key has
// no version: a product is deleted once.
func normalizeProductDelete(d *delivery, body []byte) ([]ingest.Message, error) {
	var p productRefPayload
	if err := decode(d.topic, body, &p); err != nil {
		return nil, err
	}
	if p.ID == "" {
		return nil, missing(d.topic, "id")
	}
	return d.one(change{
		typ:      event.ProductDeleted,
		resource: string(p.ID),
		occurred: d.occurredAt(),
		data:     &event.ProductRef{ID: string(p.ID)},
	}), nil
}

// productURL is the product's page on the shop's myshopify.com domain
// (which redirects to the primary domain), "" when the handle or the shop's
// domain is unknown.
func productURL(s *shop.Shop, handle string) string {
	host := shop.NormalizeDomain(s.Domain)
	if handle == "" || host == "" {
		return ""
	}
	return "https://" + host + "/products/" + url.PathEscape(handle)
}

// available reports whether shoppers can buy the product: active (or of an
// API version without status), published, and with a variant in stock.
func (p *productPayload) available() bool {
	if s := lower(p.Status); s != "" && s != "active" {
		return false
	}
	if p.PublishedAt.IsZero() {
		return false
	}
	for i := range p.Variants {
		if p.Variants[i].inStock() {
			return true
		}
	}
	return false
}

// inStock reports whether a variant can be bought: it sells when out of
// stock (inventory_policy "continue"), its stock is not tracked
// (inventory_management null), or it has stock. A variant whose payload
// carries no quantity is not held out of stock on a guess.
func (v *variantPayload) inStock() bool {
	switch {
	case lower(v.InventoryPolicy) == "continue":
		return true
	case v.InventoryManagement.set && v.InventoryManagement.value == "":
		return true
	case v.InventoryQuantity == nil:
		return true
	default:
		return *v.InventoryQuantity > 0
	}
}

// lowestPrice is the lowest variant price, as the text Shopify sent. Prices
// that are not plain decimals ("19.99", "-1", "20") are skipped; with none
// left the price is empty.
func lowestPrice(variants []variantPayload) event.Decimal {
	var (
		best    string
		bestVal *big.Rat
	)
	for _, v := range variants {
		s := string(v.Price)
		if !isDecimal(s) {
			continue
		}
		r, ok := new(big.Rat).SetString(s)
		if !ok {
			continue
		}
		if bestVal == nil || r.Cmp(bestVal) < 0 {
			best, bestVal = s, r
		}
	}
	return event.Decimal(best)
}

// isDecimal reports whether s is an optionally signed decimal without an
// exponent: digits, optionally a point and more digits. It bounds the
// length so that no payload makes the comparison expensive.
func isDecimal(s string) bool {
	if len(s) > 0 && s[0] == '-' {
		s = s[1:]
	}
	if s == "" || len(s) > 40 {
		return false
	}
	digits, point := 0, false
	for i := range len(s) {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !point && digits > 0 && i < len(s)-1:
			point = true
		default:
			return false
		}
	}
	return digits > 0
}

// presentString is a string field whose presence is known: null and a
// string set it; absence, or another JSON type, leaves it unset.
type presentString struct {
	set   bool
	value string
}

// UnmarshalJSON implements json.Unmarshaler.
func (p *presentString) UnmarshalJSON(b []byte) error {
	*p = presentString{}
	if string(b) == "null" {
		p.set = true
		return nil
	}
	if json.Unmarshal(b, &p.value) == nil {
		p.set = true
	}
	return nil
}

// imageList is a product's images: an array of image objects (or URLs).
// Any other shape is no images, since images are decoration.
type imageList []imageRef

// UnmarshalJSON implements json.Unmarshaler.
func (l *imageList) UnmarshalJSON(b []byte) error {
	*l = nil
	var refs []imageRef
	if json.Unmarshal(b, &refs) == nil {
		for _, r := range refs {
			if r != "" {
				*l = append(*l, r)
			}
		}
	}
	return nil
}
