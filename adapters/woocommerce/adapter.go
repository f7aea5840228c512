package woocommerce

import (
	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// Adapter verifies and normalises WooCommerce webhooks. It holds no state:
// it is safe for concurrent use and its zero value is ready.
type Adapter struct{}

var _ ingest.Platform = (*Adapter)(nil)

// New returns the WooCommerce adapter.
func New() *Adapter { return &Adapter{} }

// Name returns "woocommerce".
func (*Adapter) Name() string { return event.PlatformWooCommerce }

// DeliveryHeader names the header logged with failed deliveries.
func (*Adapter) DeliveryHeader() string { return HeaderDeliveryID }
