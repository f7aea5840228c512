package bigcommerce

import (
	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// Name is the platform's name in URLs, shop records and events.
const Name = event.PlatformBigCommerce

// Adapter verifies and normalises BigCommerce webhooks. It holds no state:
// the zero value and New's result are ready to use and safe for concurrent
// use.
type Adapter struct{}

var _ ingest.Platform = (*Adapter)(nil)

// New returns the BigCommerce webhook adapter.
func New() *Adapter { return &Adapter{} }

// Name returns "bigcommerce".
func (*Adapter) Name() string { return Name }

// DeliveryHeader names the header logged with failed deliveries.
func (*Adapter) DeliveryHeader() string { return HeaderWebhookID }
