package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/boomerang-dev/boomerang/adapters/jetstream"
	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/flows/event"
	"github.com/boomerang-dev/boomerang/processor/redisstore"
)

// predictDurable is the predict role's consumer on JOBS.
const predictDurable = "predict"

// jobsBeside are the periodic jobs that run beside the processor: their
// timers, fired by the processor's poller like every timer, go to the JOBS
// stream (jobs.<job>.<shop>) instead of EVENTS, for the role that runs them.
var jobsBeside = map[string]bool{"predict": true}

// jobSubject is the JOBS subject of a job's run for a shop.
func jobSubject(job, shopID string) string { return "jobs." + job + "." + shopID }

// timerSubject is where a fired timer goes: a job beside the processor to
// JOBS, everything else to EVENTS.
func timerSubject(ev *event.Event) string {
	if t, ok := ev.Data.(*event.Timer); ok && t.Customer == jobCustomer && jobsBeside[t.Run] {
		return jobSubject(t.Run, ev.Shop)
	}
	return ev.Subject()
}

// onDemand marks a job run asked for through the admin API: it runs at
// once, whatever the day's marker says, and schedules nothing.
const onDemand = "now"

// predicting is the predict role's parts (ARCHITECTURE.md's predict role,
// also inside serve): every night, and on demand, it refits each shop's
// models and publishes prediction.updated for the customers whose churn
// band moved (docs/predictions.md). It reads profiles from Redis and keeps
// the processor's workers free of the refits.
type predicting struct {
	job    *dailyJob
	worker *jetstream.Worker
	shops  *shop.Registry
	log    *zap.Logger
}

func newPredicting(conn *jetstream.Conn, rdb goredis.UniversalClient, shops *shop.Registry, log *zap.Logger) (*predicting, error) {
	keys := redis.Keys{}
	timers, err := redis.NewTimers(redis.TimerConfig{Client: rdb, Keys: keys})
	if err != nil {
		return nil, err
	}
	pub := jetstream.NewPublisher(conn.JS)
	base := dailyJob{shops: shops, timers: timers, rdb: rdb, keys: keys, now: time.Now, log: log}
	store := redisstore.New(redis.NewCustomerStore(rdb, keys, timers))
	job := newPredictJob(base, store, redis.NewDates(rdb, keys), pub)
	worker, err := jetstream.NewWorker(conn.JS, jetstream.WorkerConfig{
		Stream: jetstream.StreamJobs, Durable: predictDurable, FilterSubject: jobSubject("predict", ">"),
		Workers: 2, Logger: log,
		Handler: func(ctx context.Context, _ string, data []byte) error {
			var ev event.Event
			if err := json.Unmarshal(data, &ev); err != nil {
				return fmt.Errorf("%w: decoding a job: %w", jetstream.ErrPermanent, err)
			}
			if !job.handles(&ev) {
				return fmt.Errorf("%w: not a prediction job: %s", jetstream.ErrPermanent, ev.Type)
			}
			return job.run(ctx, &ev)
		},
	})
	if err != nil {
		return nil, err
	}
	return &predicting{job: job, worker: worker, shops: shops, log: log}, nil
}

// start schedules every shop's nightly run (and those of shops installed
// later) and starts consuming.
func (p *predicting) start(ctx context.Context) error {
	if err := p.job.schedule(ctx); err != nil {
		return err
	}
	if err := p.worker.Start(ctx); err != nil {
		return err
	}
	go watchNewShops(ctx, p.shops, installedRefresh, []shopScheduler{p.job}, p.log)
	return nil
}

func (p *predicting) stop(ctx context.Context) {
	if p != nil {
		p.worker.Stop(ctx)
	}
}

// predictNow asks the predict role to refit a shop's models at once.
func predictNow(ctx context.Context, pub eventPublisher, shopID string, now time.Time) error {
	at := strconv.FormatInt(now.UnixMilli(), 10)
	ev := &event.Event{
		SchemaVersion: event.SchemaVersion,
		ID:            event.DeliveryID(event.PlatformBoomerang, shopID, "predict@"+at, event.TimerFired),
		Key:           "timer.fired:" + shopID + ":job:predict:now@" + at,
		Type:          event.TimerFired, Shop: shopID, Platform: event.PlatformBoomerang,
		OccurredAt: now, ReceivedAt: now,
		Data: &event.Timer{
			TimerID: "job:predict:" + shopID, Run: "predict", Step: onDemand, Customer: jobCustomer, DueAt: now,
		},
	}
	b, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	_, err = pub.Publish(ctx, jobSubject("predict", shopID), ev.ID, b)
	return err
}
