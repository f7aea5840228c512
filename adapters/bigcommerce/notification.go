package bigcommerce

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/boomerang-dev/boomerang/flows/event"
)

// SubjectPrefix starts the subject of every notification:
// fetch.bigcommerce.<shop id>.
const SubjectPrefix = "fetch." + Name + "."

// notificationType names the notification message in DeliveryID.
const notificationType event.Type = "notification"

// Notification is the thin form of a verified BigCommerce webhook, published
// on stream FETCH for the fetch worker, which hands it to Fetcher.Resolve.
// It is also what `boomerang normalize` prints for BigCommerce.
type Notification struct {
	// Shop is Boomerang's id for the shop.
	Shop string `json:"shop"`
	// Scope is the webhook's scope, such as "store/order/created".
	Scope string `json:"scope"`
	// StoreID is BigCommerce's numeric store id, as text.
	StoreID string `json:"store_id,omitempty"`
	// Producer is "stores/{store_hash}".
	Producer string `json:"producer,omitempty"`
	// Hash is the payload's hash, identical for a re-fire of the same event;
	// with the scope and the shop it is the delivery identity. When a
	// payload has none, the webhook-id header stands in, else the hex
	// SHA-1 of the body.
	Hash string `json:"hash"`
	// CreatedAt is when BigCommerce raised the event (the payload's
	// created_at), zero when absent.
	CreatedAt time.Time `json:"created_at,omitzero"`
	// Data is the payload's data object as received: the resource's type
	// and id, and scope-specific fields (token, orderId, status).
	Data json.RawMessage `json:"data"`
	// WebhookID is the delivery's webhook-id header.
	WebhookID string `json:"webhook_id,omitempty"`
	// ReceivedAt is when Boomerang received the delivery.
	ReceivedAt time.Time `json:"received_at"`
}

// DeliveryID is the delivery identity: scope, hash and the event's
// created_at. BigCommerce's hash covers the data object only, which for most
// scopes is just the resource's type and id, so two changes to one cart
// share a hash; created_at (kept on retries of the same event) tells them
// apart, so a second change within the stream's dedup window is not dropped
// as a duplicate of the first.
func (n *Notification) DeliveryID() string {
	id := n.Scope + ":" + n.Hash
	if !n.CreatedAt.IsZero() {
		id += ":" + strconv.FormatInt(n.CreatedAt.Unix(), 10)
	}
	return id
}

// Subject is the notification's JetStream subject.
func (n *Notification) Subject() string { return SubjectPrefix + n.Shop }

// MsgID is the JetStream dedup id: a re-fire of the same event, with the
// same hash, gets the same id.
func (n *Notification) MsgID() string {
	return event.DeliveryID(Name, n.Shop, n.DeliveryID(), notificationType)
}
