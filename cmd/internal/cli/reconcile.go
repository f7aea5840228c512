package cli

import (
	"context"
	"time"

	"go.uber.org/zap"

	"github.com/boomerang-dev/boomerang/adapters/bigcommerce"
	"github.com/boomerang-dev/boomerang/adapters/install/shopify"
	"github.com/boomerang-dev/boomerang/adapters/install/woocommerce"
	"github.com/boomerang-dev/boomerang/adapters/reconcile"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// reconcileSources builds each platform's reconcile source. fileShops are
// the ids of the shops file's shops: the operator wrote their URLs, so
// their stores may sit on a private network; an installed shop's store URL
// came from the internet and is dialled with private addresses refused.
func reconcileSources(cfg *Config, fileShops map[string]bool, log *zap.Logger) (map[string]reconcile.Source, error) {
	fetcher, err := bigcommerce.NewFetcher(bigcommerce.FetcherConfig{APIURL: cfg.BigCommerceAPIURL})
	if err != nil {
		return nil, err
	}
	wooTrusted, err := woocommerce.NewPoller(woocommerce.PollerConfig{AllowPrivateHosts: true, Logger: log.Named("woocommerce-poll")})
	if err != nil {
		return nil, err
	}
	wooGuarded, err := woocommerce.NewPoller(woocommerce.PollerConfig{Logger: log.Named("woocommerce-poll")})
	if err != nil {
		return nil, err
	}
	// The app's credentials are not needed to read a shop's Admin API with
	// its own token (installed shops' and custom apps' alike).
	client, err := shopify.NewClient(shopify.ClientConfig{AdminOnly: true, ShopURL: cfg.ShopifyURL, Logger: log.Named("shopify-poll")})
	if err != nil {
		return nil, err
	}
	shopifyPoller, err := shopify.NewPoller(shopify.PollerConfig{Client: client, Logger: log.Named("shopify-poll")})
	if err != nil {
		return nil, err
	}
	return map[string]reconcile.Source{
		event.PlatformShopify:     shopifyPoller,
		event.PlatformBigCommerce: fetcher,
		event.PlatformWooCommerce: byOrigin{trusted: wooTrusted, guarded: wooGuarded, fromFile: fileShops},
	}, nil
}

// byOrigin polls the shops file's shops with one source and installed
// shops with another.
type byOrigin struct {
	trusted, guarded reconcile.Source
	fromFile         map[string]bool
}

func (b byOrigin) Changes(ctx context.Context, s *shop.Shop, w reconcile.Window, emit func(*event.Event) error) error {
	if b.fromFile[s.ID] {
		return b.trusted.Changes(ctx, s, w, emit)
	}
	return b.guarded.Changes(ctx, s, w, emit)
}

// reconcileEvery parses BOOMERANG_RECONCILE_INTERVAL; zero turns polling
// off.
func reconcileEvery(v string) (time.Duration, error) {
	if v == "0" {
		return 0, nil
	}
	return time.ParseDuration(v)
}
