package cli

import (
	"context"
	"time"

	"github.com/boomerang-dev/boomerang/adapters/reconcile"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/adapters/web"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// importable reports whether a shop's history can be imported (and its
// store polled): a platform with a reconcile source, and API credentials.
func importable(s *shop.Shop) bool {
	switch s.Platform {
	case event.PlatformShopify, event.PlatformWooCommerce, event.PlatformBigCommerce:
		return s.APIToken != ""
	}
	return false
}

// importAPI serves the admin API's history imports (web.Importer).
type importAPI struct {
	req   importRequester
	shops *shop.Registry
}

var _ web.Importer = importAPI{}

// RequestImport asks for the shop's history from since (zero: the default
// two years) up to now.
func (a importAPI) RequestImport(ctx context.Context, shopID string, since time.Time) (any, error) {
	s, ok := a.shops.Get(shopID)
	if !ok || !importable(s) {
		return nil, web.ErrNoImport
	}
	w := reconcile.HistoryWindow(a.req.now())
	if !since.IsZero() {
		w.Since = since
	}
	return a.req.Request(ctx, shopID, w)
}

func (a importAPI) ImportStatus(ctx context.Context, shopID string) (any, bool, error) {
	return a.req.imports.Get(ctx, shopID)
}
