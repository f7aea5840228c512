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
	out, err := s.LoadMany(ctx, []LoadRequest{{Shop: shop, Customer: customer, EventKey: eventKey}})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// Profile reads only the customer's profile JSON (nil when unknown): what
// the senders need, without the runs.
func (s *CustomerStore) Profile(ctx context.Context, shop, customer string) ([]byte, error) {
	b, err := s.client.HGet(ctx, s.keys.CustomerState(shop, customer), "p").Bytes()
	if errors.Is(err, goredis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("loading a profile: %w", err)
	}
	return b, nil
}

// LoadRequest names one customer and event to load.
type LoadRequest struct{ Shop, Customer, EventKey string }

// LoadMany loads several customers in one round trip (one pipeline).
func (s *CustomerStore) LoadMany(ctx context.Context, reqs []LoadRequest) ([]*CustomerState, error) {
	type pending struct {
		st   *goredis.SliceCmd
		runs *goredis.MapStringStringCmd
		seen *goredis.StringCmd
	}
	pipe := s.client.Pipeline()
	ps := make([]pending, len(reqs))
	for i, r := range reqs {
		ps[i] = pending{
			st:   pipe.HMGet(ctx, s.keys.CustomerState(r.Shop, r.Customer), "v", "p", "x", "r"),
			runs: pipe.HGetAll(ctx, s.keys.CustomerRuns(r.Shop, r.Customer)),
			seen: pipe.Get(ctx, s.keys.EventSeen(r.Shop, r.Customer, r.EventKey)),
		}
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, goredis.Nil) {
		return nil, fmt.Errorf("loading customers: %w", err)
	}
	out := make([]*CustomerState, len(reqs))
	for i, p := range ps {
		st := &CustomerState{Runs: map[string][]byte{}}
		vals := p.st.Val()
		if len(vals) == 4 {
			if v, ok := vals[0].(string); ok {
				n, err := strconv.ParseInt(v, 10, 64)
				if err != nil {
					return nil, fmt.Errorf("customer version %q: %w", v, err)
				}
				st.Version = n
			}
			st.Profile = bytesOf(vals[1])
			st.Exits = bytesOf(vals[2])
			st.Reentry = bytesOf(vals[3])
		}
		for id, r := range p.runs.Val() {
			st.Runs[id] = []byte(r)
		}
		if b, err := p.seen.Bytes(); err == nil {
			st.Seen = b
		}
		out[i] = st
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
	errs, err := s.CommitMany(ctx, []*CustomerCommit{c})
	if err != nil {
		return err
	}
	return errs[0]
}

// CommitMany applies several commits in one round trip: every commit's
// timers, then every commit script, in one pipeline. The result holds each
// commit's outcome (nil, ErrConflict or ErrDuplicate); err is a failure of
// the round trip itself.
func (s *CustomerStore) CommitMany(ctx context.Context, cs []*CustomerCommit) ([]error, error) {
	withTimers := true
	if _, ok := s.client.(*goredis.ClusterClient); ok {
		// A cluster client sends a pipeline's commands to their slots'
		// masters in parallel, so a commit script could apply while its
		// timers' master is down: the run would wait for a timer that
		// never comes (its redelivered event is a duplicate by then). The
		// timers go first, in a round trip of their own.
		if err := s.scheduleTimers(ctx, cs); err != nil {
			return nil, fmt.Errorf("committing customers: %w", err)
		}
		withTimers = false
	}
	res, err := s.commitPipe(ctx, cs, true, withTimers)
	if err != nil && goredis.HasErrorPrefix(err, "NOSCRIPT") {
		// A server that has not seen the script (new, restarted, flushed):
		// send its source this once. The timers are upserts, so queueing
		// them again is harmless.
		res, err = s.commitPipe(ctx, cs, false, withTimers)
	}
	if err != nil {
		return nil, fmt.Errorf("committing customers: %w", err)
	}
	out := make([]error, len(cs))
	for i, r := range res {
		n, err := r.Int64()
		switch {
		case err != nil:
			out[i] = fmt.Errorf("committing customer: %w", err)
		case n == -1:
			out[i] = ErrConflict
		case n == -2:
			out[i] = ErrDuplicate
		}
	}
	return out, nil
}

// scheduleTimers writes the commits' timers in one pipeline.
func (s *CustomerStore) scheduleTimers(ctx context.Context, cs []*CustomerCommit) error {
	pipe := s.client.Pipeline()
	for _, c := range cs {
		for _, t := range c.Timers {
			s.timers.QueueSchedule(pipe, t)
		}
	}
	if pipe.Len() == 0 {
		return nil
	}
	_, err := pipe.Exec(ctx)
	return err
}

// commitPipe sends the commits' scripts, after their timers unless
// withTimers is false, in one pipeline.
func (s *CustomerStore) commitPipe(ctx context.Context, cs []*CustomerCommit, bySHA, withTimers bool) ([]*goredis.Cmd, error) {
	pipe := s.client.Pipeline()
	if withTimers {
		for _, c := range cs {
			for _, t := range c.Timers {
				s.timers.QueueSchedule(pipe, t)
			}
		}
	}
	res := make([]*goredis.Cmd, len(cs))
	for i, c := range cs {
		keys, args := s.commitArgs(c)
		if bySHA {
			res[i] = commitScript.EvalSha(ctx, pipe, keys, args...)
		} else {
			res[i] = commitScript.Eval(ctx, pipe, keys, args...)
		}
	}
	_, err := pipe.Exec(ctx)
	if err != nil {
		// A script's own refusal is its reply, not an error; any error here
		// is the round trip's (or NOSCRIPT).
		for _, r := range res {
			if r.Err() != nil && goredis.HasErrorPrefix(r.Err(), "NOSCRIPT") {
				return nil, r.Err()
			}
		}
		if _, ok := err.(goredis.Error); !ok { //nolint:errorlint // go-redis reply errors are values of this type
			return nil, err
		}
	}
	return res, nil
}

// commitArgs builds the commit script's keys and arguments.
func (s *CustomerStore) commitArgs(c *CustomerCommit) ([]string, []any) {
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
	return keys, args
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
