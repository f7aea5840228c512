package cli

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime/pprof"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/adapters/web"
	"github.com/boomerang-dev/boomerang/flows"
	"github.com/boomerang-dev/boomerang/flows/event"
	"github.com/boomerang-dev/boomerang/processor"
	"github.com/boomerang-dev/boomerang/processor/dates"
	"github.com/boomerang-dev/boomerang/processor/redisstore"
	"github.com/boomerang-dev/boomerang/processor/replay"
	"github.com/boomerang-dev/boomerang/processor/send"
)

// replayKey signs the links and keys the discount codes of a replay: its
// messages go nowhere, so a fixed key keeps the output reproducible.
const replayKey = "boomerang replay"

func newReplay(stdio IO) *cobra.Command {
	var (
		eventsFile, flowsDir, shopsFile, cpuProfile string
		until                                       string
	)
	cmd := &cobra.Command{
		Use:   "replay --events FILE [--flows DIR] [--shops FILE] [--until DURATION]",
		Short: "Run canonical events through the flows on a virtual clock and print the timeline",
		Long: `replay reads canonical events as JSON lines (what normalize prints) and runs them in
occurred_at order through the engine serve runs: profiles, triggers, exits, waits, consent,
smart sending, quiet hours and template rendering, on a virtual clock that starts at the first
event and runs --until after the last, so every wait ends. Nothing is sent, no store API is
called (discount codes are made up and marked so) and no NATS is needed. Its state lives in a
scratch keyspace removed afterwards: its own redis-server child, or a fresh key prefix on
REDIS_URL when that is set.

It prints one JSON line per action in virtual-time order with at, action (start, send, skip,
defer, exit, discount, webhook, update), flow, run, step, channel, template, to, category and
reason (docs/flows.md lists the reasons). Without --shops every event is the demo shop's.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if eventsFile == "" {
				return &exitError{2, errors.New("--events FILE is required")}
			}
			if cpuProfile != "" {
				f, err := os.Create(cpuProfile)
				if err != nil {
					return err
				}
				defer f.Close()
				if err := pprof.StartCPUProfile(f); err != nil {
					return err
				}
				defer pprof.StopCPUProfile()
			}
			d, err := flows.ParseDuration(until)
			if err != nil || d <= 0 {
				return &exitError{2, fmt.Errorf("--until %q is not a duration such as 30d, 72h or 2w", until)}
			}
			return runReplay(c.Context(), stdio, eventsFile, flowsDir, shopsFile, d.D())
		},
	}
	cmd.Flags().StringVar(&eventsFile, "events", "", "canonical events, one JSON object a line ('-' for standard input)")
	cmd.Flags().StringVar(&flowsDir, "flows", os.Getenv("BOOMERANG_FLOWS"), "directory of flow files beside the built-in library")
	cmd.Flags().StringVar(&shopsFile, "shops", "", "shops file (default: the demo shop)")
	cmd.Flags().StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the replay to this file")
	_ = cmd.Flags().MarkHidden("cpuprofile")
	cmd.Flags().StringVar(&until, "until", "30d", "how long the clock runs after the last event (90s, 72h, 30d, 2w)")
	return cmd
}

func runReplay(ctx context.Context, stdio IO, eventsFile, flowsDir, shopsFile string, until time.Duration) error {
	if ctx == nil {
		ctx = context.Background()
	}
	events, err := readEvents(stdio, eventsFile)
	if err != nil {
		return err
	}
	set, err := loadFlows(flowsDir)
	if err != nil {
		return err
	}
	shops, err := replayShops(shopsFile)
	if err != nil {
		return err
	}
	all := shops.All()
	for _, ev := range events {
		if _, ok := shops.Get(ev.Shop); !ok {
			ev.Shop = all[0].ID // events of any shop are the (first) configured shop's
		}
	}
	rdb, cleanup, err := scratchRedis(ctx)
	if err != nil {
		return err
	}
	defer cleanup()
	keys := redis.Keys{Prefix: "bm-replay-" + randomHex(6)}
	defer func() { _ = redis.UnlinkMatching(context.WithoutCancel(ctx), rdb, keys.Prefix+":*") }()

	timers, err := redis.NewTimers(redis.TimerConfig{Client: rdb, Keys: keys})
	if err != nil {
		return err
	}
	store := redisstore.New(redis.NewCustomerStore(rdb, keys, timers))
	index := dateIndexSeam{redis.NewDates(rdb, keys)}
	// The catalogue and the co-purchase counts are shared by every
	// customer, and the parts replay at their own pace: so the replay
	// learns them from the whole file first — the recommendations a store
	// would have after these orders — and the same on every run.
	catalogue := redis.NewCatalogue(rdb, keys)
	co := redis.NewCoPurchase(rdb, keys)
	cat := catalogueJob{catalogue}
	for _, ev := range events {
		switch o := ev.Data.(type) {
		case *event.Product, *event.ProductRef:
			if err := cat.run(ctx, ev); err != nil {
				return err
			}
		case *event.Order:
			if ev.Type == event.OrderPlaced {
				if err := co.Observe(ctx, ev.Shop, processor.OrderItems(o), ev.OccurredAt); err != nil {
					return err
				}
			}
		}
	}
	recs := learnedRecommender{newRecommender(co, catalogue)}
	side := func(_ context.Context, ev *event.Event) (bool, error) { return cat.handles(ev), nil }
	job := &dates.Job{Index: index, Calendar: holidayCalendar(shops, set)}
	signer, err := web.NewSigner(replayKey)
	if err != nil {
		return err
	}
	// Customers are independent: the events replay in parallel parts, each
	// on its own virtual clock, and the timelines merge by time.
	parts := replay.Partition(events, replayParts)
	lines := make([][]replay.Line, len(parts))
	gctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg   sync.WaitGroup
		errs = make([]error, len(parts))
	)
	for i, part := range parts {
		if len(part) == 0 {
			continue
		}
		drv, err := replay.New(replay.Config{
			Engine: processor.Config{
				Flows: set, State: store, Shops: shopsSeam{reg: shops}, Dates: index, Recommender: recs,
				DiscountKey: []byte(derive(replayKey, "discount-codes")),
			},
			Until:     until,
			Side:      side,
			NextDaily: nextMidnight(shops),
			Daily: func(ctx context.Context, at time.Time) ([]*event.Event, error) {
				// The shops whose day starts now; this part's customers only.
				var out []*event.Event
				for _, s := range shops.All() {
					if !dates.Midnight(at, s.Location()).Equal(at) {
						continue
					}
					evs, err := job.Events(ctx, s.ID, at.In(s.Location()))
					if err != nil {
						return nil, err
					}
					for _, ev := range evs {
						if replay.PartOf(ev, len(parts)) == i {
							out = append(out, ev)
						}
					}
				}
				return out, nil
			},
			Out: func(l replay.Line) error { lines[i] = append(lines[i], l); return nil },
		})
		if err != nil {
			return err
		}
		sender, err := send.NewSender(send.Config{
			Profiles:     profilesSeam{store: store},
			Ledger:       redis.NewLedger(rdb, keys, 0),
			Lookups:      lookupsSeam{redis.NewSendLookup(rdb, keys, 0)},
			Suppressions: redis.NewSuppressions(rdb, keys),
			Recents:      redis.NewRecentSends(rdb, keys),
			Renderer: renderer{
				shops: shops, signer: signer, now: drv.Now, madeUp: func(string) bool { return true },
				publicURL: func() string { return "https://boomerang.invalid" },
			},
			Recorder: drv,
			Outcomes: drv,
			Policy:   sendPolicy(shops),
			Now:      drv.Now,
			Logger:   zap.NewNop(),
		})
		if err != nil {
			return err
		}
		drv.SetSender(sender)
		wg.Go(func() {
			if errs[i] = drv.Run(gctx, part); errs[i] != nil {
				cancel()
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	out := bufio.NewWriterSize(stdio.Stdout, 64<<10)
	w := json.NewEncoder(out)
	for _, l := range replay.Merge(lines) {
		if err := w.Encode(l); err != nil {
			return err
		}
	}
	return out.Flush()
}

// replayParts is how many parts of the customers replay at once: enough to
// keep Redis and the cores busy while each part waits on its round trips.
const replayParts = 8

// readEvents decodes canonical events, one JSON object a line; blank lines
// are skipped, a bad line stops with its number.
func readEvents(stdio IO, file string) ([]*event.Event, error) {
	r := stdio.Stdin
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	var out []*event.Event
	for n := 1; sc.Scan(); n++ {
		line := sc.Bytes()
		if len(trimSpace(line)) == 0 {
			continue
		}
		ev := new(event.Event)
		if err := json.Unmarshal(line, ev); err != nil {
			return nil, fmt.Errorf("%s:%d: not a canonical event: %w", file, n, err)
		}
		if ev.Type == "" || ev.OccurredAt.IsZero() {
			return nil, fmt.Errorf("%s:%d: a canonical event needs type and occurred_at", file, n)
		}
		out = append(out, ev)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", file, err)
	}
	return out, nil
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\r' || b[0] == '\n') {
		b = b[1:]
	}
	return b
}

// replayShops is the shops file, or the demo shop.
func replayShops(file string) (*shop.Registry, error) {
	if file != "" {
		reg, err := shop.LoadFile(file, os.Getenv)
		if err != nil {
			return nil, err
		}
		if len(reg.All()) == 0 {
			return nil, fmt.Errorf("%s: no shops", file)
		}
		return reg, nil
	}
	return shop.NewRegistry(shop.Demo(derive(replayKey, "demo-webhook-secret")))
}

// scratchRedis is REDIS_URL when set, else a redis-server child in a
// temporary directory; cleanup stops the child and removes the directory.
func scratchRedis(ctx context.Context) (goredis.UniversalClient, func(), error) {
	if u := os.Getenv("REDIS_URL"); u != "" {
		c, err := newRedisClient(u)
		if err != nil {
			return nil, nil, fmt.Errorf("REDIS_URL: %w", err)
		}
		if err := c.Ping(ctx).Err(); err != nil {
			_ = c.Close()
			return nil, nil, fmt.Errorf("REDIS_URL does not answer: %w", err)
		}
		return c, func() { _ = c.Close() }, nil
	}
	dir, err := os.MkdirTemp("", "boomerang-replay-")
	if err != nil {
		return nil, nil, err
	}
	child, err := redis.StartScratchChild(ctx, dir)
	if err != nil {
		_ = os.RemoveAll(dir)
		if errors.Is(err, redis.ErrNoRedisServer) {
			return nil, nil, fmt.Errorf("replay needs redis-server or REDIS_URL: %w", err)
		}
		return nil, nil, err
	}
	opts, _ := goredis.ParseURL(child.URL())
	c := goredis.NewClient(opts)
	return c, func() {
		_ = c.Close()
		child.Stop()
		_ = os.RemoveAll(dir)
	}, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// learnedRecommender serves recommendations and learns nothing more: the
// replay learned the file's orders before it started.
type learnedRecommender struct{ *recommender }

func (learnedRecommender) Observe(context.Context, string, []string, time.Time) error { return nil }
