package woocommerce

import (
	"html"
	"time"

	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// normalizeProduct maps product.created, product.updated and
// product.restored (for products and their variations) to product.updated,
// versioned by date_modified_gmt. The payload has no currency: it is the
// store's, which the product resource does not name.
func normalizeProduct(d *delivery) (*ingest.Result, error) {
	var p product
	if err := d.decode(&p); err != nil {
		return nil, err
	}
	if p.ID == "" {
		return nil, errMissingID(d)
	}
	modified, created := p.DateModifiedGMT.Time(), p.DateCreatedGMT.Time()
	img := p.Image.Src
	if len(p.Images) > 0 {
		img = p.Images[0].Src
	}
	data := &event.Product{
		ID:        string(p.ID),
		Title:     html.UnescapeString(p.Name),
		URL:       p.Permalink,
		ImageURL:  img,
		Price:     event.Decimal(p.Price),
		Available: available(&p),
		UpdatedAt: firstSet(modified, created),
	}
	id := d.identity(data.ID, modified)
	ev := d.newEvent(event.ProductUpdated, id, data.ID, firstSet(modified, created), d.occurredAt(modified, created), nil, data)
	return d.result(id, ev), nil
}

// available reports whether shoppers can buy the product: published (or a
// variation, whose status may be absent), purchasable and not out of stock.
func available(p *product) bool {
	if p.Status != "" && p.Status != "publish" {
		return false
	}
	if p.Purchasable != nil && !*p.Purchasable {
		return false
	}
	return p.StockStatus != "outofstock"
}

// normalizeProductDeleted maps product.deleted ({"id": N}) to
// product.deleted.
func normalizeProductDeleted(d *delivery) (*ingest.Result, error) {
	ref, err := decodeDeleted(d)
	if err != nil {
		return nil, err
	}
	id := d.identity(ref, time.Time{})
	ev := d.newEvent(event.ProductDeleted, id, ref, time.Time{}, d.occurredAt(time.Time{}, time.Time{}), nil, &event.ProductRef{ID: ref})
	return d.result(id, ev), nil
}
