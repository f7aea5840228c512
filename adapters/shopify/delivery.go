package shopify

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// delivery is what one webhook delivery says about itself in its headers:
// everything an event needs beside the payload.
type delivery struct {
	shop        *shop.Shop
	topic       string
	id          string
	apiVersion  string
	triggeredAt time.Time
	receivedAt  time.Time
}

func newDelivery(s *shop.Shop, topic string, req *ingest.Request) *delivery {
	return &delivery{
		shop:        s,
		topic:       topic,
		id:          deliveryID(topic, req),
		apiVersion:  strings.TrimSpace(req.Header.Get(HeaderAPIVersion)),
		triggeredAt: triggeredAt(req),
		receivedAt:  req.ReceivedAt.UTC(),
	}
}

// deliveryID is X-Shopify-Webhook-Id, else the hex SHA-256 of the topic, a
// NUL byte and the body, so a retry of an unlabelled delivery still dedups.
func deliveryID(topic string, req *ingest.Request) string {
	if id := strings.TrimSpace(req.Header.Get(HeaderWebhookID)); id != "" {
		return id
	}
	h := sha256.New()
	h.Write([]byte(topic))
	h.Write([]byte{0})
	h.Write(req.Body)
	return hex.EncodeToString(h.Sum(nil))
}

// triggeredAt parses X-Shopify-Triggered-At; a missing or unparsable header
// is the zero time.
func triggeredAt(req *ingest.Request) time.Time {
	v := strings.TrimSpace(req.Header.Get(HeaderTriggeredAt))
	if v == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

// occurredAt is the first of the resource's own times (updated_at, then
// created_at) that is set, else the trigger time, else the receive time.
func (d *delivery) occurredAt(resourceTimes ...time.Time) time.Time {
	return firstTime(append(resourceTimes, d.triggeredAt, d.receivedAt)...).UTC()
}

// change describes the one event a delivery becomes.
type change struct {
	typ event.Type
	// resource identifies the changed thing within the shop and type.
	resource string
	// version is the resource's updated_at for changing resources, zero for
	// one-time transitions.
	version  time.Time
	occurred time.Time
	customer *event.Customer
	data     any
}

// message builds the canonical event for c and wraps it for JetStream.
func (d *delivery) message(c change) ingest.Message {
	return ingest.EventMessage(&event.Event{
		SchemaVersion: event.SchemaVersion,
		ID:            event.DeliveryID(event.PlatformShopify, d.shop.ID, d.id, c.typ),
		Key:           event.SemanticKey(c.typ, d.shop.ID, c.resource, c.version),
		Type:          c.typ,
		Shop:          d.shop.ID,
		Platform:      event.PlatformShopify,
		OccurredAt:    c.occurred,
		ReceivedAt:    d.receivedAt,
		Customer:      c.customer,
		Data:          c.data,
		Source: event.Source{
			Topic:      d.topic,
			DeliveryID: d.id,
			APIVersion: d.apiVersion,
		},
	})
}

// one returns the single message of c.
func (d *delivery) one(c change) []ingest.Message {
	return []ingest.Message{d.message(c)}
}
