package shopify

import (
	"errors"
	"time"

	"go.uber.org/zap"

	"github.com/boomerang-dev/boomerang/adapters/shop"
)

// DefaultTokenLifetime is the life of an expiring offline access token:
// Shopify's expires_in is 3600 seconds.
const DefaultTokenLifetime = time.Hour

// ShopGetter finds a shop by Boomerang id; *shop.Registry is one.
type ShopGetter interface {
	Get(id string) (*shop.Shop, bool)
}

// RefresherConfig configures a Refresher.
type RefresherConfig struct {
	// Client calls the token endpoint. Required.
	Client *Client
	// Tokens holds the tokens. Required.
	Tokens TokenStore
	// Shops finds a shop's domain and api_url. Optional: without it the
	// domain comes from the id (shp-name → name.myshopify.com).
	Shops ShopGetter
	// Saver, with Shops, gets a copy of the shop record with the new access
	// token in APIToken after each refresh, so the rest of Boomerang never
	// holds an expired one. Optional.
	Saver Saver
	// Lifetime is the access token's life, for the "10 %" of the refresh
	// policy. Default DefaultTokenLifetime (1 h).
	Lifetime time.Duration
	// Logger. Default the Client's.
	Logger *zap.Logger
}

func (c *RefresherConfig) fill() error {
	if c.Client == nil {
		return errors.New("shopify: RefresherConfig.Client is required")
	}
	if c.Client.cfg.AdminOnly {
		return errors.New("shopify: refreshing tokens needs a Client with the app's credentials, not an AdminOnly one")
	}
	if c.Tokens == nil {
		return errors.New("shopify: RefresherConfig.Tokens is required")
	}
	if c.Lifetime == 0 {
		c.Lifetime = DefaultTokenLifetime
	}
	if c.Lifetime < 0 {
		return errors.New("shopify: RefresherConfig.Lifetime must be positive")
	}
	if c.Logger == nil {
		c.Logger = c.Client.cfg.Logger
	}
	return nil
}
