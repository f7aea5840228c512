package bigcommerce

import (
	"context"
	"strings"

	"github.com/boomerang-dev/boomerang/flows/event"
)

// apiShipment is GET /v2/orders/{order_id}/shipments/{id}'s answer.
type apiShipment struct {
	ID                    flexID     `json:"id"`
	OrderID               flexID     `json:"order_id"`
	CustomerID            flexID     `json:"customer_id"`
	DateCreated           apiTime    `json:"date_created"`
	TrackingNumber        string     `json:"tracking_number"`
	ShippingProvider      string     `json:"shipping_provider"`
	TrackingCarrier       string     `json:"tracking_carrier"`
	TrackingLink          string     `json:"tracking_link"`
	GeneratedTrackingLink string     `json:"generated_tracking_link"`
	BillingAddress        apiAddress `json:"billing_address"`
	ShippingAddress       apiAddress `json:"shipping_address"`
	Items                 []struct {
		OrderProductID flexID `json:"order_product_id"`
		ProductID      flexID `json:"product_id"`
		Quantity       int    `json:"quantity"`
	} `json:"items"`
}

// resolveShipment handles store/shipment/created and store/shipment/updated.
func (c *session) resolveShipment(ctx context.Context, b *builder, d hookData) ([]*event.Event, error) {
	var sh *apiShipment
	if err := c.get(ctx, "/v2/orders/"+d.OrderID+"/shipments/"+d.ID, &sh); err != nil {
		return nil, err
	}
	if sh == nil {
		return nil, permanentf("shipment %s of order %s: empty answer", d.ID, d.OrderID)
	}
	if sh.ID == "" {
		sh.ID = flexID(d.ID)
	}
	if sh.OrderID == "" {
		sh.OrderID = flexID(d.OrderID)
	}
	return []*event.Event{b.shipmentEvent(sh)}, nil
}

// shipmentEvent builds shipment.updated. A BigCommerce shipment is created
// when the merchant ships, so its status is in_transit. Shipments carry no
// modification time: the event's trigger time stands in for it (else the
// shipment's creation), so an update keeps a key distinct from the
// creation's.
func (b *builder) shipmentEvent(sh *apiShipment) *event.Event {
	created := sh.DateCreated.Time()
	updated := firstTime(b.n.CreatedAt, created)
	data := &event.Shipment{
		ID:             sh.ID.String(),
		OrderID:        sh.OrderID.String(),
		Status:         event.ShipmentInTransit,
		Carrier:        firstNonEmpty(sh.ShippingProvider, sh.TrackingCarrier),
		TrackingNumber: sh.TrackingNumber,
		TrackingURL:    firstNonEmpty(sh.TrackingLink, sh.GeneratedTrackingLink),
		Email:          strings.TrimSpace(sh.BillingAddress.Email),
		Destination:    address(sh.ShippingAddress),
		HappenedAt:     created,
		UpdatedAt:      updated,
	}
	for _, it := range sh.Items {
		data.LineItems = append(data.LineItems, event.LineItem{
			ID:        it.OrderProductID.String(),
			ProductID: it.ProductID.orNone(),
			Quantity:  it.Quantity,
		})
	}
	r := resource{id: data.ID, version: updated, updated: updated, created: created, apiVersion: apiV2}
	a := sh.BillingAddress
	cust := &event.Customer{
		ID: sh.CustomerID.orNone(), Email: data.Email, Phone: a.Phone, FirstName: a.FirstName, LastName: a.LastName,
	}
	return b.event(event.ShipmentUpdated, r, cust, data)
}
