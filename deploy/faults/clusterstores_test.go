//go:build faults && linux

package faults_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/redis"
)

// TestStoresOnRedisCluster runs every Redis script, transaction and
// multi-key command of adapters/redis against a real Redis Cluster: a
// script whose keys spanned slots would fail with CROSSSLOT here. Then it
// erases the shop and finds none of its keys on any master (the eraser's
// SCAN must visit every master).
func TestStoresOnRedisCluster(t *testing.T) {
	rc := startRedisCluster(t)
	cc := rc.Client()
	ctx := context.Background()
	keys := redis.Keys{Prefix: "st"}
	now := time.Now().UTC() // exports expire on Redis's clock too
	timers, err := redis.NewTimers(redis.TimerConfig{Client: cc, Keys: keys, Lease: time.Minute})
	require.NoError(t, err)

	// Customers spread over the masters: commits (script + timers in one
	// pipeline), loads, history.
	store := redis.NewCustomerStore(cc, keys, timers)
	var commits []*redis.CustomerCommit
	var customers []string
	for i := range 40 {
		c := fmt.Sprintf("e:c%d@example.com", i)
		customers = append(customers, c)
		commits = append(commits, &redis.CustomerCommit{
			Shop: "demo", Customer: c, EventKey: "checkout.updated:demo:tok-" + strconv.Itoa(i),
			Profile: []byte(`{"key":"` + c + `"}`), Effects: []byte(`{}`),
			Runs:     map[string][]byte{"run-" + strconv.Itoa(i): []byte(`{"id":"run-` + strconv.Itoa(i) + `","wait":{"timer_id":"t-` + strconv.Itoa(i) + `"}}`)},
			Finished: map[string][]byte{"old-" + strconv.Itoa(i): []byte(`{"id":"old"}`)},
			Timers:   []redis.Timer{{ID: "t-" + strconv.Itoa(i), Due: now.Add(-time.Second), Payload: []byte("demo|" + c + "|run-" + strconv.Itoa(i))}},
		})
	}
	errs, err := store.CommitMany(ctx, commits)
	require.NoError(t, err)
	for i, e := range errs {
		require.NoError(t, e, "commit %d", i)
	}
	errs, err = store.CommitMany(ctx, commits[:3])
	require.NoError(t, err)
	require.ErrorIs(t, errs[0], redis.ErrDuplicate, "the seen record stops a second commit")
	states, err := store.LoadMany(ctx, []redis.LoadRequest{{Shop: "demo", Customer: customers[0], EventKey: "x"}, {Shop: "demo", Customer: customers[1], EventKey: "y"}})
	require.NoError(t, err)
	require.Len(t, states, 2)
	require.EqualValues(t, 1, states[1].Version)
	hist, err := store.History(ctx, "demo", customers[2])
	require.NoError(t, err)
	require.Len(t, hist, 1)

	// Timers: claim every shard, ack, cancel.
	claimed := 0
	for s := range timers.Shards() {
		cs, err := timers.Claim(ctx, s, now, 100)
		require.NoError(t, err)
		claimed += len(cs)
		require.NoError(t, timers.Ack(ctx, cs))
	}
	require.Equal(t, 40, claimed)
	require.NoError(t, timers.ScheduleMany(ctx, []redis.Timer{{ID: "a", Due: now.Add(time.Hour)}, {ID: "b", Due: now.Add(time.Hour)}, {ID: "c", Due: now.Add(time.Hour)}}))
	require.NoError(t, timers.CancelMany(ctx, []string{"a", "b"}))
	pending, err := timers.Pending(ctx)
	require.NoError(t, err)
	require.EqualValues(t, 1, pending)

	// Per-shop stores.
	outbox := redis.NewOutboxStore(cc, keys)
	added, err := outbox.Add(ctx, "demo", "run-1:reminder", now, []byte(`{"to":"c1@example.com"}`))
	require.NoError(t, err)
	require.True(t, added)
	exports := redis.NewExports(cc, keys, func() time.Time { return now })
	saved, err := exports.Save(ctx, &redis.Export{
		ID: "req-1", Shop: "demo", Customers: []string{customers[1]},
		Summary: []byte(`{}`), Document: []byte(`{}`), ExpiresAt: now.Add(24 * time.Hour),
	})
	require.NoError(t, err)
	require.True(t, saved)
	n, err := exports.DeleteCustomers(ctx, "demo", []string{customers[1]})
	require.NoError(t, err)
	require.Equal(t, 1, n)
	imports := redis.NewImports(cc, keys)
	_, err = imports.Request(ctx, "demo", now.AddDate(-2, 0, 0), now, now)
	require.NoError(t, err)
	locked, err := imports.Lock(ctx, "demo", "tok", time.Minute)
	require.NoError(t, err)
	require.True(t, locked)
	require.NoError(t, imports.Extend(ctx, "demo", "tok", time.Minute))
	require.NoError(t, imports.Unlock(ctx, "demo", "tok"))
	require.NoError(t, redis.NewReconcileCursors(cc, keys).SetCursor(ctx, "demo", now))
	co := redis.NewCoPurchase(cc, keys)
	require.NoError(t, co.Observe(ctx, "demo", []string{"mug", "tea", "spoon"}, now))
	popular, err := co.Popular(ctx, "demo", now, 7, 3)
	require.NoError(t, err)
	require.Len(t, popular, 3, "ZUNION over the shop's days")
	dates := redis.NewDates(cc, keys)
	for _, c := range customers {
		require.NoError(t, dates.Update(ctx, "demo", c, true, []redis.DateMove{{Kind: "birthday", To: "03-20"}}))
	}
	require.NoError(t, redis.NewSuppressions(cc, keys).Add(ctx, "demo", "email", "c3@example.com", "bounce"))
	require.NoError(t, redis.NewFlowStats(cc, keys).Sent(ctx, "demo", "abandoned-checkout", ""))

	// A pattern without a hash tag (replay's scratch prefix) matches keys
	// on every master: all go.
	for i := range 100 {
		require.NoError(t, cc.Set(ctx, "scratch:"+strconv.Itoa(i), "x", time.Hour).Err())
	}
	require.Equal(t, 3, mastersHolding(t, cc, "scratch:*"))
	require.NoError(t, redis.UnlinkMatching(ctx, cc, "scratch:*"))
	require.Empty(t, keysMatching(t, cc, "scratch:*"), "UnlinkMatching scans every master")

	// The shop's keys live on every master; erasing it leaves none.
	require.Greater(t, mastersHolding(t, cc, "st:*"), 1, "the test's keys spread over the masters")
	require.NoError(t, redis.NewEraser(cc, keys, timers).EraseShop(ctx, "demo"))
	left := keysMatching(t, cc, "st:*")
	for _, k := range left {
		// Left on purpose: the timer shards (shared by shops) and the
		// uninstalled-shops marker.
		require.True(t, strings.HasPrefix(k, "st:{t") || k == keys.UninstalledShops(), "key %s survived the shop's erasure", k)
	}
}

// TestCommitWithItsTimerMasterDown: a run is committed only after its
// timer is written. A cluster client sends one pipeline to several masters
// at once, so with the timer's master down the commit script could apply
// alone, and the run would wait forever for a timer that is not there.
func TestCommitWithItsTimerMasterDown(t *testing.T) {
	rc := startRedisCluster(t)
	cc := rc.Client()
	ctx := context.Background()
	keys := redis.Keys{Prefix: "cm"}
	timers, err := redis.NewTimers(redis.TimerConfig{Client: cc, Keys: keys})
	require.NoError(t, err)
	store := redis.NewCustomerStore(cc, keys, timers)
	// A customer on one master, its run's timer in a shard on another.
	cust := "e:ann@example.com"
	home := rc.MasterOf(keys.CustomerState("demo", cust))
	var timerID string
	for i := range 1000 {
		id := "run-" + strconv.Itoa(i) + ":2"
		if rc.MasterOf(keys.TimerDue(timers.ShardOf(id))) != home {
			timerID = id
			break
		}
	}
	require.NotEmpty(t, timerID)
	away := rc.MasterOf(keys.TimerDue(timers.ShardOf(timerID)))
	commit := &redis.CustomerCommit{
		Shop: "demo", Customer: cust, EventKey: "checkout.updated:demo:ck-1", Effects: []byte(`{}`),
		Runs:   map[string][]byte{"run": []byte(`{"id":"run","wait":{"timer_id":"` + timerID + `"}}`)},
		Timers: []redis.Timer{{ID: timerID, Due: time.Now().Add(time.Hour), Payload: []byte("demo|" + cust + "|run")}},
	}
	replica := rc.ReplicaOf(away)
	rc.Kill(away)
	_, err = store.CommitMany(ctx, []*redis.CustomerCommit{commit})
	require.Error(t, err, "the timer's master is down: nothing is committed")
	st, err := store.Load(ctx, "demo", cust, commit.EventKey)
	require.NoError(t, err)
	require.Zero(t, st.Version, "the run was not committed without its timer")
	require.Nil(t, st.Seen)

	// Once the replica has taken over, the redelivered event commits both.
	rc.WaitPromoted(replica)
	require.Eventually(t, func() bool {
		errs, err := store.CommitMany(ctx, []*redis.CustomerCommit{commit})
		return err == nil && errs[0] == nil
	}, 30*time.Second, 250*time.Millisecond)
	pending, err := timers.Pending(ctx)
	require.NoError(t, err)
	require.EqualValues(t, 1, pending)
	rc.Restart(away)
}

// TestLedgerClaimWaitsForAReplica shows the send ledger's claim on a Redis
// Cluster: it goes ahead once a replica holds it, fails and is released
// when the replica does not answer, goes ahead without waiting on a master
// that has no replica, and survives a failover.
func TestLedgerClaimWaitsForAReplica(t *testing.T) {
	rc := startRedisCluster(t)
	cc := rc.Client()
	ctx := context.Background()
	keys := redis.Keys{Prefix: "lc"}
	ledger := redis.NewLedger(cc, keys, time.Hour)
	now := time.Now()

	ok, _, err := ledger.Claim(ctx, "run-1:reminder", now)
	require.NoError(t, err)
	require.True(t, ok)
	ok, state, err := ledger.Claim(ctx, "run-1:reminder", now)
	require.NoError(t, err)
	require.False(t, ok, "a second claim finds the first")
	require.Equal(t, redis.LedgerClaimed, redis.StateOf(state))
	master := rc.MasterOf(keys.Ledger("run-1:reminder"))
	replica := rc.ReplicaOf(master)
	require.Equal(t, state, readOnReplica(t, rc, replica, keys.Ledger("run-1:reminder")), "the replica holds the claim")

	// A frozen replica never acknowledges: the claim fails and is
	// released, so a later delivery can claim it.
	id := idOn(t, rc, keys, master, "frozen")
	rc.Stop(replica)
	start := time.Now()
	ok, _, err = ledger.Claim(ctx, id, now)
	rc.Cont(replica)
	require.ErrorIs(t, err, redis.ErrClaimNotReplicated)
	require.False(t, ok)
	require.Less(t, time.Since(start), 15*time.Second)
	got, err := ledger.Get(ctx, id)
	require.NoError(t, err)
	require.Empty(t, got, "the unreplicated claim was released")
	ok, _, err = ledger.Claim(ctx, id, now)
	require.NoError(t, err)
	require.True(t, ok, "with the replica back the claim goes ahead")

	// The SendLookup claims the same way.
	lookup := redis.NewSendLookup(cc, keys, time.Hour)
	require.NoError(t, cc.HSet(ctx, keys.CustomerState("demo", "e:ann@example.com"), "p", `{"key":"e:ann@example.com"}`).Err())
	f, err := lookup.Lookup(ctx, "run-2:reminder", "demo", "e:ann@example.com", "email", "ann@example.com", true, now)
	require.NoError(t, err)
	require.True(t, f.Claimed)
	require.JSONEq(t, `{"key":"e:ann@example.com"}`, string(f.Profile))
	f, err = lookup.Lookup(ctx, "run-2:reminder", "demo", "e:ann@example.com", "email", "ann@example.com", true, now)
	require.NoError(t, err)
	require.False(t, f.Claimed)
	require.Equal(t, redis.LedgerClaimed, redis.StateOf(f.State))

	// A master whose replica is gone has nothing a failover could promote:
	// its claims go ahead at once.
	rc.Kill(replica)
	require.Eventually(t, func() bool { _, r, err := rc.state(master); return err == nil && r.replicas == 0 },
		10*time.Second, 50*time.Millisecond)
	start = time.Now()
	ok, _, err = ledger.Claim(ctx, idOn(t, rc, keys, master, "alone"), now)
	require.NoError(t, err)
	require.True(t, ok)
	require.Less(t, time.Since(start), 3*time.Second, "no WAIT without a replica")
	rc.Restart(replica)

	// Claims while a master dies: each either succeeds once the replica
	// has taken over, or fails and leaves nothing behind.
	master = rc.MasterOf(keys.Ledger("run-3:reminder"))
	replica = rc.ReplicaOf(master)
	var ids []string
	for i := range 20 {
		ids = append(ids, idOn(t, rc, keys, master, "failover-"+strconv.Itoa(i)))
	}
	type result struct {
		ok  bool
		err error
	}
	results := make([]result, len(ids))
	var wg sync.WaitGroup
	rc.Kill(master)
	for i, id := range ids {
		wg.Go(func() {
			ok, _, err := ledger.Claim(ctx, id, now)
			results[i] = result{ok, err}
		})
	}
	wg.Wait()
	rc.WaitPromoted(replica)
	for i, r := range results {
		st, err := ledger.Get(ctx, ids[i])
		require.NoError(t, err)
		if r.err != nil {
			require.Empty(t, st, "%s: a failed claim leaves no entry (%v)", ids[i], r.err)
			continue
		}
		require.True(t, r.ok, ids[i])
		require.Equal(t, redis.LedgerClaimed, redis.StateOf(st), "%s: the promoted replica holds the claim", ids[i])
	}
	rc.Restart(master)
}

// idOn returns a message id whose ledger entry lives on master.
func idOn(t *testing.T, rc *redisCluster, keys redis.Keys, master int, prefix string) string {
	t.Helper()
	for i := range 10000 {
		id := prefix + "-" + strconv.Itoa(i) + ":reminder"
		if rc.MasterOf(keys.Ledger(id)) == master {
			return id
		}
	}
	t.Fatalf("no id on master %d", master)
	return ""
}

// readOnReplica reads key on replica i (READONLY on one connection).
func readOnReplica(t *testing.T, rc *redisCluster, i int, key string) string {
	t.Helper()
	n := rc.node(i)
	defer n.Close()
	conn := n.Conn()
	defer conn.Close()
	ctx := context.Background()
	require.NoError(t, conn.ReadOnly(ctx).Err())
	v, err := conn.Get(ctx, key).Result()
	if errors.Is(err, goredis.Nil) {
		return ""
	}
	require.NoError(t, err)
	return v
}

// keysMatching SCANs every master of the cluster.
func keysMatching(t *testing.T, cc *goredis.ClusterClient, pattern string) []string {
	t.Helper()
	var mu sync.Mutex
	var out []string
	require.NoError(t, cc.ForEachMaster(context.Background(), func(ctx context.Context, node *goredis.Client) error {
		iter := node.Scan(ctx, 0, pattern, 1000).Iterator()
		for iter.Next(ctx) {
			mu.Lock()
			out = append(out, iter.Val())
			mu.Unlock()
		}
		return iter.Err()
	}))
	return out
}

// mastersHolding counts the masters holding a key matching pattern.
func mastersHolding(t *testing.T, cc *goredis.ClusterClient, pattern string) int {
	t.Helper()
	var mu sync.Mutex
	n := 0
	require.NoError(t, cc.ForEachMaster(context.Background(), func(ctx context.Context, node *goredis.Client) error {
		iter := node.Scan(ctx, 0, pattern, 1000).Iterator()
		if iter.Next(ctx) {
			mu.Lock()
			n++
			mu.Unlock()
		}
		return iter.Err()
	}))
	return n
}
