package redis

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// scriptChunk bounds the timers one script call handles, so a large
// ScheduleMany, CancelMany or Ack never blocks Redis for long in one
// script.
const scriptChunk = 512

// Timers is the timer store: per-shard sorted sets of due times with the
// payloads beside them, claimed under a lease by pollers. Safe for
// concurrent use; every method is one round trip (two the first time a
// server sees a script). It needs Redis 6.2 or newer.
//
// Memory: a pending timer with a 42-byte id and a 60-byte payload costs
// about 280 bytes of Redis memory (BenchmarkTimerMemory): one sorted-set
// entry and one hash entry, both keyed by a 14-byte digest of the id.
//
// Guarantees: a timer is returned by Claim only once it is due; a claimed
// timer is invisible to other claims until its lease ends, and is claimed
// again after that unless acknowledged (at-least-once; the claim reports the
// same due time every time, so Claimed.MsgID deduplicates the fires).
// Scheduling an existing id replaces its due time and payload, also while
// it is in flight.
type Timers struct {
	cfg TimerConfig
}

// The processor's commit queues its timers through this.
var _ TimerQueuer = (*Timers)(nil)

// Claimed is a timer handed out by Claim.
type Claimed struct {
	// ID is the timer's id.
	ID string
	// Due is when the timer was due: its due time when first claimed, the
	// same on every claim of one schedule.
	Due time.Time
	// Payload is what it was scheduled with.
	Payload []byte
	// Shard is the shard it lives in.
	Shard int
	// LeaseUntil is when the lease of this claim ends; Ack matches it.
	LeaseUntil time.Time
}

// MsgID is the message id of the timer's fire: the timer id, ":" and the
// due time in unix ms. Every claim of one schedule of a timer gives the same
// id, so JetStream drops a second fire after a lapsed lease.
func (c Claimed) MsgID() string {
	return c.ID + ":" + strconv.FormatInt(c.Due.UnixMilli(), 10)
}

// NewTimers returns a timer store on cfg.Client.
func NewTimers(cfg TimerConfig) (*Timers, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	return &Timers{cfg: cfg}, nil
}

// Shards is the number of shards.
func (t *Timers) Shards() int { return t.cfg.Shards }

// Lease is the lease a claim takes.
func (t *Timers) Lease() time.Duration { return t.cfg.Lease }

// ShardOf returns the shard timer id lives in.
func (t *Timers) ShardOf(id string) int { return TimerShard(id, t.cfg.Shards) }

func (t *Timers) keys(shard int) []string {
	return []string{t.cfg.Keys.TimerDue(shard), t.cfg.Keys.TimerPayload(shard)}
}

// Schedule upserts one timer: due at due, carrying payload (keep it a short
// reference; the memory per timer is measured with 60 bytes). Rescheduling
// an id overwrites its due time and payload.
func (t *Timers) Schedule(ctx context.Context, id string, due time.Time, payload []byte) error {
	return t.ScheduleMany(ctx, []Timer{{ID: id, Due: due, Payload: payload}})
}

// ScheduleMany upserts timers in one round trip (one pipeline, one script
// per shard and 512 timers).
func (t *Timers) ScheduleMany(ctx context.Context, timers []Timer) error {
	if len(timers) == 0 {
		return nil
	}
	byShard := make(map[int][]any)
	for _, tm := range timers {
		if tm.ID == "" {
			return errors.New("scheduling a timer: empty id")
		}
		if tm.Due.IsZero() {
			return fmt.Errorf("scheduling timer %q: zero due time", tm.ID)
		}
		s := t.ShardOf(tm.ID)
		byShard[s] = append(byShard[s], member(tm.ID), tm.Due.UnixMilli(), encodeRecord(tm.ID, tm.Payload))
	}
	if err := t.eval(ctx, t.calls(scheduleScript, byShard, 3)); err != nil {
		return fmt.Errorf("scheduling %d timers: %w", len(timers), err)
	}
	return nil
}

// QueueSchedule queues the upsert of tm on pipe, for callers that write
// timers in the same round trip as their own commands (the processor's
// commit). It queues plain commands, record first and due time second, so
// a claim never sees a due member without its record; rewriting the record
// forgets a lease in flight exactly as the schedule script does. It does
// not validate tm: a zero due time fires at once.
func (t *Timers) QueueSchedule(pipe goredis.Pipeliner, tm Timer) {
	s := t.ShardOf(tm.ID)
	m := member(tm.ID)
	ctx := context.Background()
	pipe.HSet(ctx, t.cfg.Keys.TimerPayload(s), m, encodeRecord(tm.ID, tm.Payload))
	pipe.ZAdd(ctx, t.cfg.Keys.TimerDue(s), goredis.Z{Score: float64(tm.Due.UnixMilli()), Member: m})
}

// Cancel removes a timer, in flight or not. Cancelling an unknown id is not
// an error.
func (t *Timers) Cancel(ctx context.Context, id string) error {
	return t.CancelMany(ctx, []string{id})
}

// CancelMany removes timers in one round trip.
func (t *Timers) CancelMany(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	byShard := make(map[int][]any)
	for _, id := range ids {
		s := t.ShardOf(id)
		byShard[s] = append(byShard[s], member(id))
	}
	if err := t.eval(ctx, t.calls(cancelScript, byShard, 1)); err != nil {
		return fmt.Errorf("cancelling %d timers: %w", len(ids), err)
	}
	return nil
}

// Claim leases up to limit timers of shard that are due at now, earliest
// first (limit <= 0: the configured Batch). A zero now uses Redis's clock
// (production); a non-zero now is for tests and replay on a virtual clock.
// Each claimed timer is invisible to other claims until now+Lease; Ack it
// once fired, or it is claimed again after that.
func (t *Timers) Claim(ctx context.Context, shard int, now time.Time, limit int) ([]Claimed, error) {
	r, err := t.claim(ctx, shard, now, limit)
	return r.claims, err
}

// claimResult is a claim with what the poller needs to plan its wait.
type claimResult struct {
	claims []Claimed
	// now is the claim's time, in unix ms (Redis's clock or the caller's).
	now int64
	// next is the earliest score left in the shard (a due time or a lease
	// expiry), unix ms; ok false when the shard is empty.
	next   int64
	nextOK bool
}

func (t *Timers) claim(ctx context.Context, shard int, now time.Time, limit int) (claimResult, error) {
	if shard < 0 || shard >= t.cfg.Shards {
		return claimResult{}, fmt.Errorf("claiming timers: shard %d out of [0, %d)", shard, t.cfg.Shards)
	}
	if limit <= 0 {
		limit = t.cfg.Batch
	}
	var nowMS int64
	if !now.IsZero() {
		nowMS = now.UnixMilli()
		if nowMS == 0 { // the epoch itself: 0 would mean Redis's clock
			nowMS = -1
		}
	}
	reply, err := claimScript.Run(ctx, t.cfg.Client, t.keys(shard), nowMS, t.cfg.Lease.Milliseconds(), limit).Slice()
	if err != nil {
		return claimResult{}, fmt.Errorf("claiming timers of shard %d: %w", shard, err)
	}
	return parseClaim(shard, reply)
}

func parseClaim(shard int, reply []any) (claimResult, error) {
	if len(reply) < 3 || len(reply)%2 != 1 {
		return claimResult{}, fmt.Errorf("claiming timers of shard %d: reply of %d elements", shard, len(reply))
	}
	now, ok1 := reply[0].(int64)
	lease, ok2 := reply[1].(int64)
	next, ok3 := reply[2].(int64)
	if !ok1 || !ok2 || !ok3 {
		return claimResult{}, fmt.Errorf("claiming timers of shard %d: unexpected reply header %v", shard, reply[:3])
	}
	r := claimResult{now: now, next: next, nextOK: next != -1}
	leaseUntil := time.UnixMilli(lease).UTC()
	for i := 3; i < len(reply); i += 2 {
		dueStr, ok1 := reply[i].(string)
		rec, ok2 := reply[i+1].(string)
		if !ok1 || !ok2 {
			return r, fmt.Errorf("claiming timers of shard %d: unexpected reply element %T %T", shard, reply[i], reply[i+1])
		}
		due, err := parseMillis(dueStr)
		if err != nil {
			return r, fmt.Errorf("claiming timers of shard %d: %w", shard, err)
		}
		id, payload, err := decodeRecord([]byte(rec))
		if err != nil {
			// Not written by this package. It stays leased and comes back
			// after each lease; skipping it keeps the shard going.
			continue
		}
		r.claims = append(r.claims, Claimed{
			ID: id, Due: time.UnixMilli(due).UTC(), Payload: payload, Shard: shard, LeaseUntil: leaseUntil,
		})
	}
	return r, nil
}

// parseMillis reads a score as Redis prints it (%.17g: integral values
// print as integers).
func parseMillis(s string) (int64, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || f < math.MinInt64 || f >= math.MaxInt64 {
		return 0, fmt.Errorf("timer time %q is not a time in unix ms", s)
	}
	return int64(f), nil
}

// Ack removes fired timers, each only if it is still leased by the claim
// that returned it: a timer rescheduled after its claim survives, and so
// does one claimed again after the lease lapsed.
func (t *Timers) Ack(ctx context.Context, claims []Claimed) error {
	if len(claims) == 0 {
		return nil
	}
	byShard := make(map[int][]any)
	for _, c := range claims {
		s := t.ShardOf(c.ID)
		byShard[s] = append(byShard[s], member(c.ID), c.LeaseUntil.UnixMilli(), c.Due.UnixMilli())
	}
	if err := t.eval(ctx, t.calls(ackScript, byShard, 3)); err != nil {
		return fmt.Errorf("acknowledging %d timers: %w", len(claims), err)
	}
	return nil
}

// Next returns the earliest score in shard: the next due time, or the
// expiry of a lease in flight (when its timer may be claimed again). ok is
// false when the shard holds no timer.
func (t *Timers) Next(ctx context.Context, shard int) (next time.Time, ok bool, err error) {
	zs, err := t.cfg.Client.ZRangeWithScores(ctx, t.cfg.Keys.TimerDue(shard), 0, 0).Result()
	if err != nil {
		return time.Time{}, false, fmt.Errorf("reading the next timer of shard %d: %w", shard, err)
	}
	if len(zs) == 0 {
		return time.Time{}, false, nil
	}
	return time.UnixMilli(int64(zs[0].Score)).UTC(), true, nil
}

// Pending counts the timers of every shard, in flight or not.
func (t *Timers) Pending(ctx context.Context) (int64, error) {
	pipe := t.cfg.Client.Pipeline()
	cmds := make([]*goredis.IntCmd, t.cfg.Shards)
	for s := range t.cfg.Shards {
		cmds[s] = pipe.ZCard(ctx, t.cfg.Keys.TimerDue(s))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return 0, fmt.Errorf("counting timers: %w", err)
	}
	var n int64
	for _, c := range cmds {
		n += c.Val()
	}
	return n, nil
}

// calls splits each shard's arguments (stride per timer) into script calls
// of at most scriptChunk timers.
func (t *Timers) calls(script *goredis.Script, byShard map[int][]any, stride int) []scriptCall {
	calls := make([]scriptCall, 0, len(byShard))
	for s, args := range byShard {
		for len(args) > 0 {
			n := min(len(args), stride*scriptChunk)
			calls = append(calls, scriptCall{script, t.keys(s), args[:n]})
			args = args[n:]
		}
	}
	return calls
}

// scriptCall is one script invocation of a pipeline.
type scriptCall struct {
	script *goredis.Script
	keys   []string
	args   []any
}

// eval runs calls in one round trip: one call directly, several as a
// pipeline of EVALSHA. When the server lacks a script (a restart or
// failover flushed its cache) it loads the scripts and runs the pipeline
// again; every timer script is idempotent, so calls that had run are safe
// to repeat.
func (t *Timers) eval(ctx context.Context, calls []scriptCall) error {
	if len(calls) == 1 {
		c := calls[0]
		return c.script.Run(ctx, t.cfg.Client, c.keys, c.args...).Err()
	}
	cmds, err := t.pipeline(ctx, calls)
	if err == nil || !noScript(cmds) {
		return err
	}
	loaded := map[*goredis.Script]bool{}
	for _, c := range calls {
		if !loaded[c.script] {
			if err := c.script.Load(ctx, t.cfg.Client).Err(); err != nil {
				return fmt.Errorf("loading a timer script: %w", err)
			}
			loaded[c.script] = true
		}
	}
	_, err = t.pipeline(ctx, calls)
	return err
}

func (t *Timers) pipeline(ctx context.Context, calls []scriptCall) ([]*goredis.Cmd, error) {
	pipe := t.cfg.Client.Pipeline()
	cmds := make([]*goredis.Cmd, len(calls))
	for i, c := range calls {
		cmds[i] = c.script.EvalSha(ctx, pipe, c.keys, c.args...)
	}
	_, err := pipe.Exec(ctx)
	return cmds, err
}

func noScript(cmds []*goredis.Cmd) bool {
	for _, c := range cmds {
		if goredis.HasErrorPrefix(c.Err(), "NOSCRIPT") {
			return true
		}
	}
	return false
}
