package woocommerce

import (
	"context"
	"errors"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// DefaultStatesPrefix starts RedisStates keys when no prefix is given (the
// prefix of every Boomerang key).
const DefaultStatesPrefix = "bm"

// RedisStates is States on Redis: SET with PX, and GETDEL, which takes and
// deletes in one step. Keys are {prefix}:install:{key}. It is safe for
// concurrent use; closing the client is the caller's business.
type RedisStates struct {
	client goredis.UniversalClient
	prefix string
}

var _ States = (*RedisStates)(nil)

// NewRedisStates returns States kept in Redis under prefix (default
// DefaultStatesPrefix). GETDEL needs Redis 6.2 or later.
func NewRedisStates(client goredis.UniversalClient, prefix string) *RedisStates {
	if prefix == "" {
		prefix = DefaultStatesPrefix
	}
	return &RedisStates{client: client, prefix: prefix}
}

// stateKey builds every key RedisStates uses.
func (s *RedisStates) stateKey(key string) string { return s.prefix + ":install:" + key }

// Put stores value under key for ttl, replacing any value there.
func (s *RedisStates) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Millisecond {
		return errors.New("install states: ttl must be at least a millisecond")
	}
	if err := s.client.Set(ctx, s.stateKey(key), value, ttl).Err(); err != nil {
		return fmt.Errorf("install states: put: %w", err)
	}
	return nil
}

// Take returns the value under key and deletes it, or nil, nil when there
// is none.
func (s *RedisStates) Take(ctx context.Context, key string) ([]byte, error) {
	b, err := s.client.GetDel(ctx, s.stateKey(key)).Bytes()
	if errors.Is(err, goredis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("install states: take: %w", err)
	}
	return b, nil
}
