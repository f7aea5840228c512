package redis

import (
	"context"
	"errors"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// OutboxStore is the dev outbox: messages that would have been sent, per
// shop, newest first. A message id is stored once, however often it is
// added.
type OutboxStore struct {
	client goredis.UniversalClient
	keys   Keys
}

// NewOutboxStore returns the dev outbox on client.
func NewOutboxStore(client goredis.UniversalClient, keys Keys) *OutboxStore {
	return &OutboxStore{client: client, keys: keys}
}

// outboxAddScript stores a message unless its id is already there.
//
// KEYS[1] the shop's outbox sorted set, KEYS[2] the shop's message hash.
// ARGV[1] message id, ARGV[2] created time in unix ms, ARGV[3] message.
// Reply: 1 when stored, 0 when the id was already there.
var outboxAddScript = goredis.NewScript(`
if redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[3]) == 0 then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
return 1
`)

// Add stores msg under id unless id is already stored, and reports whether
// it stored it.
func (s *OutboxStore) Add(ctx context.Context, shop, id string, created time.Time, msg []byte) (bool, error) {
	n, err := outboxAddScript.Run(ctx, s.client,
		[]string{s.keys.Outbox(shop), s.keys.OutboxMessages(shop)}, id, created.UnixMilli(), msg).Int()
	if err != nil {
		return false, fmt.Errorf("adding to the dev outbox: %w", err)
	}
	return n == 1, nil
}

// Put replaces a stored message (a status change).
func (s *OutboxStore) Put(ctx context.Context, shop, id string, msg []byte) error {
	return s.client.HSet(ctx, s.keys.OutboxMessages(shop), id, msg).Err()
}

// List returns up to limit messages of shop, newest first.
func (s *OutboxStore) List(ctx context.Context, shop string, limit int) ([][]byte, error) {
	if limit <= 0 {
		limit = 50
	}
	ids, err := s.client.ZRevRange(ctx, s.keys.Outbox(shop), 0, int64(limit-1)).Result()
	if err != nil {
		return nil, fmt.Errorf("listing the dev outbox: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	vals, err := s.client.HMGet(ctx, s.keys.OutboxMessages(shop), ids...).Result()
	if err != nil {
		return nil, fmt.Errorf("reading the dev outbox: %w", err)
	}
	out := make([][]byte, 0, len(vals))
	for _, v := range vals {
		if str, ok := v.(string); ok {
			out = append(out, []byte(str))
		}
	}
	return out, nil
}

// Get returns one stored message, nil when unknown.
func (s *OutboxStore) Get(ctx context.Context, shop, id string) ([]byte, error) {
	v, err := s.client.HGet(ctx, s.keys.OutboxMessages(shop), id).Bytes()
	if errors.Is(err, goredis.Nil) {
		return nil, nil
	}
	return v, err
}
