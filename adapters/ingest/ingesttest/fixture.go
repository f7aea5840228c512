package ingesttest

import (
	"time"

	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/adapters/shop"
)

// Fixture describes one platform to the suite.
type Fixture struct {
	// Platform is the adapter under test.
	Platform ingest.Platform
	// NewShop returns a fresh shop record of the platform with the given id,
	// a platform identity (domain) unique to id, and WebhookSecret and
	// PreviousWebhookSecret set to non-empty, different values. Any other
	// secret the platform needs (BigCommerce's header secret) is set too.
	NewShop func(id string) *shop.Shop
	// Deliver builds the delivery the platform would send from shop s for
	// topic with body, identified as delivery deliveryID, signed with
	// secret at time at. Platforms whose topic or shop live in the body
	// (BigCommerce) rewrite the body accordingly when it is valid JSON and
	// leave it as it is otherwise.
	Deliver func(s *shop.Shop, topic string, body []byte, deliveryID, secret string, at time.Time) *ingest.Request
	// Unsign removes every signature header from a delivery.
	Unsign func(req *ingest.Request)
	// Topic and Body make a delivery that normalises to at least one
	// message.
	Topic string
	Body  []byte
	// UnknownTopic and UnknownBody make a well-formed delivery of a topic
	// Boomerang does not use.
	UnknownTopic string
	UnknownBody  []byte
}
