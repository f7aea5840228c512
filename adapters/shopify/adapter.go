package shopify

import (
	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// Adapter verifies and normalises Shopify webhooks. It holds no state: the
// zero value is ready to use and safe for concurrent use.
type Adapter struct{}

var _ ingest.Platform = (*Adapter)(nil)

// New returns a Shopify adapter.
func New() *Adapter { return &Adapter{} }

// Name returns "shopify".
func (*Adapter) Name() string { return event.PlatformShopify }

// DeliveryHeader names the header logged with failed deliveries.
func (*Adapter) DeliveryHeader() string { return HeaderWebhookID }
