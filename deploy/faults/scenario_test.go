//go:build faults && linux

package faults_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	bjs "github.com/boomerang-dev/boomerang/adapters/jetstream"
	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/processor"
)

// The abandoned-checkout flow with waits of seconds; its three emails are
// the steps every abandoning customer must get exactly once.
const abandonmentFlow = `id: abandoned-checkout
name: Abandoned checkout recovery (fault test)
version: 1
trigger:
  event: checkout.updated
  if: event.data.email != "" && size(event.data.line_items) > 0
key: event.data.token
exit_on:
  - event: order.placed
    if: event.data.checkout_token == run.key
steps:
  - wait: 6s
  - send: {id: reminder, channel: email, template: abandoned-checkout-reminder, category: marketing}
  - wait: 10s
  - send: {id: benefits, channel: email, template: abandoned-checkout-benefits, category: marketing}
  - wait: 10s
  - send: {id: discount, channel: email, template: abandoned-checkout-discount, category: marketing}
`

// The shop: smart sending off (the three emails come seconds apart), the
// built-in flows an order would start besides its confirmation switched
// off, so the outbox holds only what the test counts.
const shopsFile = `shops:
  - id: demo
    platform: shopify
    domain: demo.myshopify.com
    webhook_secret: ${DEMO_SECRET}
    timezone: America/New_York
    email: {from: "Demo Store <hello@demo.example>", address: "1 Main St, Springfield"}
    smart_sending: {email: 0s}
    flows:
      welcome-series: {enabled: false}
      win-back: {enabled: false}
      profile-survey: {enabled: false}
      buy-x-get-y: {enabled: false}
`

const (
	flowAbandonment  = "abandoned-checkout"
	flowConfirmation = "order-confirmation"
	webhookSecret    = "shpss_faults"
	customers        = 50
	// senderWorkers is the send role's concurrency (sending_wire.go): the
	// most claims a killed sender can leave behind.
	senderWorkers = 8
	// shutdownGrace is the roles' drain budget on SIGTERM (serve.go).
	shutdownGrace = 25 * time.Second
)

var abandonmentSteps = []string{"reminder", "benefits", "discount"}

type customer struct {
	email, token string
	orders       bool
}

// TestAbandonmentUnderFaults runs the roles as separate processes — ingest,
// process ×2, send ×2 — against a 3-node JetStream cluster (R3 streams) and
// a six-node Redis Cluster, and plays the abandonment scenario through
// signed webhooks: 25 customers check out and order (their runs exit), 25
// check out and leave (three emails each are due within seconds). Faults,
// one after another, while that work is under way:
//
//  1. the EVENTS stream leader is shut down while the leaving customers'
//     webhooks arrive (ingest answers 503 until a new leader is elected;
//     the platform retries; the node comes back and catches up);
//  2. the Redis master holding the most timer shards is SIGKILLed when the
//     first reminders go out (its replica takes over; the node restarts as
//     a replica);
//  3. a processor is SIGKILLed and restarted;
//  4. a sender is SIGKILLed while its requests are at SendGrid, and
//     restarted;
//  5. the other sender gets SIGTERM while its requests are at SendGrid:
//     readiness fails at once, it finishes them and exits 0 within the
//     grace period, and is restarted.
//
// Then: no message is sent twice (by SendGrid's count of Boomerang's
// message ids); no ordering customer gets an abandonment email and each gets
// one order confirmation; every leaving customer gets each of the three
// emails exactly once — except where docs/senders.md's at-most-once policy
// allows a message to be lost: a sender that dies between the ledger claim
// and the provider call leaves the claim, and the message is not sent. The
// test allows exactly that and nothing more: a missing email must have a
// ledger entry still "claimed", claimed by the sender killed in fault 4
// shortly before it died, and there are at most as many as that sender
// handles at once (8). Redis replication does not add to it: on a Redis
// Cluster the claim waits for a replica (WAIT) before the provider is
// called, and a claim that failed is released (adapters/redis/claim.go).
func TestAbandonmentUnderFaults(t *testing.T) {
	began := time.Now()
	binary(t) // build first: the clusters' clocks start after
	natsc := startNATSCluster(t)
	rc := startRedisCluster(t)
	rdb := rc.Client()
	fake := newSendgridFake(300 * time.Millisecond)
	sg := httptest.NewServer(fake)
	t.Cleanup(sg.Close)
	t.Logf("clusters up in %s", time.Since(began).Round(time.Millisecond))

	dir := t.TempDir()
	logDir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "flows"), 0o750))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "flows", "ac.yaml"), []byte(abandonmentFlow), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "shops.yaml"), []byte(shopsFile), 0o600))
	env := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "TMPDIR=" + os.TempDir(),
		"NATS_URL=" + natsc.URL(), "REDIS_URL=" + rc.URL(),
		"BOOMERANG_STREAM_REPLICAS=3", "BOOMERANG_STREAM_MAX_BYTES=" + strconv.Itoa(64<<20),
		"BOOMERANG_SHOPS=" + filepath.Join(dir, "shops.yaml"), "BOOMERANG_FLOWS=" + filepath.Join(dir, "flows"),
		"BOOMERANG_DATA_DIR=" + filepath.Join(dir, "data"), "DEMO_SECRET=" + webhookSecret,
		"BOOMERANG_SECRET_KEY=" + strings.Repeat("5e", 32), "BOOMERANG_ADMIN_TOKEN=bt_faults",
		"BOOMERANG_SENDGRID_URL=" + sg.URL, "BOOMERANG_RECONCILE_INTERVAL=0",
		"BOOMERANG_LOG_LEVEL=info", "BOOMERANG_LOG_FORMAT=json",
	}
	ingest := newRole(t, "ingest", "ingest", env, logDir)
	procs := []*role{newRole(t, "process-1", "process", env, logDir), newRole(t, "process-2", "process", env, logDir)}
	var senders []*role
	for i := 1; i <= 2; i++ {
		s := newRole(t, "send-"+strconv.Itoa(i), "send", append(append([]string{}, env...), "SENDGRID_API_KEY="+senderKey(i)), logDir)
		s.env = append(s.env, "BOOMERANG_PUBLIC_URL="+s.URL())
		senders = append(senders, s)
	}
	all := append(append([]*role{ingest}, procs...), senders...)
	t.Cleanup(func() {
		if t.Failed() {
			for _, r := range all {
				t.Logf("---- %s log (tail) ----\n%s", r.name, r.tail())
			}
		}
	})
	for _, r := range all {
		r.Start()
	}
	for _, r := range all {
		r.WaitReady()
	}
	leader, peers := natsc.StreamLeader(bjs.StreamEvents)
	require.Len(t, peers, 2, "EVENTS has three replicas: a leader and two peers")
	t.Logf("roles ready at %s; EVENTS leader %s, peers %v", time.Since(began).Round(time.Millisecond), leader, peers)

	var buyers, leavers []customer
	for i := range customers {
		c := customer{email: fmt.Sprintf("c%02d@example.com", i), token: fmt.Sprintf("ck-%02d", i), orders: i%2 == 0}
		if c.orders {
			buyers = append(buyers, c)
		} else {
			leavers = append(leavers, c)
		}
	}
	shop := newShopify(ingest.URL(), "demo.myshopify.com", webhookSecret)
	ctx := context.Background()

	// Phase 1: the buyers check out and order; their runs exit. Settled
	// before the faults: an order event caught in a leader change is
	// redelivered only after AckWait (30 s), later than the first wait, and
	// the reminder would then rightly go out.
	var wg sync.WaitGroup
	errs := make(chan error, customers*2)
	for i, c := range buyers {
		wg.Go(func() {
			now := time.Now()
			if err := shop.Post(ctx, "checkouts/update", "w-ck-"+c.token, checkout(c.token, c.email, now)); err != nil {
				errs <- err
				return
			}
			if err := shop.Post(ctx, "orders/create", "w-or-"+c.token, order(int64(9000+i), c.token, c.email, now)); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	requireNoErrors(t, errs)
	require.Eventually(t, func() bool { return fake.Count(flowConfirmation) >= len(buyers) },
		90*time.Second, 100*time.Millisecond, "order confirmations")
	waitIdle(t, natsc)
	t.Logf("phase 1 (buyers) settled at %s", time.Since(began).Round(time.Millisecond))

	// Phase 2: the leavers check out; the EVENTS leader goes down midway.
	phase2 := time.Now()
	progress := make(chan int, len(leavers))
	postedAll := make(chan struct{})
	go func() {
		defer close(postedAll)
		for i, c := range leavers {
			if err := shop.Post(ctx, "checkouts/update", "w-ck-"+c.token, checkout(c.token, c.email, time.Now())); err != nil {
				errs <- err
			}
			progress <- i + 1
			pause(200 * time.Millisecond)
		}
	}()
	for n := range progress {
		if n == 10 {
			break
		}
	}
	leader, _ = natsc.StreamLeader(bjs.StreamEvents)
	killedAt := time.Now()
	killed := natsc.Kill(leader)
	var newLeader string
	require.Eventually(t, func() bool {
		l, err := streamLeader(natsc, bjs.StreamEvents)
		newLeader = l
		return err == nil && l != "" && l != leader
	}, 60*time.Second, 100*time.Millisecond, "EVENTS elects a new leader")
	t.Logf("fault 1 at %s: nats %s (EVENTS leader) shut down after %d of %d leavers' checkouts; %s leads after %s",
		killedAt.Sub(began).Round(time.Millisecond), leader, 10, len(leavers), newLeader, time.Since(killedAt).Round(time.Millisecond))
	<-postedAll
	requireNoErrors(t, errs)
	natsc.Restart(killed)
	t.Logf("phase 2 (leavers) started at %s, posted at %s, %d webhook retries; nats %s back", phase2.Sub(began).Round(time.Millisecond),
		time.Since(began).Round(time.Millisecond),
		shop.Retries.Load(), leader)

	// Fault 2: the Redis master with the most timer shards, once the first
	// reminder is out (the later steps' timers wait in Redis).
	master := busiestMaster(t, rc)
	replica := rc.ReplicaOf(master)
	require.Eventually(t, func() bool { return fake.Count(flowAbandonment) >= 1 }, 120*time.Second, 5*time.Millisecond,
		"the first reminder")
	rc.Kill(master)
	t.Logf("fault 2 at %s: redis master %s killed at %d abandonment emails (the first went at %s)", since(began),
		rc.addr(master), fake.Count(flowAbandonment), firstSent(fake).Sub(began).Round(time.Millisecond))
	took := rc.WaitPromoted(replica)
	rc.Restart(master)
	t.Logf("fault 2: replica %s promoted in %s; old master back as its replica at %s", rc.addr(replica),
		took.Round(time.Millisecond), since(began))

	// Fault 3: a processor, once the second step's timers fire.
	require.Eventually(t, func() bool { return stepCount(fake, "benefits") >= 1 }, 120*time.Second, 5*time.Millisecond,
		"the first benefits email")
	procs[0].Kill9()
	t.Logf("fault 3 at %s: process-1 killed at %d abandonment emails", since(began), fake.Count(flowAbandonment))
	procs[0].Start()
	procs[0].WaitReady()

	// Fault 4: a sender with requests at SendGrid.
	require.Eventually(t, func() bool { return fake.InFlight(senderKey(1)) > 0 }, 120*time.Second, 5*time.Millisecond,
		"send-1 has a request at SendGrid")
	senders[0].Kill9()
	sender1Killed := time.Now()
	t.Logf("fault 4 at %s: send-1 killed at %d abandonment emails", since(began), fake.Count(flowAbandonment))
	senders[0].Start()
	senders[0].WaitReady()

	// Fault 5: SIGTERM to the other sender with requests at SendGrid.
	require.Eventually(t, func() bool { return fake.InFlight(senderKey(2)) > 0 }, 120*time.Second, 5*time.Millisecond,
		"send-2 has a request at SendGrid")
	termAt := time.Now()
	inFlight := unanswered(fake, senderKey(2))
	exited := senders[1].Term()
	var notReadyAt time.Time
	require.Eventually(t, func() bool {
		ready := senders[1].Ready()
		notReadyAt = time.Now()
		return !ready
	}, 5*time.Second, 5*time.Millisecond, "send-2's readiness fails on SIGTERM")
	select {
	case <-exited:
	case <-time.After(shutdownGrace + 5*time.Second):
		t.Fatalf("send-2 did not stop within the grace period")
	}
	exitAt, exitErr := senders[1].Exit()
	require.NoError(t, exitErr, "send-2 exits 0 after SIGTERM")
	require.True(t, notReadyAt.Before(exitAt), "readiness fails before the process ends")
	notReady := notReadyAt.Sub(termAt)
	drained := exitAt.Sub(termAt)
	require.Less(t, drained, shutdownGrace, "the drain fits the grace period")
	require.NotEmpty(t, inFlight)
	answered := map[string]bool{}
	for _, m := range fake.Mail() {
		if m.Key == senderKey(2) && !m.Answered.IsZero() {
			answered[m.ID] = true
		}
	}
	for _, id := range inFlight {
		require.True(t, answered[id], "send-2 saw %s answered before it stopped", id)
		st, err := redis.NewLedger(rdb, redis.Keys{}, 0).Get(ctx, id)
		require.NoError(t, err)
		require.Equal(t, redis.LedgerSent, redis.StateOf(st), "send-2 recorded %s as sent while draining", id)
	}
	require.Positive(t, senders[1].logLines("shutting down: draining"))
	t.Logf("fault 5 at %s: send-2 got SIGTERM with %d requests at SendGrid; not ready after %s, drained and exited 0 after %s",
		termAt.Sub(began).Round(time.Millisecond), len(inFlight), notReady.Round(time.Millisecond), drained.Round(time.Millisecond))
	senders[1].Start()
	senders[1].WaitReady()

	// The end: every leaver's three emails are out, or their claim is stuck
	// (the exception checked below), and nothing is in flight.
	var cmds map[string]*processor.SendCommand
	deadline := time.Now().Add(3 * time.Minute)
	for {
		var missing []string
		cmds = sendCommands(t, natsc)
		sent := sentIDs(fake)
		for _, c := range leavers {
			for _, step := range abandonmentSteps {
				cmd := commandFor(cmds, c.email, step)
				switch {
				case cmd == nil:
					missing = append(missing, c.email+" "+step+": no send command")
				case sent[cmd.ID] == 0 && !claimStuck(ctx, rdb, cmd.ID):
					missing = append(missing, c.email+" "+step+": not sent ("+ledgerState(ctx, rdb, cmd.ID)+")")
				}
			}
		}
		busy := consumersBusy(natsc)
		if len(missing) == 0 && busy == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the scenario did not complete: %d abandonment emails sent; consumers: %s; missing %d: %v",
				fake.Count(flowAbandonment), busy, len(missing), missing)
		}
		pause(250 * time.Millisecond)
	}
	waitIdle(t, natsc)

	// Nothing twice.
	sent := sentIDs(fake)
	for id, n := range sent {
		require.Equal(t, 1, n, "message %s sent %d times", id, n)
	}
	// Buyers: their confirmation, no abandonment email.
	byTo := map[string][]mail{}
	for _, m := range fake.Mail() {
		byTo[m.To] = append(byTo[m.To], m)
	}
	for _, c := range buyers {
		require.Len(t, byTo[c.email], 1, "%s gets only the order confirmation", c.email)
		require.Equal(t, flowConfirmation, byTo[c.email][0].Flow, c.email)
		require.Nil(t, commandFor(cmds, c.email, "reminder"), "%s ordered: the run exited before the reminder", c.email)
	}
	// Leavers: each email once, or the documented exception.
	var lost []string
	for _, c := range leavers {
		for _, step := range abandonmentSteps {
			cmd := commandFor(cmds, c.email, step)
			if sent[cmd.ID] == 1 {
				continue
			}
			st, err := redis.NewLedger(rdb, redis.Keys{}, 0).Get(ctx, cmd.ID)
			require.NoError(t, err)
			at := claimTime(t, st)
			require.True(t, !at.After(sender1Killed) && sender1Killed.Sub(at) < 20*time.Second,
				"%s %s is missing: only a claim the killed sender held may be lost; the claim is %q, made %s before the kill",
				c.email, step, st, sender1Killed.Sub(at))
			lost = append(lost, cmd.ID)
		}
		steps := map[string]int{}
		for _, m := range byTo[c.email] {
			require.Equal(t, flowAbandonment, m.Flow, "%s left: no order confirmation", c.email)
			steps[m.Step]++
		}
		for step, n := range steps {
			require.Equal(t, 1, n, "%s got %d %s emails", c.email, n, step)
		}
	}
	dlq := natsc.StreamMsgs(bjs.StreamDLQ)
	require.Zero(t, dlq, "no event or command was dead-lettered")
	require.LessOrEqual(t, len(lost), senderWorkers, "at most one claim per worker of the killed sender")
	t.Logf("done in %s: %d abandonment emails, %d order confirmations, %d lost to the killed sender's claims %v, %d webhook retries",
		time.Since(began).Round(time.Millisecond), fake.Count(flowAbandonment), fake.Count(flowConfirmation), len(lost), lost,
		shop.Retries.Load())
}

func since(t time.Time) time.Duration { return time.Since(t).Round(time.Millisecond) }

// firstSent is when SendGrid got the first abandonment email.
func firstSent(f *sendgridFake) time.Time {
	var first time.Time
	for _, m := range f.Mail() {
		if m.Flow == flowAbandonment && (first.IsZero() || m.Received.Before(first)) {
			first = m.Received
		}
	}
	return first
}

func senderKey(i int) string { return "SG.send-" + strconv.Itoa(i) }

func requireNoErrors(t *testing.T, errs chan error) {
	t.Helper()
	for {
		select {
		case err := <-errs:
			require.NoError(t, err)
		default:
			return
		}
	}
}

// pause waits d (pacing the platform's deliveries, not waiting for
// anything).
func pause(d time.Duration) {
	t := time.NewTimer(d)
	<-t.C
}

func streamLeader(c *natsCluster, stream string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	s, err := c.Conn.JS.Stream(ctx, stream)
	if err != nil {
		return "", err
	}
	info, err := s.Info(ctx)
	if err != nil {
		return "", err
	}
	if info.Cluster == nil {
		return "", errors.New("no cluster info")
	}
	return info.Cluster.Leader, nil
}

// consumersBusy describes what the processor's and the senders' consumers
// have pending or delivered unacknowledged, "" when nothing.
func consumersBusy(c *natsCluster) string {
	var busy []string
	for _, sc := range [][2]string{{bjs.StreamEvents, "processor"}, {bjs.StreamOutbox, "sender"}} {
		info, err := c.Consumer(sc[0], sc[1])
		switch {
		case err != nil:
			busy = append(busy, err.Error())
		case info.NumPending > 0 || info.NumAckPending > 0:
			busy = append(busy, fmt.Sprintf("%s: %d pending, %d unacknowledged", sc[1], info.NumPending, info.NumAckPending))
		}
	}
	return strings.Join(busy, "; ")
}

func idle(c *natsCluster) bool { return consumersBusy(c) == "" }

func waitIdle(t *testing.T, c *natsCluster) {
	t.Helper()
	require.Eventually(t, func() bool { return idle(c) }, 3*time.Minute, 100*time.Millisecond, "consumers idle")
}

// busiestMaster returns the master holding the most timer shards.
func busiestMaster(t *testing.T, rc *redisCluster) int {
	t.Helper()
	count := map[int]int{}
	best := -1
	for s := range redis.DefaultTimerShards {
		m := rc.MasterOf(redis.Keys{}.TimerDue(s))
		count[m]++
		if best < 0 || count[m] > count[best] {
			best = m
		}
	}
	return best
}

// unanswered lists the message ids key's requests are waiting on.
func unanswered(f *sendgridFake, key string) []string {
	var ids []string
	for _, m := range f.Mail() {
		if m.Key == key && m.Answered.IsZero() {
			ids = append(ids, m.ID)
		}
	}
	sort.Strings(ids)
	return ids
}

// stepCount counts the accepted abandonment emails of one step.
func stepCount(f *sendgridFake, step string) int {
	n := 0
	for _, m := range f.Mail() {
		if m.Flow == flowAbandonment && m.Step == step {
			n++
		}
	}
	return n
}

// sentIDs counts SendGrid's accepted messages by Boomerang's message id.
func sentIDs(f *sendgridFake) map[string]int {
	out := map[string]int{}
	for _, m := range f.Mail() {
		out[m.ID]++
	}
	return out
}

// sendCommands reads every send command on OUTBOX, by id.
func sendCommands(t *testing.T, c *natsCluster) map[string]*processor.SendCommand {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := c.Conn.JS.Stream(ctx, bjs.StreamOutbox)
	require.NoError(t, err)
	info, err := s.Info(ctx)
	require.NoError(t, err)
	out := map[string]*processor.SendCommand{}
	for seq := info.State.FirstSeq; info.State.Msgs > 0 && seq <= info.State.LastSeq; seq++ {
		m, err := s.GetMsg(ctx, seq)
		if err != nil {
			continue
		}
		var cmd processor.SendCommand
		require.NoError(t, json.Unmarshal(m.Data, &cmd))
		out[cmd.ID] = &cmd
	}
	return out
}

// commandFor finds the abandonment flow's send command of a step to an
// address.
func commandFor(cmds map[string]*processor.SendCommand, to, step string) *processor.SendCommand {
	for _, c := range cmds {
		if c.Flow == flowAbandonment && c.To == to && c.Step == step {
			return c
		}
	}
	return nil
}

// claimStuck reports whether a message's ledger entry is a claim nobody
// completed.
func claimStuck(ctx context.Context, rdb *goredis.ClusterClient, id string) bool {
	st, err := redis.NewLedger(rdb, redis.Keys{}, 0).Get(ctx, id)
	return err == nil && redis.StateOf(st) == redis.LedgerClaimed
}

// ledgerState is a message's ledger entry, for failure messages.
func ledgerState(ctx context.Context, rdb *goredis.ClusterClient, id string) string {
	st, err := redis.NewLedger(rdb, redis.Keys{}, 0).Get(ctx, id)
	if err != nil {
		return err.Error()
	}
	if st == "" {
		return "no ledger entry"
	}
	return "ledger " + st
}

// claimTime reads the time out of a claim ("claimed:<unix ms>[:token]").
func claimTime(t *testing.T, entry string) time.Time {
	t.Helper()
	parts := strings.Split(entry, ":")
	require.True(t, len(parts) >= 2 && parts[0] == redis.LedgerClaimed, "ledger entry %q is not a claim", entry)
	ms, err := strconv.ParseInt(parts[1], 10, 64)
	require.NoError(t, err)
	return time.UnixMilli(ms)
}
