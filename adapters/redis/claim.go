package redis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Send-ledger claims on a Redis Cluster (docs/faults.md, "The send ledger and
// replication").
//
// Redis replicates asynchronously: a master acknowledges a write before any
// replica has it. A claim acknowledged by a master that then dies is gone from
// the replica promoted in its place, and the redelivered send command would
// claim the message again and send it twice. So on a *goredis.ClusterClient a
// claim is made over one connection to the key's master — SET NX, then
// WAIT 1 — and the provider is called only once a replica holds it. A master
// with no replica attached (its replica died, or it was just promoted) has
// nothing a failover could promote, so the claim goes ahead there without
// the wait. Single servers and Sentinel-managed ones are claimed as before.
//
// The claim's value carries a random token, so a claim whose answer was lost
// (the master died mid-call) is recognised as ours when asked again, and
// released only if it is still ours.
const (
	// clusterClaimWait bounds one WAIT for a replica's acknowledgement.
	clusterClaimWait = time.Second
	// clusterClaimPatience bounds the whole claim, retries included: about
	// a failover's length (cluster-node-timeout plus the election).
	clusterClaimPatience = 6 * time.Second
	// clusterClaimRetry is the pause between attempts.
	clusterClaimRetry = 250 * time.Millisecond
)

// ErrClaimNotReplicated is returned when no replica acknowledged a send
// claim in time. The claim is released: the send is retried later.
var ErrClaimNotReplicated = errors.New("send claim not acknowledged by a Redis replica")

// releaseOwnClaim deletes a claim if it still holds this caller's value.
//
// KEYS[1] the ledger entry. ARGV[1] the claim's value.
// Reply: 1 when deleted, 0 when the entry holds something else or nothing.
var releaseOwnClaim = goredis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`)

// claimOnCluster claims key on a Redis Cluster as the comment above says.
// It returns whether this caller owns the send, else the entry's state.
func claimOnCluster(ctx context.Context, cc *goredis.ClusterClient, key string, now time.Time, ttl time.Duration) (bool, string, error) {
	tok := make([]byte, 8)
	_, _ = rand.Read(tok)
	value := LedgerClaimed + ":" + strconv.FormatInt(now.UnixMilli(), 10) + ":" + hex.EncodeToString(tok)
	pctx, cancel := context.WithTimeout(ctx, clusterClaimPatience)
	defer cancel()
	for {
		owned, state, err := claimOnce(pctx, cc, key, value, ttl)
		switch {
		case err == nil && !owned:
			return false, state, nil
		case err == nil:
			return true, "", nil
		case !errors.Is(err, ErrClaimNotReplicated):
			// A node gone or a slot moved: let the client find the new
			// master, then ask again (the token recognises our claim).
			cc.ReloadState(ctx)
		}
		t := time.NewTimer(clusterClaimRetry)
		select {
		case <-pctx.Done():
			t.Stop()
			releaseClaim(cc, key, value)
			if ctx.Err() != nil {
				return false, "", ctx.Err()
			}
			return false, "", fmt.Errorf("claiming send %s: %w", key, err)
		case <-t.C:
		}
	}
}

// claimOnce makes one attempt: SET NX, GET and ROLE on one connection to
// the key's master, then WAIT 1 on it when the master has replicas. owned
// is true when the entry holds value, whoever set it; err is nil when the
// claim is not owned.
func claimOnce(ctx context.Context, cc *goredis.ClusterClient, key, value string, ttl time.Duration) (owned bool, state string, err error) {
	node, err := cc.MasterForKey(ctx, key)
	if err != nil {
		return false, "", err
	}
	conn := node.Conn()
	defer conn.Close()
	var get *goredis.StringCmd
	var role *goredis.Cmd
	_, err = conn.Pipelined(ctx, func(p goredis.Pipeliner) error {
		p.SetNX(ctx, key, value, ttl)
		get = p.Get(ctx, key)
		role = p.Do(ctx, "ROLE")
		return nil
	})
	if err != nil && !errors.Is(err, goredis.Nil) {
		return false, "", err
	}
	if get.Val() != value {
		if get.Err() != nil && !errors.Is(get.Err(), goredis.Nil) {
			return false, "", get.Err()
		}
		return false, get.Val(), nil // someone else's, or expired meanwhile
	}
	replicas, err := replicaCount(role)
	if err != nil {
		return false, "", err
	}
	if replicas == 0 {
		return true, "", nil
	}
	n, err := conn.Wait(ctx, 1, clusterClaimWait).Result()
	if err != nil {
		return false, "", err
	}
	if n < 1 {
		return false, "", ErrClaimNotReplicated
	}
	return true, "", nil
}

// replicaCount reads the number of attached replicas from a ROLE reply
// ("master", offset, [[ip, port, offset], ...]).
func replicaCount(role *goredis.Cmd) (int, error) {
	v, err := role.Slice()
	if err != nil {
		return 0, fmt.Errorf("ROLE: %w", err)
	}
	if len(v) < 3 || fmt.Sprint(v[0]) != "master" {
		return 0, fmt.Errorf("ROLE: not a master: %v", v)
	}
	replicas, ok := v[2].([]any)
	if !ok {
		return 0, fmt.Errorf("ROLE: unexpected replica list %T", v[2])
	}
	return len(replicas), nil
}

// releaseClaim removes a claim of ours whose provider call certainly did
// not happen, trying for a while through the cluster client (which follows
// a failover). If it cannot, the claim stays and the message is not sent:
// at most once (docs/senders.md).
func releaseClaim(client goredis.UniversalClient, key, value string) {
	ctx, cancel := context.WithTimeout(context.Background(), clusterClaimPatience)
	defer cancel()
	for {
		if err := releaseOwnClaim.Run(ctx, client, []string{key}, value).Err(); err == nil {
			return
		}
		t := time.NewTimer(clusterClaimRetry)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}
