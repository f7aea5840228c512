package bigcommerce

import (
	"context"
	"strings"

	"github.com/boomerang-dev/boomerang/flows/event"
)

// productInclude asks the product API for the images (the thumbnail) and
// the variants (stock when it is tracked by variant) in the same call.
const productInclude = "images,variants"

// BigCommerce's inventory_tracking and availability values.
const (
	trackingNone         = "none"
	trackingVariant      = "variant"
	availabilityDisabled = "disabled"
)

// productEnvelope is GET /v3/catalog/products/{id}'s answer.
type productEnvelope struct {
	Data *apiProduct `json:"data"`
}

// apiProduct is the v3 catalog product (product_Full) as far as Boomerang
// reads it. It names no currency: prices are in the store's default
// currency, which the product resource does not carry.
type apiProduct struct {
	ID                flexID  `json:"id"`
	Name              string  `json:"name"`
	Price             decimal `json:"price"`
	CalculatedPrice   decimal `json:"calculated_price"`
	IsPriceHidden     bool    `json:"is_price_hidden"`
	IsVisible         bool    `json:"is_visible"`
	Availability      string  `json:"availability"`
	InventoryTracking string  `json:"inventory_tracking"`
	InventoryLevel    int64   `json:"inventory_level"`
	CustomURL         struct {
		URL string `json:"url"`
	} `json:"custom_url"`
	Images       []apiProductImage   `json:"images"`
	Variants     []apiProductVariant `json:"variants"`
	DateCreated  apiTime             `json:"date_created"`
	DateModified apiTime             `json:"date_modified"`
}

// apiProductImage is one of a product's images (productImage_Full).
type apiProductImage struct {
	IsThumbnail  bool   `json:"is_thumbnail"`
	URLStandard  string `json:"url_standard"`
	URLZoom      string `json:"url_zoom"`
	URLThumbnail string `json:"url_thumbnail"`
	ImageURL     string `json:"image_url"`
}

// apiProductVariant is one of a product's variants (productVariant_Full),
// for its stock.
type apiProductVariant struct {
	InventoryLevel     int64 `json:"inventory_level"`
	PurchasingDisabled bool  `json:"purchasing_disabled"`
}

// resolveProduct handles store/product/created, store/product/updated and
// store/product/inventory/updated: GET /v3/catalog/products/{id}. A product
// already gone (404) is product.deleted.
func (c *session) resolveProduct(ctx context.Context, b *builder, d hookData) ([]*event.Event, error) {
	var env productEnvelope
	err := c.get(ctx, "/v3/catalog/products/"+d.ID+"?include="+productInclude, &env)
	if isNotFound(err) {
		return []*event.Event{b.productDeleted(d.ID, apiV3)}, nil
	}
	if err != nil {
		return nil, err
	}
	if env.Data == nil {
		return nil, permanentf("product %s: answer has no data", d.ID)
	}
	if env.Data.ID == "" {
		env.Data.ID = flexID(d.ID)
	}
	return []*event.Event{b.productEvent(env.Data)}, nil
}

// productEvent builds product.updated, versioned by date_modified (else the
// webhook's created_at). The product's URL is left empty: custom_url is a
// path on the storefront, and the shop record holds the store hash, not the
// storefront's domain.
func (b *builder) productEvent(p *apiProduct) *event.Event {
	data := &event.Product{
		ID:        p.ID.String(),
		Title:     p.Name,
		ImageURL:  p.thumbnail(),
		Available: p.available(),
		UpdatedAt: p.DateModified.Time(),
	}
	if !p.IsPriceHidden {
		data.Price = dec(firstDecimal(p.CalculatedPrice, p.Price))
	}
	r := resource{
		id:         data.ID,
		version:    b.changeVersion(data.UpdatedAt),
		updated:    data.UpdatedAt,
		created:    p.DateCreated.Time(),
		apiVersion: apiV3,
	}
	return b.event(event.ProductUpdated, r, nil, data)
}

// productDeleted builds product.deleted for a product id: a one-time
// transition, keyed without a version.
func (b *builder) productDeleted(id, apiVersion string) *event.Event {
	return b.event(event.ProductDeleted, resource{id: id, apiVersion: apiVersion}, nil, &event.ProductRef{ID: id})
}

// available reports whether shoppers can buy the product: visible, not
// disabled for purchase, and in stock unless stock is not tracked. Stock
// tracked by variant is any purchasable variant's, or the product's level
// when the answer has no variants.
func (p *apiProduct) available() bool {
	if !p.IsVisible || strings.EqualFold(p.Availability, availabilityDisabled) {
		return false
	}
	switch strings.ToLower(p.InventoryTracking) {
	case trackingNone:
		return true
	case trackingVariant:
		if len(p.Variants) > 0 {
			for _, v := range p.Variants {
				if !v.PurchasingDisabled && v.InventoryLevel > 0 {
					return true
				}
			}
			return false
		}
	}
	return p.InventoryLevel > 0
}

// thumbnail is the URL of the image marked is_thumbnail, else of the first
// image: its standard size (560×850), else the largest given.
func (p *apiProduct) thumbnail() string {
	if len(p.Images) == 0 {
		return ""
	}
	img := p.Images[0]
	for _, im := range p.Images {
		if im.IsThumbnail {
			img = im
			break
		}
	}
	return firstNonEmpty(img.URLStandard, img.URLZoom, img.URLThumbnail, img.ImageURL)
}

// firstDecimal returns the first non-empty amount of ds.
func firstDecimal(ds ...decimal) decimal {
	for _, d := range ds {
		if d != "" {
			return d
		}
	}
	return ""
}
