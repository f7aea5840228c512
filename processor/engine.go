package processor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/boomerang-dev/boomerang/flows"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// Engine is the processor: a Handler that applies events to customers'
// state. It is safe for concurrent use.
type Engine struct {
	cfg     Config
	metrics *metrics
}

var _ Handler = (*Engine)(nil)

// New returns an Engine, or an error when cfg is incomplete.
func New(cfg Config) (*Engine, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	return &Engine{cfg: cfg, metrics: newMetrics(cfg.Registerer)}, nil
}

// Handle applies one event: exactly once per semantic key, however often it
// is delivered.
func (e *Engine) Handle(ctx context.Context, ev *event.Event) error {
	cust := CustomerKey(ev)
	if cust == "" {
		e.metrics.events.WithLabelValues(string(ev.Type), "no_customer").Inc()
		return nil
	}
	key := ev.Key
	if key == "" {
		key = ev.ID
	}
	for range e.cfg.MaxAttempts {
		st, err := e.cfg.State.Load(ctx, ev.Shop, cust, key)
		if err != nil {
			return fmt.Errorf("loading customer state: %w", err)
		}
		if st.Seen != nil {
			e.metrics.events.WithLabelValues(string(ev.Type), "duplicate").Inc()
			return e.reissue(ctx, st.Seen)
		}
		tx, err := e.apply(ctx, ev, cust, key, st)
		if err != nil {
			return err
		}
		err = e.cfg.State.Commit(ctx, tx.commit())
		if errors.Is(err, ErrConflict) {
			e.metrics.conflicts.Inc()
			continue
		}
		if err != nil {
			return fmt.Errorf("committing customer state: %w", err)
		}
		e.metrics.events.WithLabelValues(string(ev.Type), "applied").Inc()
		return e.afterCommit(ctx, tx)
	}
	return fmt.Errorf("customer %s kept changing: %w", ev.Shop, ErrConflict)
}

// reissue repeats the effects a duplicate's first delivery recorded: send
// commands are deduplicated downstream by id and timers are upserts, so
// this repairs a crash between the commit and its effects and is otherwise
// harmless.
func (e *Engine) reissue(ctx context.Context, eff *Effects) error {
	if len(eff.Sends) > 0 {
		if err := e.cfg.Outbox.PublishSends(ctx, eff.Sends); err != nil {
			return fmt.Errorf("republishing sends: %w", err)
		}
	}
	return nil
}

func (e *Engine) afterCommit(ctx context.Context, tx *txn) error {
	if len(tx.effects.Sends) > 0 {
		if err := e.cfg.Outbox.PublishSends(ctx, tx.effects.Sends); err != nil {
			// The commit recorded the sends: the redelivered event finds
			// them and publishes them again.
			return fmt.Errorf("publishing sends: %w", err)
		}
		for _, s := range tx.effects.Sends {
			e.metrics.sends.WithLabelValues(s.Flow, s.Channel).Inc()
		}
	}
	if len(tx.effects.Cancel) > 0 {
		if err := e.cfg.Timers.CancelMany(ctx, tx.effects.Cancel); err != nil {
			e.cfg.Logger.Warn("cancelling timers of finished runs; they will fire into nothing", zap.Error(err))
		}
	}
	for flow, n := range tx.transitions {
		for tr, c := range n {
			e.metrics.runs.WithLabelValues(flow, tr).Add(float64(c))
		}
	}
	if o, ok := tx.ev.Data.(*event.Order); ok && tx.ev.Type == event.OrderPlaced && e.cfg.Recommender != nil {
		// Counted at most once, like conversions: a redelivered order finds
		// its event applied.
		if err := e.cfg.Recommender.Observe(ctx, tx.ev.Shop, OrderItems(o), tx.ev.OccurredAt); err != nil {
			e.cfg.Logger.Warn("counting an order for recommendations failed", zap.String("shop", tx.ev.Shop), zap.Error(err))
		}
	}
	if c := tx.conversion; c != nil && e.cfg.Stats != nil {
		// Counted at most once: a redelivered order finds its event
		// applied and counts nothing (a crash right here loses one count).
		if err := e.cfg.Stats.Converted(ctx, *c); err != nil {
			e.cfg.Logger.Warn("counting a conversion failed", zap.String("shop", c.Shop), zap.String("flow", c.Flow), zap.Error(err))
		}
	}
	if moves := datesOf(tx.profile, tx.shop.location()).moves(tx.datesBefore); e.cfg.Dates != nil && (tx.isNew || len(moves) > 0) {
		if err := e.cfg.Dates.Update(ctx, tx.ev.Shop, tx.cust, tx.isNew, moves); err != nil {
			// The commit stands and a redelivery finds it applied, so
			// retrying would not repair the index: say so and go on (the
			// customer's next date change indexes it again).
			e.cfg.Logger.Warn("indexing a customer's dates failed", zap.String("shop", tx.ev.Shop), zap.Error(err))
		}
	}
	if e.cfg.Observe != nil {
		for _, a := range tx.actions {
			e.cfg.Observe(a)
		}
	}
	return nil
}

// txn is one event's computation over one customer's state.
type txn struct {
	ctx      context.Context //nolint:containedctx // lives for one event's computation
	e        *Engine
	ev       *event.Event
	evRaw    json.RawMessage
	evMapped map[string]any
	runEvent map[string]map[string]any
	shop     ShopConfig
	now      time.Time
	cust     string
	eventKey string
	version  int64

	profile    *Profile
	profMap    map[string]any
	shopMapped map[string]any
	runs       map[string]*Run
	touched    map[string]bool
	done       []*Run

	exits          []Remembered
	exitsChanged   bool
	reentry        map[string]time.Time
	reentryChanged bool

	effects     Effects
	transitions map[string]map[string]int
	actions     []Action
	// trigFlow is the program whose trigger is being evaluated (its
	// params are in scope before a run exists).
	trigFlow *flows.Program
	params   map[string]map[string]any
	// recs memoizes the recommendations variable per run.
	recs map[string]any
	// conversion is the attribution of an order event, counted after the
	// commit.
	conversion *Conversion
	// isNew and datesBefore feed the date index after the commit.
	isNew       bool
	datesBefore profileDates
}

func (e *Engine) apply(ctx context.Context, ev *event.Event, cust, key string, st *State) (*txn, error) {
	raw, err := json.Marshal(ev)
	if err != nil {
		return nil, fmt.Errorf("%w: encoding event: %w", ErrPermanent, err)
	}
	shop := ShopConfig{ID: ev.Shop}
	if e.cfg.Shops != nil {
		if s, ok := e.cfg.Shops.Shop(ev.Shop); ok {
			shop = s
		}
	}
	tx := &txn{
		ctx: ctx, e: e, ev: ev, evRaw: raw, shop: shop, now: e.cfg.Now().UTC(), runEvent: map[string]map[string]any{},
		cust: cust, eventKey: key, version: st.Version,
		profile: st.Profile, runs: map[string]*Run{}, touched: map[string]bool{},
		exits: st.Exits, reentry: map[string]time.Time{}, transitions: map[string]map[string]int{},
	}
	maps.Copy(tx.runs, st.Runs)
	maps.Copy(tx.reentry, st.Reentry)
	if tx.profile == nil {
		tx.isNew = true
		tx.profile = &Profile{Key: cust, CreatedAt: tx.now}
	} else {
		tx.datesBefore = datesOf(tx.profile, shop.location())
	}
	tx.profile.apply(ev)
	tx.profile.UpdatedAt = tx.now
	if ev.Historical {
		// The store's past builds the profile (and, after the commit, the
		// date index and the co-purchase counts) but is no one's news: it
		// starts, advances and ends no run and converts no message.
		return tx, nil
	}
	if o, ok := ev.Data.(*event.Order); ok && ev.Type == event.OrderPlaced {
		if t, ok := tx.profile.attribute(ev.OccurredAt, shop.Attribution); ok {
			tx.conversion = &Conversion{
				Shop: ev.Shop, Flow: t.Flow, Split: t.Split, Message: t.Message, Order: o.ID,
				Revenue: string(o.Total), Currency: o.Currency, At: ev.OccurredAt,
			}
		}
	}

	tx.remember()
	if t, ok := ev.Data.(*event.Timer); ok {
		tx.fire(t)
	} else {
		tx.react()
	}
	tx.trigger()
	return tx, nil
}

func (tx *txn) commit() *Commit {
	c := &Commit{
		Shop: tx.ev.Shop, Customer: tx.cust, EventKey: tx.eventKey, Version: tx.version,
		Profile: tx.profile, Finished: tx.done, Effects: &tx.effects, SeenTTL: tx.e.cfg.SeenTTL,
	}
	for id := range tx.touched {
		if r, ok := tx.runs[id]; ok {
			c.Runs = append(c.Runs, r)
		}
	}
	sort.Slice(c.Runs, func(i, j int) bool { return c.Runs[i].ID < c.Runs[j].ID })
	if tx.exitsChanged {
		c.Exits = tx.exits
		if c.Exits == nil {
			c.Exits = []Remembered{}
		}
	}
	if tx.reentryChanged {
		c.Reentry = tx.reentry
	}
	return c
}

func (tx *txn) transition(flow, what string) {
	if tx.transitions[flow] == nil {
		tx.transitions[flow] = map[string]int{}
	}
	tx.transitions[flow][what]++
}

// Remembered exit events are kept this long and at most this many.
const (
	rememberFor = 30 * 24 * time.Hour
	rememberMax = 20
)

// remember keeps events of the types that end runs, so a run that starts
// after them can still be ended by them.
func (tx *txn) remember() {
	t := string(tx.ev.Type)
	if tx.ev.Type == event.TimerFired || len(tx.e.cfg.Flows.Exits(t)) == 0 {
		return
	}
	kept := make([]Remembered, 0, len(tx.exits)+1)
	for _, r := range tx.exits {
		if tx.now.Sub(r.OccurredAt) < rememberFor {
			kept = append(kept, r)
		}
	}
	kept = append(kept, Remembered{Type: t, OccurredAt: tx.ev.OccurredAt, Event: tx.evRaw})
	sort.SliceStable(kept, func(i, j int) bool { return kept[i].OccurredAt.Before(kept[j].OccurredAt) })
	if len(kept) > rememberMax {
		kept = kept[len(kept)-rememberMax:]
	}
	tx.exits = kept
	tx.exitsChanged = true
}

// profileMap is the profile as flows see it, built on first use and
// rebuilt after an update step (which resets it).
func (tx *txn) profileMap() map[string]any {
	if tx.profMap == nil {
		tx.profMap = profileMap(tx.profile, tx.now)
	}
	return tx.profMap
}

func (tx *txn) shopMap() map[string]any {
	if tx.shopMapped == nil {
		tx.shopMapped = shopMap(tx.shop)
	}
	return tx.shopMapped
}

// evMap is the event as flows see it, decoded on first use: most events
// meet no condition at all.
func (tx *txn) evMap() map[string]any {
	if tx.evMapped == nil {
		tx.evMapped = eventMap(tx.evRaw)
	}
	return tx.evMapped
}

// triggerMap is a run's trigger event as flows see it, decoded once per
// event.
func (tx *txn) triggerMap(r *Run) map[string]any {
	m, ok := tx.runEvent[r.ID]
	if !ok {
		m = eventMap(r.Event)
		tx.runEvent[r.ID] = m
	}
	return m
}

// vars are the CEL variables for a run (nil: none).
func (tx *txn) vars(r *Run, ev map[string]any) map[string]any {
	v := map[string]any{
		"event":   ev,
		"profile": tx.profileMap(),
		"shop":    tx.shopMap(),
		"now":     tx.now,
		"run":     map[string]any{},
		"params":  map[string]any{},
		// Evaluated only when an expression reads it.
		"recommendations": func() any { return tx.recommendations(r) },
	}
	if r != nil {
		v["run"] = runMap(r, tx.triggerMap(r))
		if p := tx.program(r); p != nil {
			v["params"] = tx.paramsOf(p)
		}
	} else if tx.trigFlow != nil {
		v["params"] = tx.paramsOf(tx.trigFlow)
	}
	return v
}

// paramsOf is a flow's parameters: its defaults, overridden by the shop's
// flows.<id>.params.
func (tx *txn) paramsOf(p *flows.Program) map[string]any {
	key := p.Flow.ID + "@" + strconv.Itoa(p.Flow.Version)
	if m, ok := tx.params[key]; ok {
		return m
	}
	m := make(map[string]any, len(p.Flow.Params))
	maps.Copy(m, p.Flow.Params)
	maps.Copy(m, tx.shop.Params[p.Flow.ID])
	if tx.params == nil {
		tx.params = map[string]map[string]any{}
	}
	tx.params[key] = m
	return m
}

// program returns the program a run is pinned to: the loaded one when its
// version matches, else the archived version.
func (tx *txn) program(r *Run) *flows.Program {
	p := tx.e.cfg.Flows.Get(r.Flow)
	if p != nil && p.Flow.Version == r.Version {
		return p
	}
	if tx.e.cfg.Archive == nil {
		return nil
	}
	old, err := tx.e.cfg.Archive.Program(tx.ctx, r.Flow, r.Version)
	if err != nil {
		tx.e.cfg.Logger.Warn("flow version of a run not found", zap.String("flow", r.Flow),
			zap.Int("version", r.Version), zap.Error(err))
		return nil
	}
	return old
}

// sortedRuns lists the active runs in id order, for determinism.
func (tx *txn) sortedRuns() []*Run {
	out := make([]*Run, 0, len(tx.runs))
	for _, r := range tx.runs {
		if r.Status == RunActive {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// fire resumes the run a timer woke, if it still waits for that timer.
func (tx *txn) fire(t *event.Timer) {
	r, ok := tx.runs[t.Run]
	if !ok || r.Status != RunActive || r.Wait == nil || r.Wait.TimerID != t.TimerID {
		return // a stale timer: the run moved on or ended
	}
	if r.Wait.Due.UnixMilli() != t.DueAt.UnixMilli() {
		// The run waits on this timer, due at another time: a re-arm moved
		// it (the upsert then replaced this fire's schedule, so this is a
		// lease repeat), or a commit attempt that lost to a concurrent one
		// wrote its older due time over the winner's. Schedule the run's
		// own due time again (at once when it has passed): an upsert, so
		// harmless in the first case.
		tx.schedule(r, r.Wait)
		return
	}
	p := tx.program(r)
	if p == nil {
		tx.finish(r, RunExited, ReasonFlowGone, fmt.Sprintf("flow %s version %d is no longer loaded", r.Flow, r.Version))
		return
	}
	if r.Wait.Event != "" {
		r.WaitedEvent = json.RawMessage("null")
		r.log(p.Code[r.PC].StepID, "wait_timeout", tx.now, "")
	}
	due := r.Wait.Due
	r.Wait = nil
	tx.touched[r.ID] = true
	tx.advance(r, p, r.PC+1, due)
}

// react lets the event end runs (exit_on) and resume runs waiting for it.
func (tx *txn) react() {
	t := string(tx.ev.Type)
	for _, r := range tx.sortedRuns() {
		p := tx.program(r)
		if p == nil {
			continue
		}
		if r.Wait != nil && r.Wait.Event == t {
			ins := p.Code[r.PC]
			if tx.cond(ins.WaitIf, r, tx.evMap()) {
				r.WaitedEvent = tx.evRaw
				r.Wait = nil
				r.log(ins.StepID, "wait_event", tx.now, t)
				tx.touched[r.ID] = true
				tx.advance(r, p, r.PC+1, tx.ev.OccurredAt)
				continue
			}
		}
		for _, c := range p.ExitOn {
			// Like prevented: only an event at or after the run's start
			// ends it, whichever order the two were processed in.
			if c.Event == t && !tx.ev.OccurredAt.Before(r.StartedAt) && tx.cond(c.If, r, tx.evMap()) {
				tx.finish(r, RunExited, ReasonExitOn, t)
				break
			}
		}
	}
}

// cond evaluates a condition; nil is true, an error is false (logged).
func (tx *txn) cond(x flows.Expr, r *Run, ev map[string]any) bool {
	if x == nil {
		return true
	}
	ok, err := x.Bool(tx.vars(r, ev))
	if err != nil {
		tx.e.cfg.Logger.Debug("condition failed; taken as false",
			zap.String("expr", x.String()), zap.String("shop", tx.ev.Shop), zap.Error(err))
		return false
	}
	return ok
}

// trigger starts runs whose trigger matches, re-arms or ignores existing
// ones.
func (tx *txn) trigger() {
	for _, p := range tx.e.cfg.Flows.Triggered(string(tx.ev.Type)) {
		f := p.Flow
		tx.trigFlow = p
		if !tx.shop.FlowOn(f) || !tx.cond(p.Trigger.If, nil, tx.evMap()) {
			continue
		}
		key := tx.cust
		if p.Key != nil {
			v, err := p.Key.Eval(tx.vars(nil, tx.evMap()))
			s, ok := v.(string)
			if err != nil || !ok || s == "" {
				tx.e.cfg.Logger.Debug("flow key did not evaluate to a string; no run",
					zap.String("flow", f.ID), zap.Error(err))
				continue
			}
			key = s
		}
		if r := tx.activeRun(f.ID, key); r != nil {
			tx.rearm(r, p)
			continue
		}
		if until, ok := tx.reentry[reentryKey(f.ID, key)]; ok && tx.now.Before(until) {
			tx.note(Action{Action: ActionSkip, Flow: f.ID, Reason: ReasonReentry, Detail: "key " + key})
			continue
		}
		r := &Run{
			ID: runID(f.ID, key, tx.ev.OccurredAt), Flow: f.ID, Version: f.Version, Key: key,
			Shop: tx.ev.Shop, Customer: tx.cust, Status: RunActive,
			StartedAt: tx.ev.OccurredAt, TriggerAt: tx.ev.OccurredAt, Event: tx.evRaw,
		}
		if ended := tx.prevented(p, r); ended != "" {
			tx.transition(f.ID, "prevented")
			tx.note(Action{Action: ActionSkip, Flow: f.ID, Run: r.ID, Reason: ReasonExitOn, Detail: ended})
			continue
		}
		switch p.Reentry.Kind {
		case flows.ReentryAlways:
		case flows.ReentryOncePer:
			tx.reentry[reentryKey(f.ID, key)] = tx.now.Add(p.Reentry.Every)
			tx.reentryChanged = true
		default: // once
			tx.reentry[reentryKey(f.ID, key)] = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
			tx.reentryChanged = true
		}
		tx.runs[r.ID] = r
		tx.touched[r.ID] = true
		tx.transition(f.ID, "started")
		r.log("", "start", tx.now, string(tx.ev.Type))
		tx.note(Action{Action: ActionStart, Flow: f.ID, Run: r.ID, Detail: string(tx.ev.Type)})
		tx.advance(r, p, 0, tx.ev.OccurredAt)
	}
	tx.trigFlow = nil
}

func (tx *txn) activeRun(flow, key string) *Run {
	for _, r := range tx.runs {
		if r.Status == RunActive && r.Flow == flow && r.Key == key {
			return r
		}
	}
	return nil
}

// rearm applies a newer trigger event to a running run: the run renders
// the newest data, and its first wait, if it still waits there, counts
// from the newer event. An older event is ignored.
func (tx *txn) rearm(r *Run, p *flows.Program) {
	if !tx.ev.OccurredAt.After(r.TriggerAt) {
		return
	}
	r.Event = tx.evRaw
	delete(tx.runEvent, r.ID)
	r.TriggerAt = tx.ev.OccurredAt
	tx.touched[r.ID] = true
	w := r.Wait
	if w == nil || !w.First || w.TimerID == "" || w.Event != "" || w.Base.IsZero() {
		return
	}
	w.Due = tx.ev.OccurredAt.Add(w.Due.Sub(w.Base)).Truncate(time.Millisecond)
	w.Base = tx.ev.OccurredAt
	tx.schedule(r, w)
	r.log(p.Code[r.PC].StepID, "rearm", tx.now, w.Due.Format(time.RFC3339))
}

// prevented reports the type of a remembered event that ends the run and
// happened at or after its trigger (an order whose webhook arrived before
// the checkout update's), "" when none does.
func (tx *txn) prevented(p *flows.Program, r *Run) string {
	for _, m := range tx.exits {
		if m.OccurredAt.Before(r.StartedAt) {
			continue
		}
		for _, c := range p.ExitOn {
			if c.Event == m.Type && tx.cond(c.If, r, eventMap(m.Event)) {
				return m.Type
			}
		}
	}
	return ""
}

func (tx *txn) schedule(r *Run, w *RunWait) {
	tx.effects.Schedule = append(tx.effects.Schedule, TimerOp{
		ID: w.TimerID, Due: w.Due, Payload: TimerPayload(r.Shop, r.Customer, r.ID),
	})
}

// finish ends a run: status RunDone (reason completed) or RunExited with a
// reason of the vocabulary in action.go and a detail.
func (tx *txn) finish(r *Run, status, reason, detail string) {
	if r.Wait != nil && r.Wait.TimerID != "" {
		tx.effects.Cancel = append(tx.effects.Cancel, r.Wait.TimerID)
	}
	r.Status = status
	r.ExitReason = reason
	r.ExitDetail = detail
	r.EndedAt = tx.now
	r.Wait = nil
	r.log("", status, tx.now, strings.TrimSpace(reason+" "+detail))
	tx.note(Action{Action: ActionExit, Flow: r.Flow, Run: r.ID, Reason: reason, Detail: detail})
	tx.touched[r.ID] = true
	delete(tx.runs, r.ID)
	tx.done = append(tx.done, r)
	tx.transition(r.Flow, status)
}
