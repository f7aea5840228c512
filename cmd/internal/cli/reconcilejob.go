package cli

import (
	"context"
	"time"

	"go.uber.org/zap"

	"github.com/boomerang-dev/boomerang/adapters/reconcile"
	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/flows/event"
	"github.com/boomerang-dev/boomerang/processor"
)

// reconcileJob polls each shop with API credentials every period
// (ARCHITECTURE.md invariants 1 and 12): a self-rescheduling timer of the
// timer store per shop, so one replica polls a shop once per period.
type reconcileJob struct {
	rec    *reconcile.Reconciler
	every  time.Duration
	shops  *shop.Registry
	timers *redis.Timers
	now    func() time.Time
	log    *zap.Logger
}

const reconcileJobName = "reconcile"

func (j *reconcileJob) timer(shopID string, due time.Time) redis.Timer {
	return redis.Timer{
		ID: "job:" + reconcileJobName + ":" + shopID, Due: due,
		Payload: []byte(processor.TimerPayload(shopID, jobCustomer, reconcileJobName)),
	}
}

// scheduleShops puts a poll of each given shop that can be polled at once:
// a replica that starts (or first sees an installed shop) polls it
// promptly, and the poll reschedules itself.
func (j *reconcileJob) scheduleShops(ctx context.Context, shops []*shop.Shop) error {
	now := j.now()
	var ts []redis.Timer
	for _, s := range shops {
		if j.rec.Handles(s) {
			ts = append(ts, j.timer(s.ID, now))
		}
	}
	if len(ts) == 0 {
		return nil
	}
	return j.timers.ScheduleMany(ctx, ts)
}

func (j *reconcileJob) handles(ev *event.Event) bool {
	t, ok := ev.Data.(*event.Timer)
	return ok && t.Customer == jobCustomer && t.Run == reconcileJobName
}

// run polls the shop and schedules the next poll. A failed poll is logged
// and retried at the next period (its cursor stays, so the next window
// covers this one); a shop removed, uninstalled or without credentials
// ends its job.
func (j *reconcileJob) run(ctx context.Context, ev *event.Event) error {
	s, ok := j.shops.Get(ev.Shop)
	if !ok || !j.rec.Handles(s) {
		return nil
	}
	res, err := j.rec.Poll(ctx, s)
	if err != nil {
		j.log.Warn("reconcile poll failed; the next one covers its window", zap.String("shop", s.ID), zap.Error(err))
	} else if res.Published > 0 {
		j.log.Info("reconcile poll published what the store changed",
			zap.String("shop", s.ID), zap.Int("events", res.Published), zap.Time("since", res.Window.Since))
	}
	return j.timers.ScheduleMany(ctx, []redis.Timer{j.timer(s.ID, j.now().Add(j.every))})
}
