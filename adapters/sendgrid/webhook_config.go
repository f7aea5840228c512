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

// Shops finds what a shop's path (ShopWebhookPath) is verified with.
// Implementations are safe for concurrent use.
type Shops interface {
	// Account returns the shop's SendGrid account as the webhook sees it;
	// ok is false when no shop has that id.
	Account(shop string) (a ShopAccount, ok bool)
}

// ShopAccount is what verifies a shop's Event Webhook.
type ShopAccount struct {
	// Own reports that the shop sends through a SendGrid account of its
	// own, which signs its Event Webhook with its own key: the shop's path
	// is verified with WebhookKey and never with the role's key. False:
	// the shop uses the role's account, and its path is verified with
	// WebhookConfig.PublicKey.
	Own bool
	// WebhookKey is the own account's verification key as SendGrid shows
	// it (base64 DER, the shop's email.sendgrid_webhook_key). Empty with
	// Own: the shop's events cannot be verified and get 401.
	WebhookKey string
}

// WebhookConfig configures a Webhook.
type WebhookConfig struct {
	// PublicKey is the role's account's Event Webhook verification key as
	// SendGrid shows it (base64 DER, BOOMERANG_SENDGRID_WEBHOOK_KEY). It
	// verifies WebhookPath, the paths of shops without an account of their
	// own, and the paths naming no known shop. Empty: those requests are
	// answered 401 (logged once), since unsigned events cannot be trusted;
	// shops with their own keys are still served on their paths.
	PublicKey string
	// Shops finds the shops of the per-shop paths. Nil: every per-shop
	// path names an unknown shop (401 unless signed with PublicKey, then
	// 404).
	Shops Shops
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
