package redis

import (
	"context"
	"errors"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Import states.
const (
	ImportRequested = "requested"
	ImportRunning   = "running"
	ImportDone      = "done"
	ImportFailed    = "failed"
)

// ImportStatus is a shop's history import as the admin API shows it.
type ImportStatus struct {
	Shop        string     `json:"shop"`
	State       string     `json:"state"`
	Since       time.Time  `json:"since"`
	Until       time.Time  `json:"until"`
	RequestedAt time.Time  `json:"requested_at"`
	StartedAt   *time.Time `json:"started_at,omitempty"`
	FinishedAt  *time.Time `json:"finished_at,omitempty"`
	// Events is how many events the finished import published.
	Events int    `json:"events"`
	Error  string `json:"error,omitempty"`
}

// Imports keeps shops' history import states and their locks.
type Imports struct {
	client goredis.UniversalClient
	keys   Keys
}

// NewImports returns the import state store.
func NewImports(client goredis.UniversalClient, keys Keys) *Imports {
	return &Imports{client: client, keys: keys}
}

const stamp = time.RFC3339Nano

// Request records a requested import of [since, until), replacing any
// earlier state.
func (im *Imports) Request(ctx context.Context, shop string, since, until, now time.Time) (ImportStatus, error) {
	st := ImportStatus{Shop: shop, State: ImportRequested, Since: since.UTC(), Until: until.UTC(), RequestedAt: now.UTC()}
	key := im.keys.ImportState(shop)
	_, err := im.client.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		p.Del(ctx, key)
		p.HSet(ctx, key, "state", st.State, "since", st.Since.Format(stamp), "until", st.Until.Format(stamp),
			"requested_at", st.RequestedAt.Format(stamp), "events", 0)
		return nil
	})
	return st, err
}

// Get returns the shop's import state; ok is false when none was asked for.
func (im *Imports) Get(ctx context.Context, shop string) (ImportStatus, bool, error) {
	m, err := im.client.HGetAll(ctx, im.keys.ImportState(shop)).Result()
	if err != nil || len(m) == 0 {
		return ImportStatus{}, false, err
	}
	st := ImportStatus{Shop: shop, State: m["state"], Error: m["error"]}
	st.Since, _ = time.Parse(stamp, m["since"])
	st.Until, _ = time.Parse(stamp, m["until"])
	st.RequestedAt, _ = time.Parse(stamp, m["requested_at"])
	st.StartedAt = optionalTime(m["started_at"])
	st.FinishedAt = optionalTime(m["finished_at"])
	st.Events, _ = strconv.Atoi(m["events"])
	return st, true, nil
}

func optionalTime(s string) *time.Time {
	t, err := time.Parse(stamp, s)
	if err != nil {
		return nil
	}
	return &t
}

// Started marks the import running.
func (im *Imports) Started(ctx context.Context, shop string, now time.Time) error {
	return im.client.HSet(ctx, im.keys.ImportState(shop), "state", ImportRunning, "started_at", now.UTC().Format(stamp)).Err()
}

// Finished marks the import done with its count, or failed with cause.
func (im *Imports) Finished(ctx context.Context, shop string, now time.Time, events int, cause error) error {
	fields := []any{"state", ImportDone, "finished_at", now.UTC().Format(stamp), "events", events, "error", ""}
	if cause != nil {
		fields[1], fields[len(fields)-1] = ImportFailed, cause.Error()
	}
	return im.client.HSet(ctx, im.keys.ImportState(shop), fields...).Err()
}

// Lock takes the shop's import lock for ttl under token; ok is false when
// another holder has it.
func (im *Imports) Lock(ctx context.Context, shop, token string, ttl time.Duration) (bool, error) {
	return im.client.SetNX(ctx, im.keys.ImportLock(shop), token, ttl).Result()
}

// Extend renews the lock while token holds it; it returns an error when
// the lock was lost.
func (im *Imports) Extend(ctx context.Context, shop, token string, ttl time.Duration) error {
	n, err := extendLock.Run(ctx, im.client, []string{im.keys.ImportLock(shop)}, token, ttl.Milliseconds()).Int()
	if err != nil {
		return err
	}
	if n == 0 {
		return errImportLockLost
	}
	return nil
}

// Unlock releases the lock if token holds it.
func (im *Imports) Unlock(ctx context.Context, shop, token string) error {
	return unlock.Run(ctx, im.client, []string{im.keys.ImportLock(shop)}, token).Err()
}

var errImportLockLost = errors.New("the history import lock was lost")

var extendLock = goredis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`)

var unlock = goredis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`)
