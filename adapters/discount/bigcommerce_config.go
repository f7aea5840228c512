package discount

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"go.uber.org/zap"
)

// BigCommerceConfig configures a BigCommerce Maker for one store.
type BigCommerceConfig struct {
	// BaseURL is the store's API base,
	// https://api.bigcommerce.com/stores/{store_hash} (tests point it at a
	// local server). Required.
	BaseURL string
	// AccessToken is the store's API token, sent as X-Auth-Token; it needs
	// the Marketing modify scope (store_v2_marketing). Required; never
	// logged.
	AccessToken string
	// HTTPClient sends the requests. Default: a client with a 10 s timeout.
	// The Maker uses a copy that never follows redirects.
	HTTPClient *http.Client
	// Now is the clock, used for Retry-After dates. Default time.Now.
	Now func() time.Time
	// Logger. Default zap.NewNop().
	Logger *zap.Logger
}

func (c *BigCommerceConfig) fill() error {
	u, err := checkBaseURL(c.BaseURL)
	if err != nil {
		return fmt.Errorf("discount: bigcommerce BaseURL: %w", err)
	}
	c.BaseURL = u.String()
	if strings.TrimSpace(c.AccessToken) == "" {
		return errors.New("discount: bigcommerce AccessToken is required")
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = zap.NewNop()
	}
	return nil
}
