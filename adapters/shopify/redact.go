package shopify

import (
	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// customerRedactPayload is a customers/redact or customers/data_request
// compliance payload.
type customerRedactPayload struct {
	ShopID   literal `json:"shop_id"`
	Customer *struct {
		ID    literal `json:"id"`
		Email string  `json:"email"`
		Phone string  `json:"phone"`
	} `json:"customer"`
	OrdersToRedact  []literal `json:"orders_to_redact"`
	OrdersRequested []literal `json:"orders_requested"`
	DataRequest     *struct {
		ID literal `json:"id"`
	} `json:"data_request"`
}

// normalizeCustomerRedact maps customers/redact to customer.redact and
// customers/data_request to customer.data_request. A compliance request is
// never dropped: its resource is the customer's id, else email, else phone,
// else the delivery; a data request's is its request id when it has one.
func normalizeCustomerRedact(d *delivery, body []byte) ([]ingest.Message, error) {
	var p customerRedactPayload
	if err := decode(d.topic, body, &p); err != nil {
		return nil, err
	}
	data := &event.Redact{}
	if c := p.Customer; c != nil {
		data.CustomerID, data.Email, data.Phone = string(c.ID), c.Email, c.Phone
	}
	typ, orders := event.CustomerRedact, p.OrdersToRedact
	if d.topic == topicCustomersDataRequest {
		typ, orders = event.CustomerDataRequest, p.OrdersRequested
		if p.DataRequest != nil {
			data.RequestID = string(p.DataRequest.ID)
		}
	}
	for _, id := range orders {
		if id != "" {
			data.OrderIDs = append(data.OrderIDs, string(id))
		}
	}
	resource := firstNonEmpty(data.CustomerID, data.Email, data.Phone, d.id)
	if data.RequestID != "" {
		resource = firstNonEmpty(data.CustomerID, data.Email, data.Phone) + "/requests/" + data.RequestID
	}
	return d.one(change{
		typ:      typ,
		resource: resource,
		occurred: d.occurredAt(),
		customer: orNil(&event.Customer{ID: data.CustomerID, Email: data.Email, Phone: data.Phone}),
		data:     data,
	}), nil
}
