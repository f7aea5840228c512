package shopify

import (
	"context"
	"errors"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// States keeps single-use state and nonce tokens for a short time. Put stores
// value under key for ttl; Take returns the value and deletes it in one atomic
// step, so two requests presenting the same key never both get it, and
// returns nil, nil when the key is absent or expired. Implementations are
// safe for concurrent use.
type States interface {
	Put(ctx context.Context, key string, value []byte, ttl time.Duration) error
	Take(ctx context.Context, key string) ([]byte, error)
}

// RedisStates is States on Redis: SET with PX, then GETDEL.
type RedisStates struct {
	rdb    goredis.UniversalClient
	prefix string
}

var _ States = (*RedisStates)(nil)

// NewRedisStates returns States keeping its keys under prefix (DefaultPrefix
// when empty). rdb is not closed by it.
func NewRedisStates(rdb goredis.UniversalClient, prefix string) *RedisStates {
	return &RedisStates{rdb: rdb, prefix: prefix}
}

// Put stores value under key for ttl, replacing any value there.
func (s *RedisStates) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if key == "" {
		return errors.New("shopify: states: empty key")
	}
	if ttl <= 0 {
		return fmt.Errorf("shopify: states: ttl %s must be positive", ttl)
	}
	if err := s.rdb.Set(ctx, stateKey(s.prefix, key), value, ttl).Err(); err != nil {
		return fmt.Errorf("shopify: states: storing: %w", err)
	}
	return nil
}

// Take returns the value under key and deletes it (GETDEL), or nil, nil when
// there is none.
func (s *RedisStates) Take(ctx context.Context, key string) ([]byte, error) {
	if key == "" {
		return nil, nil
	}
	v, err := s.rdb.GetDel(ctx, stateKey(s.prefix, key)).Bytes()
	if errors.Is(err, goredis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("shopify: states: taking: %w", err)
	}
	return v, nil
}
