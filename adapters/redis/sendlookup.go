package redis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// SendLookup claims a message's send-ledger entry and reads what the
// sender's checks need (the profile, the suppression entry, the recent
// marketing sends) in one pipeline: the same keys and semantics as Ledger,
// Suppressions, RecentSends and CustomerStore.Profile, one round trip
// instead of four.
type SendLookup struct {
	client goredis.UniversalClient
	keys   Keys
	ttl    time.Duration
}

// NewSendLookup returns the lookup; ttl is the ledger's (default 30 days).
func NewSendLookup(client goredis.UniversalClient, keys Keys, ttl time.Duration) *SendLookup {
	if ttl <= 0 {
		ttl = 30 * 24 * time.Hour
	}
	return &SendLookup{client: client, keys: keys, ttl: ttl}
}

// SendFacts is what one lookup found.
type SendFacts struct {
	// Claimed is true when this caller owns the send; else State is the
	// ledger entry's state.
	Claimed bool
	State   string
	// Profile is the profile JSON, nil when unknown.
	Profile []byte
	// Suppressed is the suppression reason, "" when none.
	Suppressed string
	// Recent is the last marketing send per priority on the channel.
	Recent map[int]time.Time
}

// Lookup claims id at now and reads the rest; recent sends are read only
// for marketing. On a Redis Cluster it reads first, then claims on the
// ledger entry's master and waits for a replica (claim.go): two round trips
// or more.
func (l *SendLookup) Lookup(ctx context.Context, id, shop, customer, channel, address string, marketing bool, now time.Time) (*SendFacts, error) {
	ledger := l.keys.Ledger(id)
	if cc, ok := l.client.(*goredis.ClusterClient); ok {
		return l.lookupOnCluster(ctx, cc, ledger, shop, customer, channel, address, marketing, now)
	}
	pipe := l.client.Pipeline()
	claim := pipe.SetNX(ctx, ledger, LedgerClaimed+":"+strconv.FormatInt(now.UnixMilli(), 10), l.ttl)
	state := pipe.Get(ctx, ledger)
	profile := pipe.HGet(ctx, l.keys.CustomerState(shop, customer), "p")
	supp := pipe.HGet(ctx, l.keys.Suppression(shop, channel), normalizeAddress(address))
	var recent *goredis.MapStringStringCmd
	if marketing {
		recent = pipe.HGetAll(ctx, l.keys.CustomerSends(shop, customer))
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, goredis.Nil) {
		return nil, fmt.Errorf("looking up send %s: %w", id, err)
	}
	f := &SendFacts{Claimed: claim.Val()}
	if !f.Claimed {
		f.State = state.Val()
	}
	if b, err := profile.Bytes(); err == nil {
		f.Profile = b
	}
	f.Suppressed = supp.Val()
	if recent != nil {
		f.Recent = parseRecent(recent.Val(), channel)
	}
	return f, nil
}

// lookupOnCluster reads the sender's facts, then claims the message as
// claimOnCluster does. A claim it cannot complete is released.
func (l *SendLookup) lookupOnCluster(ctx context.Context, cc *goredis.ClusterClient, ledger, shop, customer, channel, address string,
	marketing bool, now time.Time,
) (*SendFacts, error) {
	pipe := cc.Pipeline()
	profile := pipe.HGet(ctx, l.keys.CustomerState(shop, customer), "p")
	supp := pipe.HGet(ctx, l.keys.Suppression(shop, channel), normalizeAddress(address))
	var recent *goredis.MapStringStringCmd
	if marketing {
		recent = pipe.HGetAll(ctx, l.keys.CustomerSends(shop, customer))
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, goredis.Nil) {
		return nil, fmt.Errorf("looking up send %s: %w", ledger, err)
	}
	claimed, state, err := claimOnCluster(ctx, cc, ledger, now, l.ttl)
	if err != nil {
		return nil, err
	}
	f := &SendFacts{Claimed: claimed, State: state}
	if b, err := profile.Bytes(); err == nil {
		f.Profile = b
	}
	f.Suppressed = supp.Val()
	if recent != nil {
		f.Recent = parseRecent(recent.Val(), channel)
	}
	return f, nil
}
