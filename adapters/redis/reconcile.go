package redis

import (
	"context"
	"errors"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// ReconcileCursors keeps the reconciler's per-shop cursors
// (reconcile.Cursors). Shop redact erases them with the shop's {s:} keys.
type ReconcileCursors struct {
	client goredis.UniversalClient
	keys   Keys
}

// NewReconcileCursors returns the cursor store.
func NewReconcileCursors(client goredis.UniversalClient, keys Keys) *ReconcileCursors {
	return &ReconcileCursors{client: client, keys: keys}
}

// Cursor returns the shop's cursor; ok is false when none is kept.
func (c *ReconcileCursors) Cursor(ctx context.Context, shop string) (time.Time, bool, error) {
	s, err := c.client.Get(ctx, c.keys.ReconcileCursor(shop)).Result()
	if errors.Is(err, goredis.Nil) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, err
	}
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		// A cursor that cannot be read is treated as none: the next poll
		// starts afresh rather than failing forever.
		return time.Time{}, false, nil //nolint:nilerr // documented above
	}
	return time.UnixMilli(ms).UTC(), true, nil
}

// SetCursor moves the shop's cursor; it never moves it back.
func (c *ReconcileCursors) SetCursor(ctx context.Context, shop string, t time.Time) error {
	return setLater.Run(ctx, c.client, []string{c.keys.ReconcileCursor(shop)}, t.UnixMilli()).Err()
}

// setLater sets KEYS[1] to ARGV[1] unless it holds a larger number.
var setLater = goredis.NewScript(`
local old = tonumber(redis.call('GET', KEYS[1]) or '')
if old and old > tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
return 1
`)
