package bigcommerce

import (
	"time"

	"github.com/boomerang-dev/boomerang/flows/event"
)

// API versions recorded in events' sources.
const (
	apiV2 = "v2"
	apiV3 = "v3"
)

// builder makes the canonical events of one notification.
type builder struct {
	shop string
	n    *Notification
}

// resource describes the resource an event is about.
type resource struct {
	id string
	// version is the resource's updated time for changing resources, zero
	// for one-time transitions.
	version time.Time
	// updated and created are the resource's own times, for OccurredAt.
	updated, created time.Time
	apiVersion       string
}

// event builds one canonical event of type t.
func (b *builder) event(t event.Type, r resource, cust *event.Customer, data any) *event.Event {
	if cust.Empty() {
		cust = nil
	}
	return &event.Event{
		SchemaVersion: event.SchemaVersion,
		ID:            event.DeliveryID(Name, b.shop, b.n.DeliveryID(), t),
		Key:           event.SemanticKey(t, b.shop, r.id, r.version),
		Type:          t,
		Shop:          b.shop,
		Platform:      Name,
		OccurredAt:    firstTime(r.updated, r.created, b.n.CreatedAt, b.n.ReceivedAt).UTC(),
		ReceivedAt:    b.n.ReceivedAt.UTC(),
		Customer:      cust,
		Data:          data,
		Source:        event.Source{Topic: b.n.Scope, DeliveryID: b.n.DeliveryID(), APIVersion: r.apiVersion},
	}
}

// changeVersion is the version of a changing resource: its updated time,
// else the event's trigger time, so that distinct changes of a resource
// without a modification time keep distinct keys.
func (b *builder) changeVersion(updated time.Time) time.Time {
	return firstTime(updated, b.n.CreatedAt)
}
