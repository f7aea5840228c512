package redis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// ErrConflict is returned by CustomerStore.Commit when the customer's
// version moved since Load.
var ErrConflict = errors.New("customer state changed concurrently")

// ErrDuplicate is returned by CustomerStore.Commit when the event was
// applied meanwhile (a concurrent duplicate delivery).
var ErrDuplicate = errors.New("event already applied")

// historyMax bounds a customer's list of finished runs.
const historyMax = 100

// CustomerState is one customer's stored state, in the processor's
// encoding (this package stores bytes; it does not read them).
type CustomerState struct {
	Version int64
	Profile []byte
	Exits   []byte
	Reentry []byte
	// Runs maps run id to run.
	Runs map[string][]byte
	// Seen is the idempotency record of the loaded event key, nil if the
	// event was not applied yet.
	Seen []byte
}

// CustomerCommit is one event's change to one customer.
type CustomerCommit struct {
	Shop, Customer, EventKey string
	// Version is the version the state was loaded at.
	Version int64
	// Profile, Exits, Reentry replace the stored values when non-nil.
	Profile, Exits, Reentry []byte
	// Runs are written; Finished runs are removed and pushed onto the
	// customer's history.
	Runs     map[string][]byte
	Finished map[string][]byte
	// Effects is stored as the event's idempotency record for SeenTTL.
	Effects []byte
	SeenTTL time.Duration
	// Timers are upserted in the same round trip, before the commit.
	Timers []Timer
}

// Timer is one timer to schedule.
type Timer struct {
	ID      string
	Due     time.Time
	Payload []byte
}

// TimerQueuer queues timer upserts on a pipeline (the timer store).
type TimerQueuer interface {
	QueueSchedule(pipe goredis.Pipeliner, t Timer)
}

// CustomerStore keeps customers' state: one hash of scalar state, one hash
// of runs, a history list and per-event idempotency records, all under the
// customer's hash tag.
type CustomerStore struct {
	client goredis.UniversalClient
	keys   Keys
	timers TimerQueuer
}

// NewCustomerStore returns a store on client. timers queues the timer
// upserts that ride along with commits.
func NewCustomerStore(client goredis.UniversalClient, keys Keys, timers TimerQueuer) *CustomerStore {
	return &CustomerStore{client: client, keys: keys, timers: timers}
}

// Load reads the customer's state and the idempotency record of eventKey
// in one round trip (one pipeline on the customer's slot).
func (s *CustomerStore) Load(ctx context.Context, shop, customer, eventKey string) (*CustomerState, error) {
	pipe := s.client.Pipeline()
	st := pipe.HMGet(ctx, s.keys.CustomerState(shop, customer), "v", "p", "x", "r")
	runs := pipe.HGetAll(ctx, s.keys.CustomerRuns(shop, customer))
	seen := pipe.Get(ctx, s.keys.EventSeen(shop, customer, eventKey))
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, goredis.Nil) {
		return nil, fmt.Errorf("loading customer: %w", err)
	}
	out := &CustomerState{Runs: map[string][]byte{}}
	vals := st.Val()
	if len(vals) == 4 {
		if v, ok := vals[0].(string); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("customer version %q: %w", v, err)
			}
			out.Version = n
		}
		out.Profile = bytesOf(vals[1])
		out.Exits = bytesOf(vals[2])
		out.Reentry = bytesOf(vals[3])
	}
	for id, r := range runs.Val() {
		out.Runs[id] = []byte(r)
	}
	if b, err := seen.Bytes(); err == nil {
		out.Seen = b
	}
	return out, nil
}

func bytesOf(v any) []byte {
	if s, ok := v.(string); ok {
		return []byte(s)
	}
	return nil
}

// commitScript applies one event to one customer if the version still
// matches and the event was not applied meanwhile.
//
// KEYS[1] state hash, KEYS[2] runs hash, KEYS[3] the event's seen key,
// KEYS[4] history list.
// ARGV[1] expected version, ARGV[2] seen TTL in ms, ARGV[3] effects,
// ARGV[4] "1" if ARGV[5] holds a new profile, ARGV[6] "1" if ARGV[7] holds
// new exits, ARGV[8] "1" if ARGV[9] holds new reentry markers, ARGV[10] n
// runs to write followed by n id/json pairs, then m finished runs followed
// by m id/json pairs.
// Reply: the new version; -1 on a version conflict; -2 when the event was
// already applied.
var commitScript = goredis.NewScript(`
if redis.call('EXISTS', KEYS[3]) == 1 then return -2 end
local v = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if v ~= tonumber(ARGV[1]) then return -1 end
if ARGV[4] == '1' then redis.call('HSET', KEYS[1], 'p', ARGV[5]) end
if ARGV[6] == '1' then redis.call('HSET', KEYS[1], 'x', ARGV[7]) end
if ARGV[8] == '1' then redis.call('HSET', KEYS[1], 'r', ARGV[9]) end
local nv = redis.call('HINCRBY', KEYS[1], 'v', 1)
redis.call('SET', KEYS[3], ARGV[3], 'PX', ARGV[2])
local i = 10
local n = tonumber(ARGV[i])
for j = 1, n do
  redis.call('HSET', KEYS[2], ARGV[i + 2*j - 1], ARGV[i + 2*j])
end
i = i + 2*n + 1
local m = tonumber(ARGV[i])
for j = 1, m do
  redis.call('HDEL', KEYS[2], ARGV[i + 2*j - 1])
  redis.call('LPUSH', KEYS[4], ARGV[i + 2*j])
end
if m > 0 then redis.call('LTRIM', KEYS[4], 0, ` + strconv.Itoa(historyMax-1) + `) end
return nv
`)

// Commit applies c: its timers and the commit script in one round trip.
// It returns ErrConflict or ErrDuplicate when the script refuses.
func (s *CustomerStore) Commit(ctx context.Context, c *CustomerCommit) error {
	args := make([]any, 0, 12+2*len(c.Runs)+2*len(c.Finished))
	flag := func(b []byte) (string, []byte) {
		if b == nil {
			return "0", nil
		}
		return "1", b
	}
	pf, p := flag(c.Profile)
	xf, x := flag(c.Exits)
	rf, r := flag(c.Reentry)
	ttl := c.SeenTTL.Milliseconds()
	if ttl <= 0 {
		ttl = (7 * 24 * time.Hour).Milliseconds()
	}
	args = append(args, c.Version, ttl, c.Effects, pf, p, xf, x, rf, r, len(c.Runs))
	for id, run := range c.Runs {
		args = append(args, id, run)
	}
	args = append(args, len(c.Finished))
	for id, run := range c.Finished {
		args = append(args, id, run)
	}
	keys := []string{
		s.keys.CustomerState(c.Shop, c.Customer), s.keys.CustomerRuns(c.Shop, c.Customer),
		s.keys.EventSeen(c.Shop, c.Customer, c.EventKey), s.keys.CustomerHistory(c.Shop, c.Customer),
	}
	n, err := s.commit(ctx, c.Timers, keys, args, true)
	if err != nil && goredis.HasErrorPrefix(err, "NOSCRIPT") {
		// A server that has not seen the script (new, restarted, flushed):
		// send its source this once. The timers are upserts, so queueing
		// them again is harmless.
		n, err = s.commit(ctx, c.Timers, keys, args, false)
	}
	if err != nil {
		return fmt.Errorf("committing customer: %w", err)
	}
	switch n {
	case -1:
		return ErrConflict
	case -2:
		return ErrDuplicate
	}
	return nil
}

// commit sends the timers and the commit script in one pipeline and returns
// the script's reply.
func (s *CustomerStore) commit(ctx context.Context, timers []Timer, keys []string, args []any, bySHA bool) (int64, error) {
	pipe := s.client.Pipeline()
	for _, t := range timers {
		s.timers.QueueSchedule(pipe, t)
	}
	var res *goredis.Cmd
	if bySHA {
		res = commitScript.EvalSha(ctx, pipe, keys, args...)
	} else {
		res = commitScript.Eval(ctx, pipe, keys, args...)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return 0, err
	}
	return res.Int64()
}

// History returns the customer's finished runs, newest first.
func (s *CustomerStore) History(ctx context.Context, shop, customer string) ([][]byte, error) {
	vals, err := s.client.LRange(ctx, s.keys.CustomerHistory(shop, customer), 0, -1).Result()
	if err != nil {
		return nil, err
	}
	out := make([][]byte, len(vals))
	for i, v := range vals {
		out[i] = []byte(v)
	}
	return out, nil
}
