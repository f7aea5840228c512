package processor_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/adapters/redis/redistest"
	"github.com/boomerang-dev/boomerang/flows"
	"github.com/boomerang-dev/boomerang/flows/event"
	"github.com/boomerang-dev/boomerang/processor"
	"github.com/boomerang-dev/boomerang/processor/redisstore"
)

// roundTrips counts Redis round trips: every command sent alone and every
// pipeline.
type roundTrips struct{ n atomic.Int64 }

func (r *roundTrips) DialHook(next goredis.DialHook) goredis.DialHook { return next }

func (r *roundTrips) ProcessHook(next goredis.ProcessHook) goredis.ProcessHook {
	return func(ctx context.Context, cmd goredis.Cmder) error {
		r.n.Add(1)
		return next(ctx, cmd)
	}
}

func (r *roundTrips) ProcessPipelineHook(next goredis.ProcessPipelineHook) goredis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []goredis.Cmder) error {
		r.n.Add(1)
		return next(ctx, cmds)
	}
}

// BenchmarkProcessor measures events per second through the whole engine:
// profile update, trigger matching over 20 flows (the checkout flow and 19
// others on other events), run start and timer write, against a real
// Redis, from concurrent workers. It reports events/s and Redis round trips
// per event.
func BenchmarkProcessor(b *testing.B) {
	// One event per call from 32 workers, and batches of 16 from 4 workers
	// (what the EVENTS worker hands the engine under load).
	b.Run("batch=1", func(b *testing.B) { benchProcessor(b, 32, 1) })
	b.Run("batch=16", func(b *testing.B) { benchProcessor(b, 4, 16) })
	b.Run("batch=64", func(b *testing.B) { benchProcessor(b, 2, 64) })
}

func benchProcessor(b *testing.B, workers, batch int) {
	b.Helper()
	env := redistest.Start(b)
	rt := &roundTrips{}
	opts, err := goredis.ParseURL(env.URL)
	if err != nil {
		b.Fatal(err)
	}
	opts.PoolSize = 64
	opts.Protocol = 2
	client := goredis.NewClient(opts)
	defer client.Close()
	client.AddHook(rt)
	keys := redis.Keys{Prefix: env.Prefix + "b"}
	timers, err := redis.NewTimers(redis.TimerConfig{Client: client, Keys: keys})
	if err != nil {
		b.Fatal(err)
	}
	progs := make([]*flows.Program, 0, 20)
	types := []string{"order.placed", "order.fulfilled", "customer.created", "shipment.updated", "cart.updated"}
	for i := range 20 {
		src := abandonedCheckout
		if i > 0 {
			src = strings.Replace(src, "id: abandoned-checkout", fmt.Sprintf("id: flow-%d", i), 1)
			src = strings.Replace(src, "event: checkout.updated", "event: "+types[i%len(types)], 1)
			src = strings.Replace(src, `if: event.data.email != "" && size(event.data.line_items) > 0`, `if: has(event.data.email) && event.data.email != ""`, 1)
		}
		f, errs := flows.Parse("bench.yaml", []byte(src))
		if len(errs) > 0 {
			b.Fatal(errs)
		}
		p, err := flows.Compile(f)
		if err != nil {
			b.Fatal(err)
		}
		progs = append(progs, p)
	}
	set, err := flows.NewSet(progs...)
	if err != nil {
		b.Fatal(err)
	}
	engine, err := processor.New(processor.Config{
		Flows: set, State: redisstore.New(redis.NewCustomerStore(client, keys, timers)),
		Timers: timersSeam{timers}, Outbox: &recorder{}, Now: func() time.Time { return t0 },
	})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var next atomic.Int64
	var wg sync.WaitGroup
	var failed atomic.Value
	rt.n.Store(0)
	b.ResetTimer()
	start := time.Now()
	for range workers {
		wg.Go(func() {
			for {
				first := next.Add(int64(batch)) - int64(batch)
				if first >= int64(b.N) {
					return
				}
				evs := make([]*event.Event, 0, batch)
				for i := first; i < first+int64(batch) && i < int64(b.N); i++ {
					ev := checkout(fmt.Sprintf("bench-%d", i), t0)
					ev.Customer.Email = fmt.Sprintf("c%d@example.com", i)
					ev.Data.(*event.Checkout).Email = ev.Customer.Email
					evs = append(evs, ev)
				}
				for _, err := range engine.HandleBatch(ctx, evs) {
					if err != nil {
						failed.Store(err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if err, ok := failed.Load().(error); ok {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(rt.n.Load())/float64(b.N), "round_trips/event")
}
