package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	goredis "github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	bjs "github.com/boomerang-dev/boomerang/adapters/jetstream"
	"github.com/boomerang-dev/boomerang/adapters/jetstream/jetstreamtest"
	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/adapters/redis/redistest"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/flows/event"
	"github.com/boomerang-dev/boomerang/processor"
	"github.com/boomerang-dev/boomerang/processor/redisstore"
)

// BenchmarkProcessorReplicas publishes b.N events of many customers
// (checkout updates, orders; docs/scaling.md) onto a real embedded
// JetStream EVENTS stream, then starts 1, 2 or 4 processor replicas, each
// built by the processor role's own wiring (newProcessing: the built-in
// flows, the real engine, its own NATS connection and Redis client) and
// consuming the shared durable consumer with its EVENTS worker, on a
// private redis-server. It reports events/s from the replicas' start until
// every event is acknowledged, then checks every customer's outcome; any
// wrong outcome fails the benchmark.
func BenchmarkProcessorReplicas(b *testing.B) {
	for _, n := range []int{1, 2, 4} {
		b.Run("replicas="+strconv.Itoa(n), func(b *testing.B) { benchReplicas(b, n) })
	}
}

// replicaShops are the shops of the benchmark's traffic.
var replicaShops = []string{"shop-a", "shop-b", "shop-c", "shop-d"}

func benchReplicas(b *testing.B, replicas int) {
	b.Helper()
	ctx := context.Background()
	env := redistest.StartPrivate(b) // the role's own keys (no prefix), on a quiet server
	srv := jetstreamtest.Start(b)
	mustB(b, bjs.EnsureStreams(ctx, srv.Conn.JS, bjs.StreamsConfig{MaxBytes: 4 << 30}))
	shops := replicaRegistry(b)

	t0 := time.Now().Add(-time.Hour).Truncate(time.Second)
	tr := newReplicaTraffic(b.N, t0, rand.New(rand.NewPCG(9, uint64(replicas))))
	mustB(b, publishEvents(ctx, bjs.NewPublisher(srv.Conn.JS), tr.events))
	stream, err := srv.Conn.JS.Stream(ctx, bjs.StreamEvents)
	mustB(b, err)
	sinfo, err := stream.Info(ctx)
	mustB(b, err)
	if sinfo.State.Msgs != uint64(len(tr.events)) {
		b.Fatalf("EVENTS holds %d messages, published %d", sinfo.State.Msgs, len(tr.events))
	}
	memBefore := redisUsedMemory(b, env.Client)

	procs := make([]*replica, replicas)
	for i := range procs {
		procs[i] = startReplica(b, srv, env.URL, shops, i)
	}
	b.ResetTimer()
	start, cpu0, redisCPU0 := time.Now(), processCPU(), redisCPU(b, env.Client)
	for _, p := range procs {
		mustB(b, p.proc.worker.Start(ctx))
	}
	mustB(b, waitAcked(ctx, srv.Conn.JS, sinfo.State.LastSeq, 10*time.Minute))
	elapsed, cpu, rcpu := time.Since(start), processCPU()-cpu0, redisCPU(b, env.Client)-redisCPU0
	b.StopTimer()
	// The replicas keep running for the check: it fires the timers a
	// concurrent commit left with another due time than their run's.
	check := checkReplicaOutcome(ctx, env.Client, srv.Conn.JS, tr)
	stopCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var conflicts, duplicates float64
	for _, p := range procs {
		p.stop(stopCtx)
		conflicts += counterSum(b, p.reg, "boomerang_processor_conflicts_total", "")
		duplicates += counterSum(b, p.reg, "boomerang_processor_events_total", "duplicate")
	}
	memAfter := redisUsedMemory(b, env.Client)
	sizes := customerSizes(b, env.Client, tr)
	outbox, err := srv.Conn.JS.Stream(ctx, bjs.StreamOutbox)
	mustB(b, err)
	oinfo, err := outbox.Info(ctx)
	mustB(b, err)

	n := float64(len(tr.events))
	figures := []struct {
		v    float64
		unit string
	}{
		{n / elapsed.Seconds(), "events/s"},
		{n / elapsed.Seconds() / float64(replicas), "events/s/replica"},
		{float64(cpu.Microseconds()) / n, "proc-cpu-us/event"},
		{float64(rcpu.Microseconds()) / n, "redis-cpu-us/event"},
		{conflicts / n, "conflicts/event"},
		{duplicates, "duplicates"},
		{float64(len(tr.customers)), "customers"},
		{float64(sinfo.State.Bytes) / float64(sinfo.State.Msgs), "stored-B/event"},
		{float64(oinfo.State.Bytes) / float64(max(oinfo.State.Msgs, 1)), "stored-B/send"},
		{float64(memAfter-memBefore) / float64(len(tr.customers)), "redis-B/customer"},
		{sizes.state, "state-B/customer"},
		{sizes.profile, "profile-B/customer"},
		{sizes.exits, "exits-B/customer"},
		{sizes.reentry, "reentry-B/customer"},
		{sizes.activeRun, "B/active-run"},
		{sizes.finishedRun, "B/finished-run"},
		{sizes.seen, "B/seen-event"},
		{float64(check.sends), "sends"},
		{float64(check.orphans), "orphan-timers"},
		{float64(check.refired), "refired-timers"},
	}
	// Logged as well: a failed check drops the reported metrics.
	var line strings.Builder
	for _, f := range figures {
		fmt.Fprintf(&line, " %.4g %s", f.v, f.unit)
		b.ReportMetric(f.v, f.unit)
	}
	b.Logf("%d replicas, %d events in %s:%s", replicas, len(tr.events), elapsed.Round(time.Millisecond), line.String())
	b.ReportMetric(0, "ns/op")
	if check.err != nil {
		b.Fatal(check.err)
	}
}

// replica is one processor instance: its connections and its parts.
type replica struct {
	conn    *bjs.Conn
	rdb     goredis.UniversalClient
	proc    *processing
	reg     *prometheus.Registry
	stopped bool
}

// startReplica builds a processor replica as the process role does
// (newProcessing), with its own NATS connection and Redis client; the
// caller starts its EVENTS worker.
func startReplica(b *testing.B, srv *jetstreamtest.Server, redisURL string, shops *shop.Registry, i int) *replica {
	b.Helper()
	conn, err := bjs.Connect(srv.Embedded.URL(), "bench-processor-"+strconv.Itoa(i), nil)
	mustB(b, err)
	rdb, err := newRedisClient(redisURL)
	mustB(b, err)
	reg := prometheus.NewRegistry()
	cfg := &Config{ReconcileInterval: "0"}
	proc, err := newProcessing(cfg, conn, rdb, shops, map[string]bool{}, "bench-secret", reg, zap.NewNop())
	mustB(b, err)
	r := &replica{conn: conn, rdb: rdb, proc: proc, reg: reg}
	b.Cleanup(func() { r.stop(context.Background()) }) // when the benchmark fails half-way
	return r
}

// stop drains the replica's worker and closes its connections; a second
// call does nothing.
func (r *replica) stop(ctx context.Context) {
	if r.stopped {
		return
	}
	r.stopped = true
	r.proc.worker.Stop(ctx)
	r.conn.NC.Close()
	_ = r.rdb.Close()
}

func replicaRegistry(b *testing.B) *shop.Registry {
	b.Helper()
	list := make([]*shop.Shop, len(replicaShops))
	for i, id := range replicaShops {
		s := shop.Demo("secret")
		s.ID, s.Domain, s.PublicKey = id, id+".myshopify.com", "pk_"+id
		list[i] = s
	}
	reg, err := shop.NewRegistry(list...)
	mustB(b, err)
	return reg
}

// benchCustomer is what one customer's events must leave behind.
type benchCustomer struct {
	shop, email, key string
	// newest is each checkout token's newest update.
	newest map[string]time.Time
	orders []string
}

// replicaTraffic is the published events and the customers they belong to.
type replicaTraffic struct {
	events    []*event.Event
	customers []*benchCustomer
}

// replicaWindow is how many customers shop at once: their events are
// interleaved in the stream, each customer's close together, so replicas
// race on the same customer as they would on a busy store.
const replicaWindow = 64

// newReplicaTraffic makes n events of about 1.4 KB (checkouts) and 1.75 KB
// (orders; Shopify's normalised samples are 1.3 and 2.1 KB). Each customer
// updates one or two checkouts one to three times (two line items, 60 % ticking
// marketing consent); half of them then order the last checkout and 15 %
// order again. Every tenth buyer's first order is published before the
// event that preceded it, as webhooks sometimes arrive.
func newReplicaTraffic(n int, t0 time.Time, r *rand.Rand) *replicaTraffic {
	tr := &replicaTraffic{}
	for w := 0; len(tr.events) < n; w++ {
		base := t0.Add(time.Duration(w) * 10 * time.Second)
		var window []*event.Event
		swaps := map[int]bool{}
		for range replicaWindow {
			c := len(tr.customers)
			evs, bc := customerEvents(c, base.Add(time.Duration(r.IntN(300))*time.Second), r)
			tr.customers = append(tr.customers, bc)
			if len(bc.orders) > 0 && c%10 == 3 {
				swaps[c] = true
			}
			window = append(window, evs...)
		}
		slices.SortStableFunc(window, func(a, b *event.Event) int { return a.OccurredAt.Compare(b.OccurredAt) })
		swapFirstOrder(window, swaps)
		tr.events = append(tr.events, window...)
	}
	tr.events = tr.events[:n]
	// Expectations follow what was published: the last window may be cut.
	byKey := map[string]*benchCustomer{}
	for _, c := range tr.customers {
		c.newest, c.orders = map[string]time.Time{}, nil
		byKey[c.shop+"|"+c.email] = c
	}
	tr.customers = tr.customers[:0]
	for _, ev := range tr.events {
		c := byKey[ev.Shop+"|"+ev.Customer.Email]
		if len(c.newest) == 0 && len(c.orders) == 0 {
			tr.customers = append(tr.customers, c)
		}
		switch d := ev.Data.(type) {
		case *event.Checkout:
			if ev.OccurredAt.After(c.newest[d.Token]) {
				c.newest[d.Token] = ev.OccurredAt
			}
		case *event.Order:
			c.orders = append(c.orders, d.ID)
		}
	}
	return tr
}

// swapFirstOrder moves the first order of each customer in swaps before
// that customer's preceding event.
func swapFirstOrder(window []*event.Event, swaps map[int]bool) {
	last := map[string]int{} // customer email → index of its latest event
	done := map[string]bool{}
	for i, ev := range window {
		email := ev.Customer.Email
		if _, isOrder := ev.Data.(*event.Order); isOrder && !done[email] {
			done[email] = true
			var c int
			if _, err := fmt.Sscanf(email, "c%d@example.com", &c); err == nil && swaps[c] {
				if j, ok := last[email]; ok {
					window[i], window[j] = window[j], window[i]
				}
			}
		}
		last[email] = i
	}
}

func customerEvents(c int, at time.Time, r *rand.Rand) ([]*event.Event, *benchCustomer) {
	shopID := replicaShops[c%len(replicaShops)]
	email := fmt.Sprintf("c%d@example.com", c)
	bc := &benchCustomer{shop: shopID, email: email}
	cust := &event.Customer{ID: strconv.Itoa(7_000_000 + c), Email: email, FirstName: "Ann", LastName: "Shopper" + strconv.Itoa(c)}
	consent := r.Float64() < 0.6
	items := func() []event.LineItem {
		out := make([]event.LineItem, 2)
		for i := range out {
			p := 1000 + r.IntN(200)
			out[i] = event.LineItem{
				ID: strconv.Itoa(9_000_000 + r.IntN(1_000_000)), ProductID: strconv.Itoa(p), VariantID: strconv.Itoa(p*10 + 1),
				SKU: "SKU-" + strconv.Itoa(p), Title: "Organic cotton tee " + strconv.Itoa(p), VariantTitle: "Blue / M",
				Quantity: 1 + r.IntN(2), Price: "24.00", ImageURL: "https://cdn.example.com/products/" + strconv.Itoa(p) + ".jpg",
				URL: "https://" + shopID + ".example.com/products/tee-" + strconv.Itoa(p),
			}
		}
		return out
	}
	mk := func(t event.Type, id, key string, occurred time.Time, data any) *event.Event {
		return &event.Event{
			SchemaVersion: event.SchemaVersion, ID: id, Key: key, Type: t, Shop: shopID, Platform: event.PlatformShopify,
			OccurredAt: occurred, ReceivedAt: occurred.Add(time.Second), Customer: cust, Data: data,
			Source: event.Source{Topic: "bench", DeliveryID: id},
		}
	}
	var evs []*event.Event
	var token string
	checkouts := 1 + r.IntN(2)
	for j := range checkouts {
		token = fmt.Sprintf("%s-ck-%d-%d", shopID, c, j)
		li := items()
		for u := range 1 + r.IntN(3) {
			t := at.Add(time.Duration(j)*2*time.Minute + time.Duration(u)*20*time.Second)
			evs = append(evs, mk(event.CheckoutUpdated, fmt.Sprintf("k-%d-%d-%d", c, j, u),
				"checkout.updated:"+shopID+":"+token+"@"+t.Format(time.RFC3339Nano), t, &event.Checkout{
					Token: token, CartToken: "cart-" + token, Email: email, AcceptsEmailMarketing: consent,
					Currency: "USD", Subtotal: "48.00", Total: "53.90", LineItems: li,
					RecoveryURL: "https://" + shopID + ".example.com/checkouts/" + token + "/recover?key=k" + strconv.Itoa(c),
					CreatedAt:   at, UpdatedAt: t,
				}))
		}
	}
	orderAt := at.Add(time.Duration(checkouts)*2*time.Minute + 5*time.Minute)
	order := func(k int, checkoutToken string, t time.Time) *event.Event {
		id := strconv.Itoa(5_000_000_000 + c*10 + k)
		addr := &event.Address{
			FirstName: "Ann", LastName: "Shopper" + strconv.Itoa(c), Address1: strconv.Itoa(c) + " Market Street",
			City: "Springfield", Province: "Oregon", Zip: "97477", Country: "United States", CountryCode: "US",
		}
		return mk(event.OrderPlaced, fmt.Sprintf("o-%d-%d", c, k), "order.placed:"+shopID+":"+id, t, &event.Order{
			ID: id, Number: strconv.Itoa(1000 + c), Name: "#" + strconv.Itoa(1000+c), CheckoutToken: checkoutToken,
			Email: email, FinancialStatus: "paid", Currency: "USD", Subtotal: "48.00", TotalShipping: "5.90",
			TotalTax: "0.00", Total: "53.90", LineItems: items(), BillingAddress: addr, ShippingAddress: addr,
			AcceptsMarketing: consent, StatusURL: "https://" + shopID + ".example.com/orders/" + id,
			CreatedAt: t, UpdatedAt: t,
		})
	}
	switch p := r.Float64(); {
	case p < 0.15:
		evs = append(evs, order(0, token, orderAt), order(1, "", orderAt.Add(time.Minute)))
	case p < 0.5:
		evs = append(evs, order(0, token, orderAt))
	}
	bc.key = processor.CustomerKey(evs[0])
	return evs, bc
}

func publishEvents(ctx context.Context, pub *bjs.Publisher, evs []*event.Event) error {
	msgs := make([]bjs.BatchMsg, 0, 1000)
	for i, ev := range evs {
		data, err := json.Marshal(ev)
		if err != nil {
			return err
		}
		msgs = append(msgs, bjs.BatchMsg{Subject: ev.Subject(), MsgID: ev.MsgID(), Data: data})
		if len(msgs) == cap(msgs) || i == len(evs)-1 {
			if err := pub.PublishBatch(ctx, msgs); err != nil {
				return err
			}
			msgs = msgs[:0]
		}
	}
	return nil
}

// waitAcked polls the processor's consumer until every message up to last
// is acknowledged (terminated ones move the floor too: the outcome check
// finds them).
func waitAcked(ctx context.Context, js jetstream.JetStream, last uint64, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return fmt.Errorf("the replicas did not acknowledge every event: %w", ctx.Err())
		case <-tick.C:
		}
		cons, err := js.Consumer(ctx, bjs.StreamEvents, processorDurable)
		if errors.Is(err, jetstream.ErrConsumerNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		info, err := cons.Info(ctx)
		if err != nil {
			return err
		}
		if info.AckFloor.Stream >= last && info.NumAckPending == 0 && info.NumPending == 0 {
			return nil
		}
	}
}

// replicaCheck is the outcome check's result.
type replicaCheck struct {
	sends int
	// orphans are timers no run waits for: written by a commit attempt
	// that lost to a concurrent one; they fire into nothing.
	orphans int
	// refired are timers found with another due time than their waiting
	// run's, which the check fired (as the poller would once due).
	refired int
	err     error
}

// checkReplicaOutcome checks what every customer's events left: the
// profile holds exactly its orders; each checkout started at most one
// abandonment run, still waiting (due an hour after the checkout's newest
// update) unless the customer ordered, in which case it was exited or never
// started; each order was confirmed by exactly one run and one send
// command, and OUTBOX holds nothing else; a buyer has exactly one active
// win-back and one profile-survey run; every waiting run's timer is in the
// store with the run's due time (checkTimers).
func checkReplicaOutcome(ctx context.Context, rdb goredis.UniversalClient, js jetstream.JetStream, tr *replicaTraffic) replicaCheck {
	timers, err := redis.NewTimers(redis.TimerConfig{Client: rdb})
	if err != nil {
		return replicaCheck{err: err}
	}
	store := redisstore.New(redis.NewCustomerStore(rdb, redis.Keys{}, timers))
	var errs []error
	// Failures are counted by kind (their format), with a few examples.
	kinds := map[string][]string{}
	var order []string
	fail := func(c *benchCustomer, format string, args ...any) {
		if _, ok := kinds[format]; !ok {
			order = append(order, format)
		}
		kinds[format] = append(kinds[format], c.shop+" "+c.email+": "+fmt.Sprintf(format, args...))
	}
	waiting := map[string]int64{} // timer id → due (unix ms) of every waiting run
	orders := 0
	for _, c := range tr.customers {
		orders += len(c.orders)
		prof, err := store.Profile(ctx, c.shop, c.key)
		if err != nil {
			return replicaCheck{err: err}
		}
		if prof == nil {
			fail(c, "no profile")
			continue
		}
		if prof.OrdersCount != len(c.orders) {
			fail(c, "profile counts %d orders, want %d", prof.OrdersCount, len(c.orders))
		}
		active, finished, err := store.Runs(ctx, c.shop, c.key)
		if err != nil {
			return replicaCheck{err: err}
		}
		byFlow := map[string][]*processor.Run{}
		for _, r := range slices.Concat(active, finished) {
			byFlow[r.Flow] = append(byFlow[r.Flow], r)
			if r.Status == processor.RunActive && r.Wait != nil && r.Wait.TimerID != "" {
				waiting[r.Wait.TimerID] = r.Wait.Due.UnixMilli()
			}
		}
		checkAbandonment(c, byFlow["abandoned-checkout"], fail)
		confirmed := map[string]int{}
		for _, r := range byFlow["order-confirmation"] {
			confirmed[r.Key]++
			if r.Status != processor.RunDone {
				fail(c, "order confirmation run %s is %s", r.ID, r.Status)
			}
		}
		for _, o := range c.orders {
			if confirmed[o] != 1 {
				fail(c, "order %s confirmed by %d runs", o, confirmed[o])
			}
		}
		if len(confirmed) != len(c.orders) {
			fail(c, "%d orders confirmed, placed %d", len(confirmed), len(c.orders))
		}
		want := 0
		if len(c.orders) > 0 {
			want = 1
		}
		for _, flow := range []string{"win-back", "profile-survey"} {
			n := 0
			for _, r := range byFlow[flow] {
				if r.Status == processor.RunActive {
					n++
				}
			}
			if n != want {
				fail(c, "%d active %s runs, want %d", n, flow, want)
			}
		}
		if n := len(byFlow["profile-survey"]); n != want {
			fail(c, "%d profile-survey runs, want %d", n, want)
		}
	}
	for _, k := range order {
		ex := kinds[k]
		errs = append(errs, fmt.Errorf("%d customers: %s", len(ex), strings.Join(ex[:min(3, len(ex))], "; ")))
	}
	refired, orphans, err := checkTimers(ctx, js, timers, waiting)
	if err != nil {
		errs = append(errs, err)
	}
	sends, err := checkOutbox(ctx, js, tr)
	if err != nil {
		errs = append(errs, err)
	} else if sends != orders {
		errs = append(errs, fmt.Errorf("OUTBOX holds %d send commands for %d orders", sends, orders))
	}
	return replicaCheck{sends: sends, orphans: orphans, refired: refired, err: errors.Join(errs...)}
}

// checkTimers checks that every waiting run's timer is in the store with
// the run's due time. A commit attempt that loses to a concurrent one may
// have written its timer after the winner's (its older due time): such a
// timer is fired now, as the poller would fire it once due, through the
// running replicas, and must then have been rescheduled at the run's due
// time. It returns the timers fired so and the timers no run waits for
// (orphans of lost attempts, which fire into nothing).
func checkTimers(ctx context.Context, js jetstream.JetStream, timers *redis.Timers, waiting map[string]int64) (refired, orphans int, err error) {
	// Claiming at a virtual time past every due time lists the store; the
	// leases it takes end before the second listing's time, and a
	// rescheduled timer is waiting again.
	stored, err := listTimers(ctx, timers, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		return 0, 0, err
	}
	var stale []redis.Claimed
	for _, c := range stored {
		if due, ok := waiting[c.ID]; ok && due != c.Due.UnixMilli() {
			stale = append(stale, c)
		}
	}
	if len(stale) > 0 {
		if err := fireTimers(ctx, js, stale); err != nil {
			return 0, 0, err
		}
		if stored, err = listTimers(ctx, timers, time.Date(9999, 1, 2, 0, 0, 0, 0, time.UTC)); err != nil {
			return 0, 0, err
		}
	}
	have := make(map[string]int64, len(stored))
	for _, c := range stored {
		have[c.ID] = c.Due.UnixMilli()
	}
	var missing, wrong []string
	for id, due := range waiting {
		got, ok := have[id]
		switch {
		case !ok:
			missing = append(missing, id)
		case got != due:
			wrong = append(wrong, fmt.Sprintf("%s due %s, its run waits until %s", id,
				time.UnixMilli(got).UTC().Format(time.RFC3339), time.UnixMilli(due).UTC().Format(time.RFC3339)))
		}
	}
	for id := range have {
		if _, ok := waiting[id]; !ok {
			orphans++
		}
	}
	if len(missing)+len(wrong) > 0 {
		err = fmt.Errorf("of %d waiting runs, %d have no timer and %d a timer due at another time, after firing %d "+
			"such timers (the runs never resume): %v", len(waiting), len(missing), len(wrong), len(stale),
			slices.Concat(missing[:min(3, len(missing))], wrong[:min(3, len(wrong))]))
	}
	return len(stale), orphans, err
}

// listTimers claims every timer of every shard at the virtual time now.
func listTimers(ctx context.Context, timers *redis.Timers, now time.Time) ([]redis.Claimed, error) {
	var out []redis.Claimed
	for s := range timers.Shards() {
		for {
			cs, err := timers.Claim(ctx, s, now, 10_000)
			if err != nil {
				return nil, err
			}
			if len(cs) == 0 {
				break
			}
			out = append(out, cs...)
		}
	}
	return out, nil
}

// fireTimers publishes the timer.fired events the poller would for cs (its
// encoding in newProcessing) and waits until the replicas applied them.
func fireTimers(ctx context.Context, js jetstream.JetStream, cs []redis.Claimed) error {
	msgs := make([]bjs.BatchMsg, len(cs))
	for i, c := range cs {
		ev, err := processor.TimerFired(c.ID, c.Due, string(c.Payload), c.Due)
		if err != nil {
			return err
		}
		data, err := json.Marshal(ev)
		if err != nil {
			return err
		}
		msgs[i] = bjs.BatchMsg{Subject: timerSubject(ev), MsgID: c.MsgID(), Data: data}
	}
	if err := bjs.NewPublisher(js).PublishBatch(ctx, msgs); err != nil {
		return err
	}
	st, err := js.Stream(ctx, bjs.StreamEvents)
	if err != nil {
		return err
	}
	info, err := st.Info(ctx)
	if err != nil {
		return err
	}
	return waitAcked(ctx, js, info.State.LastSeq, time.Minute)
}

// checkAbandonment checks one customer's abandoned-checkout runs.
func checkAbandonment(c *benchCustomer, runs []*processor.Run, fail func(*benchCustomer, string, ...any)) {
	byToken := map[string][]*processor.Run{}
	for _, r := range runs {
		byToken[r.Key] = append(byToken[r.Key], r)
	}
	for token, rs := range byToken {
		if _, ok := c.newest[token]; !ok {
			fail(c, "abandonment run for a checkout %s it never updated", token)
		}
		if len(rs) > 1 {
			fail(c, "checkout %s started %d abandonment runs", token, len(rs))
		}
	}
	for token, newest := range c.newest {
		rs := byToken[token]
		if len(c.orders) > 0 {
			for _, r := range rs {
				if r.Status != processor.RunExited {
					fail(c, "checkout %s of a buyer has a %s abandonment run", token, r.Status)
				}
			}
			continue
		}
		if len(rs) != 1 {
			fail(c, "checkout %s has %d abandonment runs, want 1", token, len(rs))
			continue
		}
		r := rs[0]
		due := newest.Add(time.Hour)
		switch {
		case r.Status != processor.RunActive:
			fail(c, "checkout %s's abandonment run is %s", token, r.Status)
		case r.Wait == nil || r.Wait.Due.UnixMilli() != due.UnixMilli():
			fail(c, "checkout %s's abandonment run waits %+v, want due %s (newest update + 1h)", token, r.Wait, due)
		}
	}
}

// checkOutbox reads every send command on OUTBOX and checks that each
// confirms one of the traffic's orders, once.
func checkOutbox(ctx context.Context, js jetstream.JetStream, tr *replicaTraffic) (int, error) {
	orders := map[string]bool{}
	for _, c := range tr.customers {
		for _, o := range c.orders {
			orders[o] = true
		}
	}
	st, err := js.Stream(ctx, bjs.StreamOutbox)
	if err != nil {
		return 0, err
	}
	info, err := st.Info(ctx)
	if err != nil {
		return 0, err
	}
	total := int(info.State.Msgs)
	if total == 0 {
		return 0, nil
	}
	cons, err := js.OrderedConsumer(ctx, bjs.StreamOutbox, jetstream.OrderedConsumerConfig{})
	if err != nil {
		return 0, err
	}
	seen := map[string]int{}
	for n := 0; n < total; {
		batch, err := cons.Fetch(min(1000, total-n), jetstream.FetchMaxWait(5*time.Second))
		if err != nil {
			return 0, err
		}
		got := 0
		for m := range batch.Messages() {
			got++
			var cmd processor.SendCommand
			if err := json.Unmarshal(m.Data(), &cmd); err != nil {
				return 0, err
			}
			var ev struct {
				Data struct {
					ID string `json:"id"`
				} `json:"data"`
			}
			if err := json.Unmarshal(cmd.Event, &ev); err != nil {
				return 0, fmt.Errorf("send command %s: %w", cmd.ID, err)
			}
			if cmd.Flow != "order-confirmation" || !orders[ev.Data.ID] {
				return 0, fmt.Errorf("unexpected send command %s of flow %s for order %q", cmd.ID, cmd.Flow, ev.Data.ID)
			}
			seen[ev.Data.ID]++
		}
		if err := batch.Error(); err != nil {
			return 0, err
		}
		if got == 0 {
			return 0, fmt.Errorf("OUTBOX: read %d of %d messages", n, total)
		}
		n += got
	}
	for o, k := range seen {
		if k != 1 {
			return 0, fmt.Errorf("order %s has %d send commands", o, k)
		}
	}
	return total, nil
}

// customerBytes are the average Redis sizes (MEMORY USAGE) of a customer's
// keys.
type customerBytes struct {
	state, activeRun, finishedRun, seen float64
	// profile, exits and reentry are the lengths of the state hash's
	// fields: the profile JSON, the remembered exit events and the
	// reentry markers.
	profile, exits, reentry float64
}

// customerSizes measures MEMORY USAGE of every customer's state hash
// (profile, version, reentry and exit markers), runs hash, history list and
// idempotency records, averaged per customer, run and event.
func customerSizes(b *testing.B, rdb goredis.UniversalClient, tr *replicaTraffic) customerBytes {
	b.Helper()
	ctx := context.Background()
	keys := redis.Keys{}
	pipe := rdb.Pipeline()
	type sized struct {
		state, runs, hist       *goredis.IntCmd
		nRuns, nHist            *goredis.IntCmd
		profile, exits, reentry *goredis.IntCmd
	}
	all := make([]sized, len(tr.customers))
	for i, c := range tr.customers {
		all[i] = sized{
			state: pipe.MemoryUsage(ctx, keys.CustomerState(c.shop, c.key), 0),
			runs:  pipe.MemoryUsage(ctx, keys.CustomerRuns(c.shop, c.key), 0),
			hist:  pipe.MemoryUsage(ctx, keys.CustomerHistory(c.shop, c.key), 0),
			nRuns: pipe.HLen(ctx, keys.CustomerRuns(c.shop, c.key)),
			nHist: pipe.LLen(ctx, keys.CustomerHistory(c.shop, c.key)),
			// The state hash's fields (adapters/redis/customer.go): p
			// profile, x exits, r reentry.
			profile: pipe.HStrLen(ctx, keys.CustomerState(c.shop, c.key), "p"),
			exits:   pipe.HStrLen(ctx, keys.CustomerState(c.shop, c.key), "x"),
			reentry: pipe.HStrLen(ctx, keys.CustomerState(c.shop, c.key), "r"),
		}
	}
	seen := make([]*goredis.IntCmd, 0, len(tr.events))
	for _, ev := range tr.events {
		seen = append(seen, pipe.MemoryUsage(ctx, keys.EventSeen(ev.Shop, processor.CustomerKey(ev), ev.Key), 0))
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, goredis.Nil) {
		b.Fatal(err)
	}
	var state, runs, hist, nRuns, nHist, seenB, prof, exits, reentry int64
	for _, s := range all {
		prof += s.profile.Val()
		exits += s.exits.Val()
		reentry += s.reentry.Val()
		state += s.state.Val()
		runs += s.runs.Val()
		hist += s.hist.Val()
		nRuns += s.nRuns.Val()
		nHist += s.nHist.Val()
	}
	for _, s := range seen {
		seenB += s.Val()
	}
	return customerBytes{
		state:       float64(state) / float64(len(all)),
		activeRun:   float64(runs) / float64(max(nRuns, 1)),
		finishedRun: float64(hist) / float64(max(nHist, 1)),
		seen:        float64(seenB) / float64(len(seen)),
		profile:     float64(prof) / float64(len(all)),
		exits:       float64(exits) / float64(len(all)),
		reentry:     float64(reentry) / float64(len(all)),
	}
}

// counterSum adds up a counter family's samples in reg, only those with a
// label of value outcome when outcome is set.
func counterSum(b *testing.B, reg *prometheus.Registry, name, outcome string) float64 {
	b.Helper()
	mfs, err := reg.Gather()
	mustB(b, err)
	var sum float64
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			match := outcome == ""
			for _, l := range m.GetLabel() {
				match = match || (l.GetName() == "outcome" && l.GetValue() == outcome)
			}
			if !match {
				continue
			}
			sum += m.GetCounter().GetValue()
		}
	}
	return sum
}

func redisUsedMemory(b *testing.B, rdb goredis.UniversalClient) int64 {
	b.Helper()
	info, err := rdb.Info(context.Background(), "memory").Result()
	mustB(b, err)
	for line := range strings.SplitSeq(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, "used_memory:"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			mustB(b, err)
			return n
		}
	}
	b.Fatal("no used_memory in INFO memory")
	return 0
}

// redisCPU is the server's CPU time so far (INFO cpu: system plus user,
// main thread and background threads).
func redisCPU(b *testing.B, rdb goredis.UniversalClient) time.Duration {
	b.Helper()
	info, err := rdb.Info(context.Background(), "cpu").Result()
	mustB(b, err)
	var sec float64
	for line := range strings.SplitSeq(info, "\r\n") {
		for _, k := range []string{"used_cpu_sys:", "used_cpu_user:"} {
			if v, ok := strings.CutPrefix(line, k); ok {
				f, err := strconv.ParseFloat(v, 64)
				mustB(b, err)
				sec += f
			}
		}
	}
	return time.Duration(sec * float64(time.Second))
}

// processCPU is this process's CPU time so far: the replicas, the embedded
// NATS server and the benchmark itself.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func mustB(b *testing.B, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
}
