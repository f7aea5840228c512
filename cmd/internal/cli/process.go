package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	goredis "github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/boomerang-dev/boomerang/adapters/jetstream"
	"github.com/boomerang-dev/boomerang/adapters/reconcile"
	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/flows"
	"github.com/boomerang-dev/boomerang/flows/event"
	"github.com/boomerang-dev/boomerang/flows/template"
	"github.com/boomerang-dev/boomerang/processor"
	"github.com/boomerang-dev/boomerang/processor/dates"
	"github.com/boomerang-dev/boomerang/processor/jsoutbox"
	"github.com/boomerang-dev/boomerang/processor/redisstore"
)

// processorDurable is the processor's consumer on EVENTS, shared by every
// replica.
const processorDurable = "processor"

// historyDurable is the processor's consumer on HISTORY (imported events).
const historyDurable = "history"

// loadFlows reads the library and the BOOMERANG_FLOWS directory and
// compiles them; any mistake stops the start with every file:line.
func loadFlows(dir string) (*flows.Set, error) {
	fs, errs := flows.Load(dir)
	if len(errs) > 0 {
		msgs := make([]string, len(errs))
		for i, e := range errs {
			msgs[i] = e.Error()
		}
		return nil, fmt.Errorf("flows have mistakes:\n%s", strings.Join(msgs, "\n"))
	}
	progs := make([]*flows.Program, 0, len(fs))
	var uses []template.Use
	for _, f := range fs {
		p, err := flows.Compile(f)
		if err != nil {
			return nil, err
		}
		progs = append(progs, p)
		for _, ins := range p.Code {
			dynamic := ins.Op == flows.OpSend && ins.Send.Channel == event.ChannelEmail && strings.HasPrefix(ins.Send.Template, "d-")
			if ins.Op == flows.OpSend && !dynamic { // SendGrid renders its dynamic templates
				uses = append(uses, template.Use{
					Flow: f.ID, Step: ins.StepID, Template: ins.Send.Template,
					Channel: ins.Send.Channel, Category: ins.Send.Category,
				})
			}
		}
	}
	// Every send must name a template of its channel, and a transactional
	// one must carry no promotion.
	lib, err := template.Default()
	if err != nil {
		return nil, err
	}
	if errs := lib.Validate(uses); len(errs) > 0 {
		msgs := make([]string, len(errs))
		for i, e := range errs {
			msgs[i] = e.Error()
		}
		return nil, fmt.Errorf("flows use templates wrongly:\n%s", strings.Join(msgs, "\n"))
	}
	return flows.NewSet(progs...)
}

// shopsSeam adapts the shop registry to the processor's Shops.
type shopsSeam struct{ reg *shop.Registry }

func (s shopsSeam) Shop(id string) (processor.ShopConfig, bool) {
	sh, ok := s.reg.Get(id)
	if !ok {
		return processor.ShopConfig{}, false
	}
	return shopConfig(sh), true
}

// shopConfig is what the engine needs of a shop record.
func shopConfig(sh *shop.Shop) processor.ShopConfig {
	cfg := processor.ShopConfig{
		ID: sh.ID, Platform: sh.Platform, Domain: sh.Domain, Timezone: sh.Timezone,
		Disabled: map[string]bool{}, Enabled: map[string]bool{}, Params: map[string]map[string]any{},
		Attribution: processor.AttributionWindows{Click: sh.Attribution.Click, View: sh.Attribution.View},
	}
	for id, f := range sh.Flows {
		switch {
		case f.Enabled == nil:
		case *f.Enabled:
			cfg.Enabled[id] = true
		default:
			cfg.Disabled[id] = true
		}
		if len(f.Params) > 0 {
			cfg.Params[id] = f.Params
		}
	}
	return cfg
}

// timersSeam adapts the Redis timer store to the processor's Timers.
type timersSeam struct{ t *redis.Timers }

func (s timersSeam) ScheduleMany(ctx context.Context, ops []processor.TimerOp) error {
	ts := make([]redis.Timer, len(ops))
	for i, o := range ops {
		ts[i] = redis.Timer{ID: o.ID, Due: o.Due, Payload: []byte(o.Payload)}
	}
	return s.t.ScheduleMany(ctx, ts)
}

func (s timersSeam) CancelMany(ctx context.Context, ids []string) error {
	return s.t.CancelMany(ctx, ids)
}

// processing is the processor role's parts.
type processing struct {
	archive *redisstore.Archive
	flows   []*flows.Program
	worker  *jetstream.Worker
	history *jetstream.Worker
	poller  *redis.Poller
	dlq     *jetstream.DLQMover
	// historyDLQ moves poison history events (nil until started).
	historyDLQ *jetstream.DLQMover
	jobs       []*dailyJob
	reconcile  *reconcileJob // nil when polling is off
	imports    *importJob
	shops      *shop.Registry
	// stopImports ends the background history imports.
	stopImports context.CancelFunc
}

// newProcessing builds the engine, its EVENTS worker, the timer poller and
// the dead-letter mover.
func newProcessing(cfg *Config, conn *jetstream.Conn, rdb goredis.UniversalClient, shops *shop.Registry,
	fileShops map[string]bool, codeKey string, reg prometheus.Registerer, log *zap.Logger,
) (*processing, error) {
	set, err := loadFlows(cfg.Flows)
	if err != nil {
		return nil, err
	}
	keys := redis.Keys{}
	timers, err := redis.NewTimers(redis.TimerConfig{Client: rdb, Keys: keys})
	if err != nil {
		return nil, err
	}
	pub := jetstream.NewPublisher(conn.JS)
	archive := redisstore.NewArchive(redis.NewFlowDefs(rdb, keys))
	if codeKey == "" {
		log.Warn("BOOMERANG_SECRET_KEY is unset: discount codes are keyed by run ids alone; give every replica the key")
	}
	index := dateIndexSeam{redis.NewDates(rdb, keys)}
	base := dailyJob{shops: shops, timers: timers, rdb: rdb, keys: keys, now: time.Now, log: log.Named("jobs")}
	datesDaily := newDatesJob(base, &dates.Job{Index: index, Calendar: holidayCalendar(shops, set)}, pub)
	fstats := newFlowStats(redis.NewFlowStats(rdb, keys), log.Named("stats"))
	catalogue := redis.NewCatalogue(rdb, keys)
	engine, err := processor.New(processor.Config{
		Recommender: newRecommender(redis.NewCoPurchase(rdb, keys), catalogue),
		Stats:       fstats, Splits: fstats, Dates: index, Flows: set, Archive: archive, State: redisstore.New(redis.NewCustomerStore(rdb, keys, timers)),
		Timers: timersSeam{timers}, Outbox: jsoutbox.New(pub), Shops: shopsSeam{shops},
		DiscountKey: []byte(derive(codeKey, "discount-codes")), Logger: log.Named("processor"), Registerer: reg,
	})
	if err != nil {
		return nil, err
	}
	exports := newExportJob(rdb, keys, timers, time.Now, log.Named("export"))
	every, err := reconcileEvery(cfg.ReconcileInterval)
	if err != nil {
		return nil, fmt.Errorf("BOOMERANG_RECONCILE_INTERVAL: %w", err)
	}
	sources, err := reconcileSources(cfg, fileShops, log)
	if err != nil {
		return nil, err
	}
	rec, err := reconcile.New(reconcile.Config{Sources: sources, Cursors: redis.NewReconcileCursors(rdb, keys), Publisher: pub})
	if err != nil {
		return nil, err
	}
	imports := &importJob{
		rec: rec, imports: redis.NewImports(rdb, keys), timers: timers, shops: shops, now: time.Now, log: log.Named("import"),
	}
	side := []sideJob{
		datesDaily,
		catalogueJob{catalogue},
		exports, imports,
		redactJob{eraser: redis.NewEraser(rdb, keys, timers), shops: shops, exports: exports, log: log.Named("redact")},
	}
	var polls *reconcileJob
	if every > 0 {
		polls = &reconcileJob{rec: rec, every: every, shops: shops, timers: timers, now: time.Now, log: log.Named("reconcile")}
		side = append(side, polls)
	}
	worker, err := jetstream.NewWorker(conn.JS, jetstream.WorkerConfig{
		Stream: jetstream.StreamEvents, Durable: processorDurable, FilterSubject: jetstream.SubjectsEvents,
		Workers: 8, MaxBatch: 16, BatchHandler: eventBatchHandler(engine, side...), Logger: log.Named("processor"),
	})
	if err != nil {
		return nil, err
	}
	// Imported history has its own stream and consumer with fewer workers:
	// live events of every shop go on beside a store's years of orders.
	history, err := jetstream.NewWorker(conn.JS, jetstream.WorkerConfig{
		Stream: jetstream.StreamHistory, Durable: historyDurable, FilterSubject: jetstream.SubjectsHistory,
		Workers: 2, MaxBatch: 16, BatchHandler: eventBatchHandler(engine), Logger: log.Named("history"),
	})
	if err != nil {
		return nil, err
	}
	poller, err := redis.NewPoller(redis.PollerConfig{
		Timers: timers, Publish: pub, Logger: log.Named("timers"), Registerer: reg,
		Encode: func(c redis.Claimed) (jetstream.BatchMsg, error) {
			ev, err := processor.TimerFired(c.ID, c.Due, string(c.Payload), c.Due)
			if err != nil {
				return jetstream.BatchMsg{}, err
			}
			b, err := json.Marshal(ev)
			if err != nil {
				return jetstream.BatchMsg{}, err
			}
			return jetstream.BatchMsg{Subject: timerSubject(ev), MsgID: c.MsgID(), Data: b}, nil
		},
	})
	if err != nil {
		return nil, err
	}
	return &processing{
		worker: worker, history: history, poller: poller, archive: archive, flows: set.All(), jobs: []*dailyJob{datesDaily},
		reconcile: polls, imports: imports, shops: shops,
	}, nil
}

// start starts consuming; the poller runs until ctx ends.
func (p *processing) start(ctx context.Context, conn *jetstream.Conn, log *zap.Logger) error {
	// Keep every loaded flow version, for runs still pinned to it after a
	// later deploy changes the flow.
	if err := p.archive.Store(ctx, p.flows); err != nil {
		return err
	}
	watched := make([]shopScheduler, 0, len(p.jobs)+1)
	for _, j := range p.jobs {
		if err := j.schedule(ctx); err != nil {
			return err
		}
		watched = append(watched, j)
	}
	if p.reconcile != nil {
		if err := p.reconcile.scheduleShops(ctx, p.shops.All()); err != nil {
			return err
		}
		watched = append(watched, p.reconcile)
	}
	go watchNewShops(ctx, p.shops, installedRefresh, watched, log.Named("jobs"))
	ictx, stopImports := context.WithCancel(ctx)
	p.imports.base, p.stopImports = ictx, stopImports
	for _, w := range []*jetstream.Worker{p.worker, p.history} {
		if err := w.Start(ctx); err != nil {
			return err
		}
	}
	dlq, err := jetstream.StartDLQMover(conn, jetstream.StreamEvents, processorDurable, log.Named("dlq"))
	if err != nil {
		return err
	}
	p.dlq = dlq
	if p.historyDLQ, err = jetstream.StartDLQMover(conn, jetstream.StreamHistory, historyDurable, log.Named("dlq")); err != nil {
		return err
	}
	go func() {
		if err := p.poller.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			log.Error("timer poller stopped", zap.Error(err))
		}
	}()
	return nil
}

func (p *processing) stop(ctx context.Context) {
	if p == nil {
		return
	}
	p.worker.Stop(ctx)
	p.history.Stop(ctx)
	p.dlq.Stop()
	if p.historyDLQ != nil {
		p.historyDLQ.Stop()
	}
	if p.stopImports != nil {
		// A running import stops where it is; its lock lapses and its
		// watchdog timer resumes it on a replica that runs.
		p.stopImports()
		p.imports.wait()
	}
}

// eventBatchHandler decodes EVENTS messages and hands the valid ones to
// the engine as one batch; a message that cannot be decoded is poison.
func eventBatchHandler(e *processor.Engine, jobs ...sideJob) jetstream.BatchHandler {
	return func(ctx context.Context, items []jetstream.BatchItem) []error {
		errs := make([]error, len(items))
		evs := make([]*event.Event, 0, len(items))
		idx := make([]int, 0, len(items))
		for i, it := range items {
			var ev event.Event
			if err := json.Unmarshal(it.Data, &ev); err != nil {
				errs[i] = fmt.Errorf("%w: decoding event: %w", jetstream.ErrPermanent, err)
				continue
			}
			if err := ev.Validate(); err != nil {
				errs[i] = fmt.Errorf("%w: %w", jetstream.ErrPermanent, err)
				continue
			}
			if j := sideJobFor(jobs, &ev); j != nil {
				errs[i] = j.run(ctx, &ev)
				continue
			}
			evs = append(evs, &ev)
			idx = append(idx, i)
		}
		for k, err := range e.HandleBatch(ctx, evs) {
			if errors.Is(err, processor.ErrPermanent) {
				err = fmt.Errorf("%w: %w", jetstream.ErrPermanent, err)
			}
			errs[idx[k]] = err
		}
		return errs
	}
}

// sideJobFor is the side job that handles ev, nil for the engine's events.
func sideJobFor(jobs []sideJob, ev *event.Event) sideJob {
	for _, j := range jobs {
		if j.handles(ev) {
			return j
		}
	}
	return nil
}
