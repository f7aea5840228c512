package cli

import (
	"context"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/flows/event"
	"github.com/boomerang-dev/boomerang/processor"
	"github.com/boomerang-dev/boomerang/processor/dates"
)

// Periodic jobs are timers of the timer store (ARCHITECTURE.md invariant
// 12): the poller claims each under its lease like any other, so a job runs
// once per period however many replicas run. A job's timer carries the
// customer jobCustomer; the EVENTS handler runs the job instead of the
// engine and schedules the next period.
const jobCustomer = "~job"

// dailyJob runs do once a day per shop, at a local hour.
type dailyJob struct {
	name   string
	hour   int // local hour of the day it runs at
	shops  *shop.Registry
	timers *redis.Timers
	rdb    goredis.UniversalClient
	keys   redis.Keys
	now    func() time.Time
	log    *zap.Logger
	// do is the day's work for a shop; day is the local midnight.
	do func(ctx context.Context, s *shop.Shop, day time.Time) error
}

func (j *dailyJob) timerID(shopID string) string { return "job:" + j.name + ":" + shopID }

func (j *dailyJob) timer(shopID string, due time.Time) redis.Timer {
	return redis.Timer{ID: j.timerID(shopID), Due: due, Payload: []byte(processor.TimerPayload(shopID, jobCustomer, j.name))}
}

// schedule puts each shop's job at its latest run time: one that came due
// while nothing ran fires at once, and a day already done is skipped by its
// marker.
func (j *dailyJob) schedule(ctx context.Context) error {
	return j.scheduleShops(ctx, j.shops.All())
}

// scheduleShops schedules the job of the given shops, as schedule does.
func (j *dailyJob) scheduleShops(ctx context.Context, shops []*shop.Shop) error {
	now := j.now()
	ts := make([]redis.Timer, 0, len(shops))
	for _, s := range shops {
		due := dates.Midnight(now, s.Location()).Add(time.Duration(j.hour) * time.Hour)
		if due.After(now) {
			due = due.AddDate(0, 0, -1)
		}
		ts = append(ts, j.timer(s.ID, due))
	}
	return j.timers.ScheduleMany(ctx, ts)
}

// handles reports whether ev is one of the job's timers.
func (j *dailyJob) handles(ev *event.Event) bool {
	t, ok := ev.Data.(*event.Timer)
	return ok && t.Customer == jobCustomer && t.Run == j.name
}

// run does the day's work (once per shop and day, by a marker) and
// schedules the next day.
func (j *dailyJob) run(ctx context.Context, ev *event.Event) error {
	t, _ := ev.Data.(*event.Timer)
	s, ok := j.shops.Get(ev.Shop)
	if !ok {
		return nil // a shop removed or uninstalled: its job ends
	}
	day := dates.Midnight(t.DueAt, s.Location())
	if t.Step == onDemand {
		// Asked for now: no marker, and the nightly timer goes on.
		return j.do(ctx, s, day)
	}
	prefix := j.keys.Prefix
	if prefix == "" {
		prefix = redis.DefaultPrefix
	}
	marker := prefix + ":{j:" + s.ID + "}:" + j.name + "-done:" + day.Format("2006-01-02")
	first, err := j.rdb.SetNX(ctx, marker, "1", 72*time.Hour).Result()
	if err != nil {
		return err
	}
	if first {
		if err := j.do(ctx, s, day); err != nil {
			_ = j.rdb.Del(ctx, marker) // the retry does it again; its events have one effect
			return err
		}
	}
	next := day.AddDate(0, 0, 1).Add(time.Duration(j.hour) * time.Hour)
	return j.timers.ScheduleMany(ctx, []redis.Timer{j.timer(s.ID, next)})
}

// publishAll publishes canonical events (each dedups by its id).
func publishAll(ctx context.Context, pub eventPublisher, evs []*event.Event) error {
	for _, e := range evs {
		b, err := marshalEvent(e)
		if err != nil {
			return err
		}
		if _, err := pub.Publish(ctx, e.Subject(), e.ID, b); err != nil {
			return err
		}
	}
	return nil
}

// newDatesJob emits the day's date.reached events of each shop at its local
// midnight.
func newDatesJob(base dailyJob, job *dates.Job, pub eventPublisher) *dailyJob {
	j := base
	j.name, j.hour = "dates", 0
	j.do = func(ctx context.Context, s *shop.Shop, day time.Time) error {
		evs, err := job.Events(ctx, s.ID, day)
		if err != nil {
			return err
		}
		if err := publishAll(ctx, pub, evs); err != nil {
			return err
		}
		j.log.Info("date job ran", zap.String("shop", s.ID), zap.String("day", day.Format("2006-01-02")),
			zap.String("events", strconv.Itoa(len(evs))))
		return nil
	}
	return &j
}
