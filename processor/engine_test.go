package processor_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/adapters/redis/redistest"
	"github.com/boomerang-dev/boomerang/flows"
	"github.com/boomerang-dev/boomerang/flows/event"
	"github.com/boomerang-dev/boomerang/processor"
	"github.com/boomerang-dev/boomerang/processor/redisstore"
)

// abandonedCheckout is ARCHITECTURE.md's example without the discount step.
const abandonedCheckout = `id: abandoned-checkout
name: Abandoned checkout recovery
version: 1
trigger:
  event: checkout.updated
  if: event.data.email != "" && size(event.data.line_items) > 0
key: event.data.token
reentry: once
exit_on:
  - event: order.placed
    if: event.data.checkout_token == run.key || event.customer.email == run.customer.email
filter: profile.orders_since(run.started_at) == 0
steps:
  - wait: 1h
  - send: {id: reminder, channel: email, template: abandoned-checkout-reminder, category: marketing}
  - wait: 23h
  - send: {id: benefits, channel: email, template: abandoned-checkout-benefits, category: marketing}
  - branch:
      if: profile.consent.sms
      then:
        - send: {id: nudge, channel: sms, template: abandoned-checkout-sms, category: marketing}
  - wait: 48h
  - send: {id: discount, channel: email, template: abandoned-checkout-discount, category: marketing}
`

var t0 = time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)

// clock is a settable clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }

// recorder is an Outbox that keeps every send command it is given.
type recorder struct {
	mu    sync.Mutex
	sends []processor.SendCommand
}

func (r *recorder) PublishSends(_ context.Context, s []processor.SendCommand) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sends = append(r.sends, s...)
	return nil
}

func (r *recorder) all() []processor.SendCommand {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]processor.SendCommand(nil), r.sends...)
}

type testBundle struct {
	engine *processor.Engine
	store  *redisstore.Store
	timers *redis.Timers
	clock  *clock
	outbox *recorder
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	env := redistest.Start(t)
	keys := redis.Keys{Prefix: env.Prefix}
	timers, err := redis.NewTimers(redis.TimerConfig{Client: env.Client, Keys: keys})
	require.NoError(t, err)
	f, errs := flows.Parse("test.yaml", []byte(abandonedCheckout))
	require.Empty(t, errs)
	p, err := flows.Compile(f)
	require.NoError(t, err)
	set, err := flows.NewSet(p)
	require.NoError(t, err)
	b := &testBundle{
		store:  redisstore.New(redis.NewCustomerStore(env.Client, keys, timers)),
		timers: timers, clock: &clock{now: t0}, outbox: &recorder{},
	}
	b.engine, err = processor.New(processor.Config{
		Flows: set, State: b.store, Timers: timersSeam{timers}, Outbox: b.outbox, Now: b.clock.Now,
	})
	require.NoError(t, err)
	return b
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

func (b *testBundle) handle(t *testing.T, ev *event.Event) {
	t.Helper()
	require.NoError(t, b.engine.Handle(context.Background(), ev))
}

// advance moves the clock to at and fires every timer due by then, in due
// order, the way the poller does.
func (b *testBundle) advance(t *testing.T, at time.Time) {
	t.Helper()
	b.clock.Set(at)
	ctx := context.Background()
	for {
		var claimed []redis.Claimed
		for shard := range redis.DefaultTimerShards {
			c, err := b.timers.Claim(ctx, shard, at, 100)
			require.NoError(t, err)
			claimed = append(claimed, c...)
		}
		if len(claimed) == 0 {
			return
		}
		for _, c := range claimed {
			ev, err := processor.TimerFired(c.ID, c.Due, string(c.Payload), at)
			require.NoError(t, err)
			b.handle(t, ev)
		}
		require.NoError(t, b.timers.Ack(ctx, claimed))
	}
}

func checkout(token string, updated time.Time) *event.Event {
	const email = "ann@example.com"
	return &event.Event{
		SchemaVersion: event.SchemaVersion,
		ID:            event.DeliveryID("shopify", "demo", token+updated.String(), event.CheckoutUpdated),
		Key:           event.SemanticKey(event.CheckoutUpdated, "demo", token, updated),
		Type:          event.CheckoutUpdated, Shop: "demo", Platform: "shopify",
		OccurredAt: updated, ReceivedAt: updated,
		Customer: &event.Customer{Email: email},
		Data: &event.Checkout{
			Token: token, Email: email, Currency: "USD", Total: "25.00",
			LineItems: []event.LineItem{{ProductID: "1", Title: "Mug", Quantity: 1, Price: "25.00"}},
			UpdatedAt: updated,
		},
	}
}

func order(id, checkoutToken string, at time.Time) *event.Event {
	const email = "ann@example.com"
	return &event.Event{
		SchemaVersion: event.SchemaVersion,
		ID:            event.DeliveryID("shopify", "demo", id, event.OrderPlaced),
		Key:           event.SemanticKey(event.OrderPlaced, "demo", id, time.Time{}),
		Type:          event.OrderPlaced, Shop: "demo", Platform: "shopify",
		OccurredAt: at, ReceivedAt: at,
		Customer: &event.Customer{Email: email},
		Data: &event.Order{
			ID: id, CheckoutToken: checkoutToken, Email: email, Currency: "USD", Total: "25.00",
			LineItems: []event.LineItem{{ProductID: "1", Title: "Mug", Quantity: 1, Price: "25.00"}},
			CreatedAt: at,
		},
	}
}

func templates(sends []processor.SendCommand) []string {
	out := make([]string, len(sends))
	for i, s := range sends {
		out[i] = s.Template
	}
	return out
}

func TestAbandonmentSendsThreeEmailsAtTheirTimes(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.handle(t, checkout("tok1", t0))
	require.Empty(t, b.outbox.all())

	b.advance(t, t0.Add(59*time.Minute))
	require.Empty(t, b.outbox.all(), "nothing before the first hour")
	b.advance(t, t0.Add(time.Hour))
	require.Equal(t, []string{"abandoned-checkout-reminder"}, templates(b.outbox.all()))

	b.advance(t, t0.Add(24*time.Hour))
	require.Equal(t, []string{"abandoned-checkout-reminder", "abandoned-checkout-benefits"}, templates(b.outbox.all()))

	b.advance(t, t0.Add(72*time.Hour))
	sends := b.outbox.all()
	require.Equal(t, []string{"abandoned-checkout-reminder", "abandoned-checkout-benefits", "abandoned-checkout-discount"}, templates(sends))
	require.Equal(t, []time.Time{t0.Add(time.Hour), t0.Add(24 * time.Hour), t0.Add(72 * time.Hour)},
		[]time.Time{sends[0].DueAt, sends[1].DueAt, sends[2].DueAt})
	for _, s := range sends {
		require.Equal(t, "ann@example.com", s.To)
		require.Equal(t, "marketing", s.Category)
		require.Equal(t, s.Run+":"+s.Step, s.ID)
	}
	active, finished, err := b.store.Runs(context.Background(), "demo", "e:ann@example.com")
	require.NoError(t, err)
	require.Empty(t, active)
	require.Len(t, finished, 1)
	require.Equal(t, processor.RunDone, finished[0].Status)
}

func TestAbandonmentLateTimersKeepTheSchedule(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.handle(t, checkout("tok1", t0))
	// The system was down for three days: every timer fires late, and
	// each wait still counts from the previous due time.
	b.advance(t, t0.Add(80*time.Hour))
	sends := b.outbox.all()
	require.Len(t, sends, 3)
	require.Equal(t, t0.Add(72*time.Hour), sends[2].DueAt, "the sender skips stale marketing by DueAt")
}

func TestOrderEndsTheRun(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.handle(t, checkout("tok1", t0))
	b.clock.Set(t0.Add(30 * time.Minute))
	b.handle(t, order("o1", "tok1", t0.Add(30*time.Minute)))
	b.advance(t, t0.Add(100*time.Hour))
	require.Empty(t, b.outbox.all())
	_, finished, err := b.store.Runs(context.Background(), "demo", "e:ann@example.com")
	require.NoError(t, err)
	require.Len(t, finished, 1)
	require.Equal(t, processor.RunExited, finished[0].Status)
	require.Equal(t, "exit_on", finished[0].ExitReason)
	require.Equal(t, "order.placed", finished[0].ExitDetail)
}

func TestOrderBeforeItsCheckoutUpdatePreventsTheRun(t *testing.T) {
	t.Parallel()
	b := setup(t)
	// The order's webhook arrives first; the checkout update it came from
	// arrives later, with an earlier occurred_at.
	b.clock.Set(t0.Add(5 * time.Minute))
	b.handle(t, order("o1", "tok1", t0.Add(2*time.Minute)))
	b.handle(t, checkout("tok1", t0))
	b.advance(t, t0.Add(100*time.Hour))
	require.Empty(t, b.outbox.all())
	active, finished, err := b.store.Runs(context.Background(), "demo", "e:ann@example.com")
	require.NoError(t, err)
	require.Empty(t, active)
	require.Empty(t, finished, "the run never started")
}

func TestAnOldOrderDoesNotPreventANewAbandonment(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.handle(t, order("o0", "old-token", t0.Add(-30*24*time.Hour+time.Hour)))
	b.handle(t, checkout("tok2", t0))
	b.advance(t, t0.Add(time.Hour))
	require.Equal(t, []string{"abandoned-checkout-reminder"}, templates(b.outbox.all()))
}

func TestDuplicateCheckoutWebhookChangesNothing(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ev := checkout("tok1", t0)
	b.handle(t, ev)
	b.handle(t, ev)
	again := checkout("tok1", t0) // a second subscription: same key
	again.ID = "another-delivery"
	b.handle(t, again)
	b.advance(t, t0.Add(time.Hour))
	require.Len(t, b.outbox.all(), 1)
	active, _, err := b.store.Runs(context.Background(), "demo", "e:ann@example.com")
	require.NoError(t, err)
	require.Len(t, active, 1)
}

func TestNewerCheckoutUpdateMovesTheFirstWait(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.handle(t, checkout("tok1", t0))
	b.handle(t, checkout("tok1", t0.Add(30*time.Minute)))
	b.handle(t, checkout("tok1", t0.Add(10*time.Minute))) // older: ignored
	b.advance(t, t0.Add(time.Hour))
	require.Empty(t, b.outbox.all(), "the wait now counts from the newer update")
	b.advance(t, t0.Add(90*time.Minute))
	sends := b.outbox.all()
	require.Len(t, sends, 1)
	require.Equal(t, t0.Add(90*time.Minute), sends[0].DueAt)
}

func TestSMSStepNeedsConsent(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ev := checkout("tok1", t0)
	d := ev.Data.(*event.Checkout)
	d.AcceptsSMSMarketing = true
	d.SMSMarketingPhone = "+15005550006"
	b.handle(t, ev)
	b.advance(t, t0.Add(24*time.Hour))
	sends := b.outbox.all()
	require.Equal(t, []string{"abandoned-checkout-reminder", "abandoned-checkout-benefits", "abandoned-checkout-sms"}, templates(sends))
	require.Equal(t, "+15005550006", sends[2].To)
}

func TestReentryOnce(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.handle(t, checkout("tok1", t0))
	b.advance(t, t0.Add(72*time.Hour))
	require.Len(t, b.outbox.all(), 3)
	b.handle(t, checkout("tok1", t0.Add(80*time.Hour)))
	b.advance(t, t0.Add(200*time.Hour))
	require.Len(t, b.outbox.all(), 3, "reentry once: the same checkout never starts a second run")
}

func TestConcurrentEventsOfOneCustomerAllApply(t *testing.T) {
	t.Parallel()
	b := setup(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			ev := order("o"+string(rune('a'+i)), "", t0.Add(time.Duration(i)*time.Minute))
			require.NoError(t, b.engine.Handle(context.Background(), ev))
		})
	}
	wg.Wait()
	// Each order counted once despite the compare-and-set retries.
	st, err := b.store.Load(context.Background(), "demo", "e:ann@example.com", "x")
	require.NoError(t, err)
	require.Equal(t, 8, st.Profile.OrdersCount)
	require.Equal(t, "200.00", st.Profile.TotalSpent)
}

func TestSubMillisecondTriggerTimesStillFire(t *testing.T) {
	t.Parallel()
	b := setup(t)
	at := t0.Add(123456789 * time.Nanosecond)
	b.handle(t, checkout("tok1", at))
	b.advance(t, at.Add(time.Hour))
	require.Len(t, b.outbox.all(), 1, "a timer stored in milliseconds still wakes its run")
}

func TestHandleBatchAppliesEachEventOnce(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ann := checkout("tok-ann", t0)
	bob := checkout("tok-bob", t0)
	bob.Customer.Email = "bob@example.com"
	bob.Data.(*event.Checkout).Email = "bob@example.com"
	annOrder := order("o1", "tok-other", t0.Add(time.Minute)) // ann again: handled after the round
	errs := b.engine.HandleBatch(context.Background(), []*event.Event{ann, bob, ann, annOrder})
	for _, err := range errs {
		require.NoError(t, err)
	}
	errs = b.engine.HandleBatch(context.Background(), []*event.Event{bob, ann}) // late duplicates
	for _, err := range errs {
		require.NoError(t, err)
	}
	st, err := b.store.Load(context.Background(), "demo", "e:ann@example.com", "x")
	require.NoError(t, err)
	require.Equal(t, 1, st.Profile.OrdersCount)
	require.Empty(t, st.Runs, "ann's order (same email) ended her run")
	st, err = b.store.Load(context.Background(), "demo", "e:bob@example.com", "x")
	require.NoError(t, err)
	require.Len(t, st.Runs, 1, "one run for bob's checkout")
	b.advance(t, t0.Add(time.Hour))
	require.Len(t, b.outbox.all(), 1, "ann ordered since her checkout: only bob's reminder")
	require.Equal(t, "bob@example.com", b.outbox.all()[0].To)
}

func TestRunsKeepTheFlowVersionTheyStartedOn(t *testing.T) {
	t.Parallel()
	env := redistest.Start(t)
	keys := redis.Keys{Prefix: env.Prefix}
	timers, err := redis.NewTimers(redis.TimerConfig{Client: env.Client, Keys: keys})
	require.NoError(t, err)
	archive := redisstore.NewArchive(redis.NewFlowDefs(env.Client, keys))
	store := redisstore.New(redis.NewCustomerStore(env.Client, keys, timers))
	clk := &clock{now: t0}
	out := &recorder{}
	engineFor := func(src string) *processor.Engine {
		f, errs := flows.Parse("v.yaml", []byte(src))
		require.Empty(t, errs)
		p, err := flows.Compile(f)
		require.NoError(t, err)
		require.NoError(t, archive.Store(context.Background(), []*flows.Program{p}))
		set, err := flows.NewSet(p)
		require.NoError(t, err)
		e, err := processor.New(processor.Config{
			Flows: set, Archive: archive, State: store, Timers: timersSeam{timers}, Outbox: out, Now: clk.Now,
		})
		require.NoError(t, err)
		return e
	}
	v1 := engineFor(abandonedCheckout)
	require.NoError(t, v1.Handle(context.Background(), checkout("tok1", t0)))
	// A deploy ships version 2 with other templates; the running run keeps
	// version 1, a new one starts on version 2.
	v2src := strings.ReplaceAll(strings.Replace(abandonedCheckout, "version: 1", "version: 2", 1),
		"abandoned-checkout-reminder", "v2-reminder")
	v2 := engineFor(v2src)
	b := &testBundle{engine: v2, store: store, timers: timers, clock: clk, outbox: out}
	other := checkout("tok2", t0)
	other.Customer.Email = "zed@example.com"
	other.Data.(*event.Checkout).Email = "zed@example.com"
	b.handle(t, other)
	b.advance(t, t0.Add(time.Hour))
	got := map[string]string{}
	for _, s := range out.all() {
		got[s.To] = fmt.Sprintf("%s v%d", s.Template, s.Version)
	}
	require.Equal(t, map[string]string{
		"ann@example.com": "abandoned-checkout-reminder v1",
		"zed@example.com": "v2-reminder v2",
	}, got)
}
