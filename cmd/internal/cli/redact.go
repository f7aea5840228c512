package cli

import (
	"context"

	"go.uber.org/zap"

	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/flows/event"
	"github.com/boomerang-dev/boomerang/processor"
)

// redactJob carries out uninstall and redact events (ARCHITECTURE.md
// invariant 10): shop.uninstalled stops every run and timer of the shop at
// once and stops serving it; shop.redact (48 h later on Shopify) erases all
// its data; customer.redact erases the customer's, and their data exports
// (export.go). They concern no single customer's flows, so the engine does
// not see them.
type redactJob struct {
	eraser  *redis.Eraser
	shops   *shop.Registry
	exports *exportJob
	log     *zap.Logger
}

func (j redactJob) handles(ev *event.Event) bool {
	switch ev.Type { //nolint:exhaustive // only these three
	case event.ShopUninstalled, event.ShopRedact, event.CustomerRedact:
		return true
	}
	return false
}

func (j redactJob) run(ctx context.Context, ev *event.Event) error {
	switch ev.Type { //nolint:exhaustive // handles() admits only these
	case event.ShopUninstalled:
		n, err := j.eraser.StopShop(ctx, ev.Shop)
		if err != nil {
			return err
		}
		j.shops.Delete(ev.Shop)
		j.log.Info("shop uninstalled: runs stopped", zap.String("shop", ev.Shop), zap.Int("runs", n))
	case event.ShopRedact:
		if err := j.eraser.EraseShop(ctx, ev.Shop); err != nil {
			return err
		}
		j.shops.Delete(ev.Shop)
		j.log.Info("shop redacted: its data is erased", zap.String("shop", ev.Shop))
	case event.CustomerRedact:
		d, ok := ev.Data.(*event.Redact)
		if !ok {
			return nil
		}
		to := []string{d.Email, d.Phone}
		for _, c := range []*event.Customer{{Email: d.Email}, {Phone: d.Phone}, {ID: d.CustomerID}} {
			key := processor.CustomerKey(&event.Event{Customer: c})
			if key == "" {
				continue
			}
			if err := j.eraser.EraseCustomer(ctx, ev.Shop, key, to); err != nil {
				return err
			}
		}
		if err := j.exports.forget(ctx, ev.Shop, d); err != nil {
			return err
		}
		j.log.Info("customer redacted", zap.String("shop", ev.Shop), zap.String("request", d.RequestID))
	}
	return nil
}
