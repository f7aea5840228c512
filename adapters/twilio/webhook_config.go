package twilio

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"go.uber.org/zap"
)

// DefaultMaxBodyBytes is the webhook body limit when
// WebhookConfig.MaxBodyBytes is zero: 64 KiB, far above any Twilio form
// (a 1,600-character body and ten media URLs fit in a few KiB).
const DefaultMaxBodyBytes = 64 << 10

// WebhookPath is where the Webhook is mounted.
const WebhookPath = "/webhooks/twilio"

// Shops finds the shop a request belongs to. Implementations are safe
// for concurrent use.
type Shops interface {
	// ShopBySender returns the shop whose SMS sender is number (E.164, as
	// Twilio writes it) or, when no shop sends from that number, the shop
	// whose Messaging Service is service (MG…; "" matches none). ok is
	// false when neither names a shop.
	ShopBySender(number, service string) (s Shop, ok bool)
	// Shop returns the shop whose id is id, for its own path
	// (ShopWebhookPath); ok is false when there is none.
	Shop(id string) (s Shop, ok bool)
}

// Shop is what the Webhook knows of a shop.
type Shop struct {
	// ID is Boomerang's id for the shop.
	ID string
	// HelpText is the reply to HELP; "" for none.
	HelpText string
	// AuthToken is the token of the shop's own Twilio account or
	// subaccount, which signs what Twilio posts for that account: requests
	// on the shop's path are verified with it and nothing else. Empty: the
	// shop uses the role's account, and its path is verified with
	// WebhookConfig.AuthToken. Never logged.
	AuthToken string
}

// Publisher stores a message durably and returns once it is stored (the
// JetStream PubAck) or refused; duplicate reports a message the stream
// already held under msgID. Implementations are safe for concurrent use.
// adapters/jetstream's publisher satisfies it.
type Publisher interface {
	Publish(ctx context.Context, subject, msgID string, data []byte) (duplicate bool, err error)
}

// WebhookConfig configures a Webhook.
type WebhookConfig struct {
	// AuthToken is the role's account's token (TWILIO_AUTH_TOKEN): it
	// verifies X-Twilio-Signature on WebhookPath, and on the paths of shops
	// without an account of their own. Empty: those requests get 401
	// (nothing unverified is accepted), while shops with their own
	// accounts are still served on their paths.
	AuthToken string
	// PublicURL is the externally visible base URL Twilio calls, such as
	// https://app.example (BOOMERANG_PUBLIC_URL). The signed URL is
	// PublicURL + the request's path + its query, so the handler must see
	// the path Twilio called (mount it without http.StripPrefix). Required.
	PublicURL string
	// Shops finds the shops: by number or Messaging Service on
	// WebhookPath, by id on a shop's path. Required.
	Shops Shops
	// Publisher stores the events. Required.
	Publisher Publisher
	// MaxBodyBytes bounds the request body; larger bodies get 413.
	// Default DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// PublishTimeout bounds the wait for the PubAcks of one request.
	// Default 5 s, inside Twilio's 15 s webhook timeout.
	PublishTimeout time.Duration
	// Now is the clock for received_at. Default time.Now.
	Now func() time.Time
	// Logger. Default zap.NewNop().
	Logger *zap.Logger
}

// fill applies defaults and validates c.
func (c *WebhookConfig) fill() error {
	if c.PublicURL == "" {
		return errors.New("twilio: WebhookConfig.PublicURL is required")
	}
	u, err := url.Parse(c.PublicURL)
	if err != nil {
		return fmt.Errorf("twilio: WebhookConfig.PublicURL: %w", err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" {
		return fmt.Errorf("twilio: WebhookConfig.PublicURL %q must be an http(s) base URL without a query", c.PublicURL)
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	if c.Shops == nil {
		return errors.New("twilio: WebhookConfig.Shops is required")
	}
	if c.Publisher == nil {
		return errors.New("twilio: WebhookConfig.Publisher is required")
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.MaxBodyBytes < 0 {
		return errors.New("twilio: WebhookConfig.MaxBodyBytes cannot be negative")
	}
	if c.PublishTimeout == 0 {
		c.PublishTimeout = 5 * time.Second
	}
	if c.PublishTimeout < 0 {
		return errors.New("twilio: WebhookConfig.PublishTimeout cannot be negative")
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = zap.NewNop()
	}
	return nil
}
