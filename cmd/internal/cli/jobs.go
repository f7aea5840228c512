package cli

import (
	"context"
	"encoding/json"
	"fmt"
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
const (
	jobCustomer = "~job"
	jobDates    = "dates"
)

// datesJob runs the daily date.reached job of each shop at its local
// midnight.
type datesJob struct {
	shops  *shop.Registry
	job    *dates.Job
	timers *redis.Timers
	rdb    goredis.UniversalClient
	keys   redis.Keys
	pub    eventPublisher
	now    func() time.Time
	log    *zap.Logger
}

func datesTimerID(shopID string) string { return "job:" + jobDates + ":" + shopID }

// schedule puts each shop's job at its latest local midnight: one that came
// due while nothing ran fires at once, and a day already done is skipped
// by its marker.
func (j *datesJob) schedule(ctx context.Context) error {
	now := j.now()
	ts := make([]redis.Timer, 0, len(j.shops.All()))
	for _, s := range j.shops.All() {
		due := dates.Midnight(now, s.Location())
		ts = append(ts, redis.Timer{ID: datesTimerID(s.ID), Due: due, Payload: []byte(processor.TimerPayload(s.ID, jobCustomer, jobDates))})
	}
	return j.timers.ScheduleMany(ctx, ts)
}

// handles reports whether ev is one of the job's timers.
func (j *datesJob) handles(ev *event.Event) bool {
	t, ok := ev.Data.(*event.Timer)
	return ok && t.Customer == jobCustomer && t.Run == jobDates
}

// run emits the day's date.reached events (once per shop and day, by a
// marker) and schedules the next midnight.
func (j *datesJob) run(ctx context.Context, ev *event.Event) error {
	t, _ := ev.Data.(*event.Timer)
	s, ok := j.shops.Get(ev.Shop)
	if !ok {
		return nil // a shop removed from the file: its job ends
	}
	day := dates.Midnight(t.DueAt, s.Location())
	marker := j.keys.Prefix
	if marker == "" {
		marker = redis.DefaultPrefix
	}
	marker += ":{j:" + s.ID + "}:dates-done:" + day.Format("2006-01-02")
	first, err := j.rdb.SetNX(ctx, marker, "1", 72*time.Hour).Result()
	if err != nil {
		return err
	}
	if first {
		evs, err := j.job.Events(ctx, s.ID, day)
		if err != nil {
			_ = j.rdb.Del(ctx, marker)
			return err
		}
		for _, e := range evs {
			b, err := json.Marshal(e)
			if err != nil {
				return err
			}
			if _, err := j.pub.Publish(ctx, e.Subject(), e.ID, b); err != nil {
				_ = j.rdb.Del(ctx, marker) // the retry publishes again; duplicates have one effect
				return fmt.Errorf("publishing date.reached: %w", err)
			}
		}
		j.log.Info("date job ran", zap.String("shop", s.ID), zap.String("day", day.Format("2006-01-02")), zap.Int("events", len(evs)))
	}
	next := day.AddDate(0, 0, 1)
	return j.timers.ScheduleMany(ctx, []redis.Timer{{
		ID: datesTimerID(s.ID), Due: next, Payload: []byte(processor.TimerPayload(s.ID, jobCustomer, jobDates)),
	}})
}
