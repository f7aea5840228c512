package shopify

import (
	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// fulfillmentPayload is the part of Shopify's Fulfillment resource Boomerang
// reads.
type fulfillmentPayload struct {
	ID              literal    `json:"id"`
	OrderID         literal    `json:"order_id"`
	Status          string     `json:"status"`
	ShipmentStatus  string     `json:"shipment_status"`
	TrackingCompany string     `json:"tracking_company"`
	TrackingNumber  string     `json:"tracking_number"`
	TrackingNumbers []string   `json:"tracking_numbers"`
	TrackingURL     string     `json:"tracking_url"`
	TrackingURLs    []string   `json:"tracking_urls"`
	Email           string     `json:"email"`
	Destination     *address   `json:"destination"`
	LineItems       []lineItem `json:"line_items"`
	CreatedAt       timestamp  `json:"created_at"`
	UpdatedAt       timestamp  `json:"updated_at"`
}

// shipmentStatus is the fulfillment's shipment_status; while the carrier
// has reported nothing it is "confirmed" for a successful fulfillment, else
// the fulfillment's own status (pending, open, cancelled, error, failure).
func shipmentStatus(shipment, status string) string {
	if s := lower(shipment); s != "" {
		return s
	}
	if s := lower(status); s != "success" {
		return s
	}
	return event.ShipmentConfirmed
}

// normalizeFulfillment maps fulfillments/create and fulfillments/update to
// shipment.updated, keyed on the fulfillment and its updated_at.
func normalizeFulfillment(d *delivery, body []byte) ([]ingest.Message, error) {
	var p fulfillmentPayload
	if err := decode(d.topic, body, &p); err != nil {
		return nil, err
	}
	if p.ID == "" {
		return nil, missing(d.topic, "id")
	}
	occurred := d.occurredAt(p.UpdatedAt.Time, p.CreatedAt.Time)
	return d.one(change{
		typ:      event.ShipmentUpdated,
		resource: string(p.ID),
		version:  firstTime(p.UpdatedAt.Time, occurred),
		occurred: occurred,
		customer: orNil(&event.Customer{Email: p.Email}),
		data: &event.Shipment{
			ID:             string(p.ID),
			OrderID:        string(p.OrderID),
			Status:         shipmentStatus(p.ShipmentStatus, p.Status),
			Carrier:        p.TrackingCompany,
			TrackingNumber: firstNonEmpty(append([]string{p.TrackingNumber}, p.TrackingNumbers...)...),
			TrackingURL:    firstNonEmpty(append([]string{p.TrackingURL}, p.TrackingURLs...)...),
			Email:          p.Email,
			LineItems:      lineItems(p.LineItems),
			Destination:    p.Destination.canonical(),
			UpdatedAt:      p.UpdatedAt.Time,
		},
	}), nil
}

// fulfillmentEventPayload is a fulfillment_events/create payload: one
// tracking event a carrier or app added to a fulfillment.
type fulfillmentEventPayload struct {
	ID                  literal   `json:"id"`
	FulfillmentID       literal   `json:"fulfillment_id"`
	OrderID             literal   `json:"order_id"`
	Status              string    `json:"status"`
	Message             string    `json:"message"`
	HappenedAt          timestamp `json:"happened_at"`
	EstimatedDeliveryAt timestamp `json:"estimated_delivery_at"`
	CreatedAt           timestamp `json:"created_at"`
	UpdatedAt           timestamp `json:"updated_at"`
}

// normalizeFulfillmentEvent maps fulfillment_events/create to
// shipment.updated for the event's fulfillment. Its resource is the
// fulfillment and the event id, so it never shares a key with a
// fulfillments/update of the same updated_at.
func normalizeFulfillmentEvent(d *delivery, body []byte) ([]ingest.Message, error) {
	var p fulfillmentEventPayload
	if err := decode(d.topic, body, &p); err != nil {
		return nil, err
	}
	if p.FulfillmentID == "" {
		return nil, missing(d.topic, "fulfillment_id")
	}
	resource := string(p.FulfillmentID)
	if p.ID != "" {
		resource += "/events/" + string(p.ID)
	}
	occurred := d.occurredAt(p.UpdatedAt.Time, p.CreatedAt.Time)
	return d.one(change{
		typ:      event.ShipmentUpdated,
		resource: resource,
		version:  firstTime(p.UpdatedAt.Time, p.HappenedAt.Time, occurred),
		occurred: occurred,
		data: &event.Shipment{
			ID:                  string(p.FulfillmentID),
			OrderID:             string(p.OrderID),
			Status:              lower(p.Status),
			Message:             p.Message,
			EstimatedDeliveryAt: p.EstimatedDeliveryAt.ptr(),
			HappenedAt:          p.HappenedAt.Time,
			UpdatedAt:           p.UpdatedAt.Time,
		},
	}), nil
}
