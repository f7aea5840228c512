package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"go.uber.org/zap"

	"github.com/boomerang-dev/boomerang/adapters/discount"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/processor"
	"github.com/boomerang-dev/boomerang/processor/send"
)

// discounts creates runs' discount codes through each shop's platform API
// (adapters/discount). A shop without api_token gets made-up codes.
type discounts struct {
	shops *shop.Registry
	// shopifyURL and bigcommerceURL are the API base templates
	// (BOOMERANG_SHOPIFY_URL, BOOMERANG_BIGCOMMERCE_API_URL); a shop's own
	// api_url wins.
	shopifyURL, bigcommerceURL string
	log                        *zap.Logger

	mu     sync.Mutex
	makers map[string]makerEntry
}

type makerEntry struct {
	token string // the credentials it was built with: a rotated token rebuilds it
	maker discount.Maker
}

func (d *discounts) Ensure(ctx context.Context, shopID string, pd *processor.Discount) (bool, error) {
	s, ok := d.shops.Get(shopID)
	if !ok {
		return false, fmt.Errorf("shop %q is not configured", shopID)
	}
	if s.APIToken == "" {
		return true, nil
	}
	m, err := d.maker(s)
	if err != nil {
		return false, err
	}
	_, err = m.Ensure(ctx, discount.Code{
		Code: pd.Code, Title: "Boomerang " + pd.Step, Percent: pd.Percent, Amount: pd.Amount,
		FreeShipping: pd.FreeShipping, ProductIDs: pd.ProductIDs, StartsAt: pd.StartsAt, ExpiresAt: pd.ExpiresAt,
		UsageLimit: 1,
	})
	if errors.Is(err, discount.ErrTemporary) {
		return false, fmt.Errorf("%w: %w", send.ErrDiscountTemporary, err)
	}
	return false, err
}

func (d *discounts) maker(s *shop.Shop) (discount.Maker, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if e, ok := d.makers[s.ID]; ok && e.token == s.APIToken {
		return e.maker, nil
	}
	var (
		m   discount.Maker
		err error
	)
	switch s.Platform {
	case "shopify":
		base := s.APIURL
		if base == "" {
			base = strings.ReplaceAll(d.shopifyURL, "{shop}", s.Domain)
		}
		m, err = discount.NewShopify(discount.ShopifyConfig{BaseURL: base, AccessToken: s.APIToken, Logger: d.log})
	case "bigcommerce":
		base := s.APIURL
		if base == "" {
			base = strings.ReplaceAll(d.bigcommerceURL, "{store_hash}", s.Domain)
		}
		m, err = discount.NewBigCommerce(discount.BigCommerceConfig{BaseURL: base, AccessToken: s.APIToken, Logger: d.log})
	case "woocommerce":
		key, secret, ok := strings.Cut(s.APIToken, ":")
		if !ok {
			return nil, fmt.Errorf("shop %s: a WooCommerce api_token is consumer_key:consumer_secret", s.ID)
		}
		site := s.APIURL
		if site == "" {
			site = "https://" + strings.TrimPrefix(strings.TrimPrefix(s.Domain, "https://"), "http://")
		}
		m, err = discount.NewWooCommerce(discount.WooCommerceConfig{SiteURL: site, ConsumerKey: key, ConsumerSecret: secret, Logger: d.log})
	default:
		return nil, fmt.Errorf("shop %s: platform %q has no discount codes", s.ID, s.Platform)
	}
	if err != nil {
		return nil, err
	}
	if d.makers == nil {
		d.makers = map[string]makerEntry{}
	}
	d.makers[s.ID] = makerEntry{token: s.APIToken, maker: m}
	return m, nil
}
