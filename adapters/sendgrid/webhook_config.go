package sendgrid

import (
	"context"
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
)

// DefaultMaxBody is the body limit when WebhookConfig.MaxBodyBytes is zero:
// 5 MiB.
const DefaultMaxBody = 5 << 20

// Publisher stores a message durably and returns once it is stored (the
// JetStream PubAck) or refused. duplicate reports a message the stream
// already held under msgID. Implementations are safe for concurrent use;
// adapters/jetstream.Publisher is one.
type Publisher interface {
	Publish(ctx context.Context, subject, msgID string, data []byte) (duplicate bool, err error)
}

// WebhookConfig configures a Webhook.
type WebhookConfig struct {
	// PublicKey is the Event Webhook's verification key as SendGrid shows it
	// (base64 DER, BOOMERANG_SENDGRID_WEBHOOK_KEY). Empty: every request is
	// answered 401 (and that is logged once), since unsigned events cannot be
	// trusted.
	PublicKey string
	// Publisher stores the events. Required.
	Publisher Publisher
	// MaxBodyBytes bounds the request body; larger bodies get 413.
	// Default DefaultMaxBody.
	MaxBodyBytes int64
	// PublishTimeout bounds the wait for all PubAcks of one request.
	// Default 5 s.
	PublishTimeout time.Duration
	// Now is the clock for the signature's freshness and received_at.
	// Default time.Now.
	Now func() time.Time
	// Logger. Default zap.NewNop().
	Logger *zap.Logger
	// Registerer receives the webhook's metrics. Default: none registered.
	Registerer prometheus.Registerer
}

func (c *WebhookConfig) fill() error {
	if c.Publisher == nil {
		return errors.New("sendgrid: webhook Publisher is required")
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = DefaultMaxBody
	}
	if c.MaxBodyBytes < 0 {
		return errors.New("sendgrid: webhook MaxBodyBytes cannot be negative")
	}
	if c.PublishTimeout == 0 {
		c.PublishTimeout = 5 * time.Second
	}
	if c.PublishTimeout < 0 {
		return errors.New("sendgrid: webhook PublishTimeout cannot be negative")
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = zap.NewNop()
	}
	return nil
}
