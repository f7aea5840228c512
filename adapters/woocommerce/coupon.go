package woocommerce

import (
	"time"

	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// normalizeCoupon maps coupon.created, coupon.updated and coupon.restored to
// coupon.updated, versioned by date_modified_gmt.
func normalizeCoupon(d *delivery) (*ingest.Result, error) {
	var c coupon
	if err := d.decode(&c); err != nil {
		return nil, err
	}
	if c.ID == "" {
		return nil, errMissingID(d)
	}
	modified, created := c.DateModifiedGMT.Time(), c.DateCreatedGMT.Time()
	usage := 0
	if c.UsageCount != nil {
		usage = *c.UsageCount
	}
	data := &event.Coupon{
		ID:           string(c.ID),
		Code:         c.Code,
		DiscountType: c.DiscountType,
		Amount:       event.Decimal(c.Amount),
		UsageCount:   usage,
		ExpiresAt:    timePtr(c.DateExpiresGMT.Time()),
		UpdatedAt:    firstSet(modified, created),
	}
	id := d.identity(data.ID, modified)
	ev := d.newEvent(event.CouponUpdated, id, data.ID, firstSet(modified, created), d.occurredAt(modified, created), nil, data)
	return d.result(id, ev), nil
}

// normalizeCouponDeleted maps coupon.deleted (a move to the trash; the body
// is {"id": N}) to coupon.updated with Deleted set. The code is unknown.
func normalizeCouponDeleted(d *delivery) (*ingest.Result, error) {
	ref, err := decodeDeleted(d)
	if err != nil {
		return nil, err
	}
	id := d.identity(ref, time.Time{})
	data := &event.Coupon{ID: ref, Deleted: true}
	ev := d.newEvent(event.CouponUpdated, id, ref, time.Time{}, d.occurredAt(time.Time{}, time.Time{}), nil, data)
	return d.result(id, ev), nil
}

// decodeDeleted reads the id of a *.deleted body.
func decodeDeleted(d *delivery) (string, error) {
	var ref deleted
	if err := d.decode(&ref); err != nil {
		return "", err
	}
	if ref.ID == "" {
		return "", errMissingID(d)
	}
	return string(ref.ID), nil
}
