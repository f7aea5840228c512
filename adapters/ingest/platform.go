package ingest

import (
	"errors"
	"net/http"
	"time"

	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// Sentinel errors a Platform returns; the handler maps each to an answer.
var (
	// ErrPing marks a platform's liveness ping (WooCommerce's creation
	// ping): answered 200, nothing published.
	ErrPing = errors.New("platform ping")
	// ErrUnidentified means the request does not say which shop it is for
	// (missing header, unreadable body): 400.
	ErrUnidentified = errors.New("shop not identified")
	// ErrSignature means a missing, malformed or wrong signature: 401.
	ErrSignature = errors.New("invalid signature")
	// ErrMalformed means the body is not the JSON the topic promises: 400.
	ErrMalformed = errors.New("malformed body")
	// ErrUnknownTopic means a topic Boomerang does not use: 200, ignored,
	// so the platform keeps the subscription.
	ErrUnknownTopic = errors.New("topic not used")
)

// Request is one webhook delivery as received.
type Request struct {
	// Header is the request's header.
	Header http.Header
	// Body is the raw body, exactly as signed.
	Body []byte
	// ReceivedAt is the time the delivery arrived (UTC); signature time
	// windows are checked against it.
	ReceivedAt time.Time
}

// Platform verifies and normalises one platform's webhooks. Implementations
// are safe for concurrent use and do no I/O.
type Platform interface {
	// Name is the platform's name: shopify, woocommerce or bigcommerce.
	Name() string
	// Identify returns the shop's platform identity (shop domain, site URL,
	// store hash), ErrPing for a ping, or ErrUnidentified.
	Identify(req *Request) (domain string, err error)
	// Verify checks the request's signature with the shop's secrets (the
	// current one, then the previous one during a rotation) in constant
	// time. It returns an error wrapping ErrSignature when it fails.
	Verify(s *shop.Shop, req *Request) error
	// Normalize turns a verified request into the messages to publish. It
	// returns errors wrapping ErrMalformed or ErrUnknownTopic, checked in
	// that order, or a Result. A Result may hold no messages when a used
	// topic carries nothing Boomerang acts on (a checkout with no contact
	// yet); the delivery is then answered 200 with nothing published.
	Normalize(s *shop.Shop, req *Request) (*Result, error)
}

// Result is what one delivery becomes.
type Result struct {
	// Topic is the platform's topic or scope.
	Topic string
	// DeliveryID is the platform's delivery identity.
	DeliveryID string
	// Messages are published in order; each must be acknowledged before the
	// webhook is answered 200.
	Messages []Message
}

// Message is one JetStream message: a canonical event for EVENTS, or a
// platform's thin notification for a fetch worker.
type Message struct {
	// Subject is the JetStream subject.
	Subject string
	// MsgID is the deduplication id: the same delivery always yields the
	// same ids.
	MsgID string
	// Value is marshalled to JSON as the message body (an *event.Event or
	// a platform's notification type).
	Value any
}

// Shops finds the shop a webhook names. *shop.Registry implements it.
type Shops interface {
	Lookup(platform, domain string) (*shop.Shop, bool)
}

var _ Shops = (*shop.Registry)(nil)

// EventMessage wraps a canonical event as a Message for stream EVENTS.
func EventMessage(ev *event.Event) Message {
	return Message{Subject: ev.Subject(), MsgID: ev.MsgID(), Value: ev}
}

// DeliveryHeader is implemented by platforms whose delivery carries an id
// header; the handler logs it when a delivery fails before normalisation
// names its delivery identity (a malformed body).
type DeliveryHeader interface {
	DeliveryHeader() string
}
