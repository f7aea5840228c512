package redis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Ledger states.
const (
	LedgerClaimed   = "claimed"
	LedgerSent      = "sent"
	LedgerFailed    = "failed"
	LedgerSkipped   = "skipped"
	LedgerAmbiguous = "ambiguous"
)

// Ledger is the send ledger: a message id is claimed before the provider
// call, so a message goes out at most once per run and step however often
// its command is delivered.
type Ledger struct {
	client goredis.UniversalClient
	keys   Keys
	ttl    time.Duration
}

// NewLedger returns the ledger; entries live ttl (default 30 days).
func NewLedger(client goredis.UniversalClient, keys Keys, ttl time.Duration) *Ledger {
	if ttl <= 0 {
		ttl = 30 * 24 * time.Hour
	}
	return &Ledger{client: client, keys: keys, ttl: ttl}
}

// Claim claims id. It returns true when this caller owns the send; else the
// entry's current state ("claimed", "sent:<provider id>", ...). On a Redis
// Cluster the claim is acknowledged by a replica first (claim.go).
func (l *Ledger) Claim(ctx context.Context, id string, now time.Time) (bool, string, error) {
	k := l.keys.Ledger(id)
	if cc, isCluster := l.client.(*goredis.ClusterClient); isCluster {
		claimed, state, err := claimOnCluster(ctx, cc, k, now, l.ttl)
		return claimed, state, err
	}
	ok, err := l.client.SetNX(ctx, k, LedgerClaimed+":"+strconv.FormatInt(now.UnixMilli(), 10), l.ttl).Result()
	if err != nil {
		return false, "", fmt.Errorf("claiming send %s: %w", id, err)
	}
	if ok {
		return true, "", nil
	}
	st, err := l.client.Get(ctx, k).Result()
	if errors.Is(err, goredis.Nil) {
		return false, "", nil // expired meanwhile: the next delivery claims it
	}
	if err != nil {
		return false, "", fmt.Errorf("reading send %s: %w", id, err)
	}
	return false, st, nil
}

// Set records id's outcome, such as "sent:<provider id>".
func (l *Ledger) Set(ctx context.Context, id, state string) error {
	if err := l.client.Set(ctx, l.keys.Ledger(id), state, l.ttl).Err(); err != nil {
		return fmt.Errorf("recording send %s: %w", id, err)
	}
	return nil
}

// Release removes a claim whose provider call certainly did not happen
// (the provider refused it before accepting, or answered a retryable
// error), so a redelivery may try again.
func (l *Ledger) Release(ctx context.Context, id string) error {
	return l.client.Del(ctx, l.keys.Ledger(id)).Err()
}

// Get returns id's state, "" when unknown.
func (l *Ledger) Get(ctx context.Context, id string) (string, error) {
	st, err := l.client.Get(ctx, l.keys.Ledger(id)).Result()
	if errors.Is(err, goredis.Nil) {
		return "", nil
	}
	return st, err
}

// StateOf returns the state word of a ledger entry ("sent" of
// "sent:SG.abc").
func StateOf(entry string) string {
	s, _, _ := strings.Cut(entry, ":")
	return s
}
