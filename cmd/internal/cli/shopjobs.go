package cli

import (
	"context"
	"time"

	"go.uber.org/zap"

	"github.com/boomerang-dev/boomerang/adapters/shop"
)

// shopScheduler schedules a periodic job for some shops.
type shopScheduler interface {
	scheduleShops(ctx context.Context, shops []*shop.Shop) error
}

// watchNewShops schedules the periodic jobs of shops that appear in the
// registry after the start (installed through any replica), checking every
// period until ctx ends. The shops present at the start were scheduled by
// the jobs' own start; scheduling a shop again is harmless (a daily job's
// marker keeps its day once, a poll is idempotent).
func watchNewShops(ctx context.Context, reg *shop.Registry, every time.Duration, jobs []shopScheduler, log *zap.Logger) {
	seen := map[string]bool{}
	for _, s := range reg.All() {
		seen[s.ID] = true
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		var fresh []*shop.Shop
		for _, s := range reg.All() {
			if !seen[s.ID] {
				fresh = append(fresh, s)
			}
		}
		if len(fresh) == 0 {
			continue
		}
		ok := true
		for _, j := range jobs {
			if err := j.scheduleShops(ctx, fresh); err != nil {
				log.Warn("scheduling the jobs of newly installed shops; trying again", zap.Error(err))
				ok = false
				break
			}
		}
		if ok {
			for _, s := range fresh {
				seen[s.ID] = true
			}
		}
	}
}
