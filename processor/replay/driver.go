package replay

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/boomerang-dev/boomerang/flows/event"
	"github.com/boomerang-dev/boomerang/processor"
	"github.com/boomerang-dev/boomerang/processor/send"
)

// DefaultUntil is how long the virtual clock runs after the last event, so
// every built-in flow's waits end.
const DefaultUntil = 30 * 24 * time.Hour

// Sender handles one send command at the virtual now (*send.Sender built
// with the driver's Now and Recorder).
type Sender interface {
	Handle(ctx context.Context, cmd *processor.SendCommand) error
}

// Config configures a Driver. Engine is the processor's configuration
// without Timers, Outbox, Now and Observe, which the driver supplies.
type Config struct {
	Engine processor.Config
	// Until is how long the clock runs after the last event. Default
	// DefaultUntil.
	Until time.Duration
	// Out receives each line in virtual-time order.
	Out func(Line) error
	// Daily, when set, runs at the times NextDaily gives and returns the
	// events the daily jobs emit then (date.reached).
	Daily func(ctx context.Context, at time.Time) ([]*event.Event, error)
	// Side, when set, sees each event first and handles those it reports
	// handled instead of the engine (the catalogue's product events).
	Side func(ctx context.Context, ev *event.Event) (handled bool, err error)
	// NextDaily is the first daily-job time after t. Default: the next
	// midnight UTC.
	NextDaily func(t time.Time) time.Time
	Logger    *zap.Logger
}

// Driver replays events. It is not safe for concurrent use.
type Driver struct {
	cfg    Config
	engine *processor.Engine
	sender Sender
	now    time.Time
	timers *queue
	defers *queue
	err    error
}

// New builds a Driver. Call SetSender before Run.
func New(cfg Config) (*Driver, error) {
	if cfg.Out == nil {
		return nil, errors.New("replay: Out is required")
	}
	if cfg.Until <= 0 {
		cfg.Until = DefaultUntil
	}
	if cfg.Logger == nil {
		cfg.Logger = zap.NewNop()
	}
	if cfg.NextDaily == nil {
		cfg.NextDaily = midnightAfter
	}
	d := &Driver{cfg: cfg, timers: newQueue(), defers: newQueue()}
	ec := cfg.Engine
	if ec.State == nil {
		return nil, errors.New("replay: Engine.State is required")
	}
	ec.State = stateSeam{StateStore: ec.State, d: d}
	ec.Timers = timerSeam{d}
	ec.Outbox = outboxSeam{}
	ec.Now = d.Now
	ec.Observe = d.observe
	e, err := processor.New(ec)
	if err != nil {
		return nil, err
	}
	d.engine = e
	return d, nil
}

// SetSender sets the sender the driver hands send commands to.
func (d *Driver) SetSender(s Sender) { d.sender = s }

// Now is the virtual clock.
func (d *Driver) Now() time.Time { return d.now }

// Run replays events (sorted here by occurred_at, stably) and then lets
// the clock run Until past the last one.
func (d *Driver) Run(ctx context.Context, events []*event.Event) error {
	if d.sender == nil {
		return errors.New("replay: no sender set")
	}
	if len(events) == 0 {
		return nil
	}
	slices.SortStableFunc(events, func(a, b *event.Event) int { return a.OccurredAt.Compare(b.OccurredAt) })
	d.now = events[0].OccurredAt.UTC()
	end := events[len(events)-1].OccurredAt.Add(d.cfg.Until)
	nextDay := d.cfg.NextDaily(d.now)
	i := 0
	for d.err == nil {
		if err := ctx.Err(); err != nil {
			return err
		}
		// The earliest of: the next event, deferred send, timer, day.
		var (
			at   time.Time
			kind int
		)
		const (
			kEvent = iota + 1
			kDefer
			kTimer
			kDay
		)
		consider := func(t time.Time, k int) {
			if kind == 0 || t.Before(at) {
				at, kind = t, k
			}
		}
		if i < len(events) {
			consider(events[i].OccurredAt, kEvent)
		}
		if it := d.defers.peek(); it != nil {
			consider(it.due, kDefer)
		}
		if it := d.timers.peek(); it != nil {
			consider(it.due, kTimer)
		}
		if d.cfg.Daily != nil {
			consider(nextDay, kDay)
		}
		if kind == 0 || at.After(end) {
			break
		}
		if at.After(d.now) {
			d.now = at.UTC()
		}
		var err error
		switch kind {
		case kEvent:
			err = d.handle(ctx, events[i])
			i++
		case kDefer:
			it := d.defers.pop()
			var cmd processor.SendCommand
			if err = json.Unmarshal([]byte(it.payload), &cmd); err == nil {
				d.deliver(ctx, &cmd)
			}
		case kTimer:
			it := d.timers.pop()
			var ev *event.Event
			if ev, err = processor.TimerFired(it.id, it.due, it.payload, d.now); err == nil {
				err = d.handle(ctx, ev)
			}
		case kDay:
			day := nextDay
			nextDay = d.cfg.NextDaily(day)
			var evs []*event.Event
			if evs, err = d.cfg.Daily(ctx, day); err == nil {
				for _, ev := range evs {
					if err = d.handle(ctx, ev); err != nil {
						break
					}
				}
			}
		}
		if err != nil {
			return err
		}
	}
	return d.err
}

func midnightAfter(t time.Time) time.Time {
	y, m, dd := t.UTC().Date()
	return time.Date(y, m, dd+1, 0, 0, 0, 0, time.UTC)
}

// handle applies one event. An event the engine refuses for good is
// reported and skipped, as the DLQ would take it; anything else stops the
// replay.
func (d *Driver) handle(ctx context.Context, ev *event.Event) error {
	if d.cfg.Side != nil {
		handled, err := d.cfg.Side(ctx, ev)
		if err != nil {
			return fmt.Errorf("event %s (%s): %w", ev.ID, ev.Type, err)
		}
		if handled {
			return nil
		}
	}
	err := d.engine.Handle(ctx, ev)
	if errors.Is(err, processor.ErrPermanent) {
		d.cfg.Logger.Warn("event refused", zap.String("id", ev.ID), zap.Error(err))
		return nil
	}
	if err != nil {
		return fmt.Errorf("event %s (%s): %w", ev.ID, ev.Type, err)
	}
	return d.err
}

// observe prints the engine's actions and hands send commands to the
// sender at once: the customer's state is committed when it is called.
func (d *Driver) observe(a processor.Action) {
	if d.err != nil {
		return
	}
	switch a.Action {
	case processor.ActionSendCmd:
		d.deliver(context.Background(), a.Send)
		return
	case processor.ActionWebhook:
		// Nothing is posted in a replay.
	}
	l := Line{
		At: a.At, Action: a.Action, Flow: a.Flow, Run: a.Run, Step: a.Step, Reason: a.Reason,
		Shop: a.Shop, Customer: a.Customer, Detail: a.Detail,
	}
	if a.Action == processor.ActionDiscount {
		l.Code, _, _ = strings.Cut(a.Detail, " ")
		l.Detail = strings.TrimSpace(strings.TrimPrefix(a.Detail, l.Code)) + "; made up: replay calls no store API"
	}
	if c := a.Send; c != nil {
		l.Channel, l.Template, l.To, l.Category = c.Channel, c.Template, c.To, c.Category
	}
	d.emit(l)
}

// deliver runs the senders' checks and rendering on one command.
func (d *Driver) deliver(ctx context.Context, cmd *processor.SendCommand) {
	err := d.sender.Handle(ctx, cmd)
	var de *send.DeferError
	switch {
	case errors.As(err, &de):
		until := d.now.Add(de.After)
		b, jerr := json.Marshal(cmd)
		if jerr != nil {
			d.err = jerr
			return
		}
		d.defers.upsert("defer:"+cmd.ID, until, string(b))
		d.emit(Line{
			At: d.now, Action: ActionDefer, Flow: cmd.Flow, Run: cmd.Run, Step: cmd.Step, Channel: cmd.Channel,
			Template: cmd.Template, To: cmd.To, Category: cmd.Category, Reason: send.ReasonQuietHours,
			Shop: cmd.Shop, Customer: cmd.Customer, Until: &until,
		})
	case err != nil:
		d.err = fmt.Errorf("send %s: %w", cmd.ID, err)
	}
}

// Record implements send.Recorder: a sent (outbox) message prints as
// send, a skipped one as skip with the senders' reason.
func (d *Driver) Record(_ context.Context, r *send.Record) error {
	c := r.Cmd
	l := Line{
		At: d.now, Flow: c.Flow, Run: c.Run, Step: c.Step, Channel: c.Channel, Template: c.Template, To: c.To,
		Category: c.Category, Shop: c.Shop, Customer: c.Customer,
	}
	switch r.Status {
	case send.StatusSkipped:
		l.Action, l.Reason = processor.ActionSkip, Reason(r.Reason)
		if l.Reason != r.Reason {
			l.Detail = r.Reason
		}
	case send.StatusFailed:
		l.Action, l.Reason, l.Detail = processor.ActionSkip, "failed", r.Reason
	default:
		l.Action = ActionSend
		if r.Rendered != nil {
			l.Subject = r.Rendered.Subject
		}
	}
	if c.Discount != nil {
		l.Code = c.Discount.Code
	}
	for _, p := range c.Products {
		l.Products = append(l.Products, p.ID)
	}
	d.emit(l)
	return nil
}

// Outcome implements send.Outcomes: a replay publishes nothing.
func (d *Driver) Outcome(context.Context, *send.Record) error { return nil }

// Reason maps a sender's reason onto the replay vocabulary: "suppressed:
// unsubscribed" is unsubscribed, other suppressions are suppressed.
func Reason(r string) string {
	word, rest, _ := strings.Cut(r, ":")
	if word == send.ReasonSuppressed && strings.TrimSpace(rest) == "unsubscribed" {
		return "unsubscribed"
	}
	return cmp.Or(word, r)
}

func (d *Driver) emit(l Line) {
	if d.err != nil {
		return
	}
	l.At = l.At.UTC()
	if err := d.cfg.Out(l); err != nil {
		d.err = err
	}
}

// stateSeam takes the timers a commit schedules into the driver's queue:
// the store would put them in Redis's timer sets, due by Redis's clock.
type stateSeam struct {
	processor.StateStore
	d *Driver
}

func (s stateSeam) Commit(ctx context.Context, c *processor.Commit) error {
	var ops []processor.TimerOp
	if c.Effects != nil && len(c.Effects.Schedule) > 0 {
		ops = c.Effects.Schedule
		eff := *c.Effects
		eff.Schedule = nil
		cp := *c
		cp.Effects = &eff
		c = &cp
	}
	if err := s.StateStore.Commit(ctx, c); err != nil {
		return err
	}
	for _, o := range ops {
		s.d.timers.upsert(o.ID, o.Due, o.Payload)
	}
	return nil
}

type timerSeam struct{ d *Driver }

func (s timerSeam) ScheduleMany(_ context.Context, ops []processor.TimerOp) error {
	for _, o := range ops {
		s.d.timers.upsert(o.ID, o.Due, o.Payload)
	}
	return nil
}

func (s timerSeam) CancelMany(_ context.Context, ids []string) error {
	for _, id := range ids {
		s.d.timers.cancel(id)
	}
	return nil
}

// outboxSeam drops published sends: the driver delivers each command
// from the engine's observer instead, in the order the run took its steps.
type outboxSeam struct{}

func (outboxSeam) PublishSends(context.Context, []processor.SendCommand) error { return nil }
