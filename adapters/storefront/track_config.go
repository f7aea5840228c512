package storefront

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	"go.uber.org/zap"
	"golang.org/x/time/rate"
)

// DefaultMaxBody is the body limit when Config.MaxBodyBytes is zero: 16 KiB,
// room for a cart of a few dozen lines.
const DefaultMaxBody = 16 << 10

// Publisher stores one canonical event and returns after its PubAck
// (duplicate reports a msgID the stream already held). It is the same
// contract as web.EventPublisher and ingest.Publisher; implementations are
// safe for concurrent use.
type Publisher interface {
	Publish(ctx context.Context, subject, msgID string, data []byte) (duplicate bool, err error)
}

// Config configures the /track endpoint.
type Config struct {
	// Shops finds the shop of a public key (the shops file's public_key).
	// Required.
	Shops func(publicKey string) (shop string, ok bool)
	// Publisher stores the events. Required.
	Publisher Publisher
	// IPRate and IPBurst limit each client IP (ClientIP). Default 20 a
	// second with bursts of 40; rate.Inf turns the limit off.
	IPRate  rate.Limit
	IPBurst int
	// KeyRate and KeyBurst limit each public key, so one busy or abused
	// storefront cannot crowd out the others. Default 500 a second with
	// bursts of 1,000; rate.Inf turns the limit off.
	KeyRate  rate.Limit
	KeyBurst int
	// ClientIP tells the client's address for the IP limit. Default: the
	// host of the request's RemoteAddr. Behind a load balancer, read the
	// address it forwards (and trust only its own header).
	ClientIP func(r *http.Request) string
	// MaxBodyBytes bounds the body; larger ones get 413. Default
	// DefaultMaxBody.
	MaxBodyBytes int64
	// MaxClockSkew is how far the client's occurred_at may be from the
	// server's clock and still be used. Default 5 minutes.
	MaxClockSkew time.Duration
	// PublishTimeout bounds the wait for the PubAck. Default 2 s.
	PublishTimeout time.Duration
	// Now is the clock (rate limits and occurred_at). Default time.Now.
	Now func() time.Time
	// Logger. Default zap.NewNop().
	Logger *zap.Logger
}

func (c *Config) fill() error {
	if c.Shops == nil {
		return errors.New("storefront: Shops is required")
	}
	if c.Publisher == nil {
		return errors.New("storefront: Publisher is required")
	}
	if c.IPRate == 0 {
		c.IPRate = 20
	}
	if c.IPBurst == 0 {
		c.IPBurst = 40
	}
	if c.KeyRate == 0 {
		c.KeyRate = 500
	}
	if c.KeyBurst == 0 {
		c.KeyBurst = 1000
	}
	if c.IPRate < 0 || c.KeyRate < 0 || c.IPBurst < 0 || c.KeyBurst < 0 {
		return errors.New("storefront: rates and bursts cannot be negative")
	}
	if c.ClientIP == nil {
		c.ClientIP = remoteHost
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = DefaultMaxBody
	}
	if c.MaxBodyBytes < 0 {
		return errors.New("storefront: MaxBodyBytes cannot be negative")
	}
	if c.MaxClockSkew == 0 {
		c.MaxClockSkew = 5 * time.Minute
	}
	if c.PublishTimeout == 0 {
		c.PublishTimeout = 2 * time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = zap.NewNop()
	}
	return nil
}

// remoteHost is the host part of r.RemoteAddr.
func remoteHost(r *http.Request) string {
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return h
	}
	return r.RemoteAddr
}
