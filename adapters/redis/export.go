package redis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Data exports (customer.data_request, docs/privacy.md): the export of
// everything Boomerang holds on one customer, kept for the shop's owner to
// fetch until it expires. Every key of a shop's exports shares the shop's
// export tag {x:<shop>}, so the scripts below touch one Redis Cluster slot
// and the shop's erasure (Eraser.EraseShop) removes them with the rest.

// Export is one data export to store.
type Export struct {
	// ID names the export within its shop (derived from the request's
	// event key, so a second delivery names the same export).
	ID   string
	Shop string
	// Customers are the customer keys the export covers: a later
	// DeleteCustomers naming any of them deletes it.
	Customers []string
	// Summary is the JSON object the admin API lists.
	Summary []byte
	// Document is the export itself.
	Document []byte
	// ExpiresAt is when the export is deleted.
	ExpiresAt time.Time
}

// Exports keeps customers' data exports, per shop, until they expire.
// Safe for concurrent use.
type Exports struct {
	client goredis.UniversalClient
	keys   Keys
	now    func() time.Time
}

// NewExports returns the export store on client. now is the clock that
// decides expiry (nil: time.Now); Redis also expires each document at its
// ExpiresAt by itself.
func NewExports(client goredis.UniversalClient, keys Keys, now func() time.Time) *Exports {
	if now == nil {
		now = time.Now
	}
	return &Exports{client: client, keys: keys, now: now}
}

// exportSaveScript stores an export unless its id is already stored, and
// makes the shop's export keys expire with their newest export.
//
// KEYS[1] index, KEYS[2] summaries, KEYS[3] subjects, KEYS[4] document.
// ARGV[1] export id, ARGV[2] expiry (unix ms), ARGV[3] summary, ARGV[4]
// subjects, ARGV[5] document.
// Reply: 1 when stored, 0 when the id was already there.
var exportSaveScript = goredis.NewScript(`
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return 0 end
redis.call('SET', KEYS[4], ARGV[5], 'PXAT', ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[4])
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
for i = 1, 3 do redis.call('PEXPIREAT', KEYS[i], last[2]) end
return 1
`)

// exportPruneScript forgets the exports that expired (their documents
// expire by themselves).
//
// KEYS[1] index, KEYS[2] summaries, KEYS[3] subjects.
// ARGV[1] now (unix ms).
// Reply: how many it forgot.
var exportPruneScript = goredis.NewScript(`
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
for _, id in ipairs(ids) do
  redis.call('HDEL', KEYS[2], id)
  redis.call('HDEL', KEYS[3], id)
end
if #ids > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1]) end
return #ids
`)

// Save stores x unless an export of that id is stored already (a second
// delivery of one request), and reports whether it stored it.
func (s *Exports) Save(ctx context.Context, x *Export) (bool, error) {
	if x.ID == "" || x.Shop == "" {
		return false, errors.New("an export needs an id and a shop")
	}
	if err := s.prune(ctx, x.Shop); err != nil {
		return false, err
	}
	k := s.keys
	n, err := exportSaveScript.Run(ctx, s.client,
		[]string{k.ExportIndex(x.Shop), k.ExportSummaries(x.Shop), k.ExportSubjects(x.Shop), k.ExportDocument(x.Shop, x.ID)},
		x.ID, x.ExpiresAt.UnixMilli(), x.Summary, strings.Join(x.Customers, "\n"), x.Document).Int()
	if err != nil {
		return false, fmt.Errorf("saving a data export: %w", err)
	}
	return n == 1, nil
}

// prune forgets the shop's expired exports.
func (s *Exports) prune(ctx context.Context, shop string) error {
	k := s.keys
	err := exportPruneScript.Run(ctx, s.client, []string{k.ExportIndex(shop), k.ExportSummaries(shop), k.ExportSubjects(shop)},
		s.now().UnixMilli()).Err()
	if err != nil {
		return fmt.Errorf("forgetting expired data exports: %w", err)
	}
	return nil
}

// Exists reports whether an unexpired export of that id is stored.
func (s *Exports) Exists(ctx context.Context, shop, id string) (bool, error) {
	exp, err := s.client.ZScore(ctx, s.keys.ExportIndex(shop), id).Result()
	if errors.Is(err, goredis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("reading the data exports: %w", err)
	}
	return int64(exp) > s.now().UnixMilli(), nil
}

// List returns the summaries of the shop's unexpired exports, the latest
// to expire (the newest) first.
func (s *Exports) List(ctx context.Context, shop string) ([][]byte, error) {
	if err := s.prune(ctx, shop); err != nil {
		return nil, err
	}
	ids, err := s.client.ZRevRange(ctx, s.keys.ExportIndex(shop), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("listing the data exports: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	vals, err := s.client.HMGet(ctx, s.keys.ExportSummaries(shop), ids...).Result()
	if err != nil {
		return nil, fmt.Errorf("reading the data exports: %w", err)
	}
	out := make([][]byte, 0, len(vals))
	for _, v := range vals {
		if str, ok := v.(string); ok {
			out = append(out, []byte(str))
		}
	}
	return out, nil
}

// Get returns one export's document, nil when it is unknown or expired.
func (s *Exports) Get(ctx context.Context, shop, id string) ([]byte, error) {
	pipe := s.client.Pipeline()
	exp := pipe.ZScore(ctx, s.keys.ExportIndex(shop), id)
	doc := pipe.Get(ctx, s.keys.ExportDocument(shop, id))
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, goredis.Nil) {
		return nil, fmt.Errorf("reading a data export: %w", err)
	}
	if errors.Is(exp.Err(), goredis.Nil) || errors.Is(doc.Err(), goredis.Nil) || int64(exp.Val()) <= s.now().UnixMilli() {
		return nil, nil // unknown or expired
	}
	return []byte(doc.Val()), nil
}

// DeleteCustomers deletes the shop's exports that cover any of the
// customer keys (a customer.redact after a data request) and returns how
// many it deleted.
func (s *Exports) DeleteCustomers(ctx context.Context, shop string, customers []string) (int, error) {
	want := map[string]bool{}
	for _, c := range customers {
		if c != "" {
			want[c] = true
		}
	}
	if len(want) == 0 {
		return 0, nil
	}
	k := s.keys
	all, err := s.client.HGetAll(ctx, k.ExportSubjects(shop)).Result()
	if err != nil {
		return 0, fmt.Errorf("reading the data exports: %w", err)
	}
	n := 0
	for id, who := range all {
		if !coversAny(who, want) {
			continue
		}
		pipe := s.client.TxPipeline()
		pipe.Del(ctx, k.ExportDocument(shop, id))
		pipe.HDel(ctx, k.ExportSummaries(shop), id)
		pipe.HDel(ctx, k.ExportSubjects(shop), id)
		pipe.ZRem(ctx, k.ExportIndex(shop), id)
		if _, err := pipe.Exec(ctx); err != nil {
			return n, fmt.Errorf("deleting a data export: %w", err)
		}
		n++
	}
	return n, nil
}

// coversAny reports whether the newline-separated customer keys hold one
// of want.
func coversAny(who string, want map[string]bool) bool {
	for c := range strings.SplitSeq(who, "\n") {
		if want[c] {
			return true
		}
	}
	return false
}

// ExportSource reads, for an export, what the customer store, the
// suppression list and the recent sends have no reader for: which timers
// are still pending and a customer's outbox messages.
type ExportSource struct {
	client goredis.UniversalClient
	keys   Keys
	timers *Timers
}

// NewExportSource returns the reader on client; timers is the timer store
// whose pending timers it reports.
func NewExportSource(client goredis.UniversalClient, keys Keys, timers *Timers) *ExportSource {
	return &ExportSource{client: client, keys: keys, timers: timers}
}

// PendingTimers reports which of the timer ids are scheduled (waiting, or
// claimed and not yet acknowledged).
func (s *ExportSource) PendingTimers(ctx context.Context, ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	pipe := s.client.Pipeline()
	cmds := make([]*goredis.FloatCmd, len(ids))
	for i, id := range ids {
		cmds[i] = pipe.ZScore(ctx, s.keys.TimerDue(s.timers.ShardOf(id)), member(id))
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, goredis.Nil) {
		return nil, fmt.Errorf("reading timers: %w", err)
	}
	for i, c := range cmds {
		if c.Err() == nil {
			out[ids[i]] = true
		}
	}
	return out, nil
}

// Messages returns the shop's outbox messages (JSON) of any of the runs or
// sent to any of the addresses (compared without case), in no order. It
// reads the shop's outbox in pages.
func (s *ExportSource) Messages(ctx context.Context, shop string, runs map[string]bool, addresses []string) ([][]byte, error) {
	want := map[string]bool{}
	for _, a := range addresses {
		if a = normalizeAddress(a); a != "" {
			want[a] = true
		}
	}
	var out [][]byte
	iter := s.client.HScan(ctx, s.keys.OutboxMessages(shop), 0, "", 500).Iterator()
	for iter.Next(ctx) {
		if !iter.Next(ctx) { // fields and values alternate
			break
		}
		raw := iter.Val()
		var m struct {
			Run string `json:"run"`
			To  string `json:"to"`
		}
		if json.Unmarshal([]byte(raw), &m) != nil {
			continue
		}
		if (m.Run != "" && runs[m.Run]) || want[normalizeAddress(m.To)] {
			out = append(out, []byte(raw))
		}
	}
	if err := iter.Err(); err != nil {
		return nil, fmt.Errorf("reading the outbox: %w", err)
	}
	return out, nil
}
