package ingest

import (
	"context"
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
)

// DefaultMaxBody is the body limit when Config.MaxBodyBytes is zero: 5 MiB,
// far above any store webhook (Shopify's largest orders are a few hundred KiB).
const DefaultMaxBody = 5 << 20

// Publisher stores a message durably and returns once it is stored (the
// JetStream PubAck) or refused. duplicate reports a message the stream
// already held under msgID. Implementations are safe for concurrent use.
type Publisher interface {
	Publish(ctx context.Context, subject, msgID string, data []byte) (duplicate bool, err error)
}

// Config configures a Handler.
type Config struct {
	// Shops finds a webhook's shop. Required.
	Shops Shops
	// Publisher stores the messages. Required.
	Publisher Publisher
	// Platforms are the adapters, one per platform name. Required.
	Platforms []Platform
	// MaxBodyBytes bounds the request body; larger bodies get 413.
	// Default DefaultMaxBody.
	MaxBodyBytes int64
	// PublishTimeout bounds the wait for all PubAcks of one delivery.
	// Default 2 s, well inside Shopify's 5 s answer budget.
	PublishTimeout time.Duration
	// Logger. Default zap.NewNop().
	Logger *zap.Logger
	// Registerer receives the handler's metrics. Default: none registered.
	Registerer prometheus.Registerer
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

func (c *Config) fill() error {
	if c.Shops == nil {
		return errors.New("ingest: Shops is required")
	}
	if c.Publisher == nil {
		return errors.New("ingest: Publisher is required")
	}
	if len(c.Platforms) == 0 {
		return errors.New("ingest: at least one Platform is required")
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = DefaultMaxBody
	}
	if c.MaxBodyBytes < 0 {
		return errors.New("ingest: MaxBodyBytes cannot be negative")
	}
	if c.PublishTimeout == 0 {
		c.PublishTimeout = 2 * time.Second
	}
	if c.Logger == nil {
		c.Logger = zap.NewNop()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return nil
}
