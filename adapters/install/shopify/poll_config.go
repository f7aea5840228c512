package shopify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.uber.org/zap"
)

// Defaults of PollerConfig. Page sizes keep each query's requested cost
// (Shopify counts every object a query may return: an order with ten line
// items is about 90 points) under the 1,000-point ceiling of one query.
const (
	// DefaultOrderPageSize is how many orders one orders query asks for.
	DefaultOrderPageSize = 10
	// DefaultCheckoutPageSize is how many abandoned checkouts one query asks for.
	DefaultCheckoutPageSize = 10
	// DefaultCustomerPageSize is how many customers one query asks for.
	DefaultCustomerPageSize = 50
	// DefaultLineItemPageSize is how many line items of each order or
	// checkout come with the page; the rest are read with one more query
	// per resource (MoreLineItemsPageSize at a time).
	DefaultLineItemPageSize = 10
	// MoreLineItemsPageSize is the page size of the follow-up line item
	// queries (about 300 points each).
	MoreLineItemsPageSize = 50
	// DefaultMaxThrottleRetries is how many throttled answers in a row one
	// request waits out before the poll gives up with ErrTemporary.
	DefaultMaxThrottleRetries = 10
	// DefaultMaxThrottleWait bounds one wait for the cost bucket to refill.
	DefaultMaxThrottleWait = time.Minute
)

// PollerConfig configures a Poller.
type PollerConfig struct {
	// Client reaches each shop's GraphQL Admin API (its API version,
	// BOOMERANG_SHOPIFY_URL and HTTP client) with the shop's APIToken.
	// Required.
	Client *Client
	// OrderPageSize is the orders per query, 1 to 50. Default
	// DefaultOrderPageSize (10).
	OrderPageSize int
	// CheckoutPageSize is the abandoned checkouts per query, 1 to 50.
	// Default DefaultCheckoutPageSize (10).
	CheckoutPageSize int
	// CustomerPageSize is the customers per query, 1 to 250. Default
	// DefaultCustomerPageSize (50).
	CustomerPageSize int
	// LineItemPageSize is the line items of each order or checkout read
	// with its page, 1 to 100. Default DefaultLineItemPageSize (10).
	LineItemPageSize int
	// MaxThrottleRetries is how many THROTTLED (or HTTP 429) answers in a
	// row one request waits out, 1 to 100. Default
	// DefaultMaxThrottleRetries (10).
	MaxThrottleRetries int
	// MaxThrottleWait bounds one wait for the bucket to refill. Default
	// DefaultMaxThrottleWait (1 minute).
	MaxThrottleWait time.Duration
	// Now is the clock that stamps the events' received_at. Default: the
	// Client's clock.
	Now func() time.Time
	// Wait blocks for d or until ctx is done, returning ctx.Err() then.
	// Default: a timer. Tests inject one that records the waits.
	Wait func(ctx context.Context, d time.Duration) error
	// Logger. Default zap.NewNop().
	Logger *zap.Logger
}

func (c *PollerConfig) fill() error {
	if c.Client == nil {
		return errors.New("shopify poller: Client is required")
	}
	sizes := []struct {
		name     string
		v        *int
		def, max int
	}{
		{"OrderPageSize", &c.OrderPageSize, DefaultOrderPageSize, 50},
		{"CheckoutPageSize", &c.CheckoutPageSize, DefaultCheckoutPageSize, 50},
		{"CustomerPageSize", &c.CustomerPageSize, DefaultCustomerPageSize, 250},
		{"LineItemPageSize", &c.LineItemPageSize, DefaultLineItemPageSize, 100},
		{"MaxThrottleRetries", &c.MaxThrottleRetries, DefaultMaxThrottleRetries, 100},
	}
	for _, s := range sizes {
		if *s.v == 0 {
			*s.v = s.def
		}
		if *s.v < 1 || *s.v > s.max {
			return fmt.Errorf("shopify poller: %s %d is not within 1 to %d", s.name, *s.v, s.max)
		}
	}
	if c.MaxThrottleWait == 0 {
		c.MaxThrottleWait = DefaultMaxThrottleWait
	}
	if c.MaxThrottleWait < 0 {
		return fmt.Errorf("shopify poller: MaxThrottleWait %s is negative", c.MaxThrottleWait)
	}
	if c.Now == nil {
		c.Now = c.Client.cfg.Now
	}
	if c.Wait == nil {
		c.Wait = waitTimer
	}
	if c.Logger == nil {
		c.Logger = zap.NewNop()
	}
	return nil
}

// waitTimer is the default Wait: a timer that gives way to ctx.
func waitTimer(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
