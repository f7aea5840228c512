package processor

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"

	"github.com/boomerang-dev/boomerang/flows"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// maxSteps bounds the instructions one event may execute in one run, so a
// flow that loops without waiting cannot hang a worker.
const maxSteps = 1000

// advance executes r's program from pc until the run waits or ends. cursor
// is the time the run stands at: the trigger's occurred_at, or the due time
// of the timer that woke it, so waits add up on schedule however late a
// timer fired.
func (tx *txn) advance(r *Run, p *flows.Program, pc int, cursor time.Time) {
	tx.touched[r.ID] = true
	for range maxSteps {
		if pc >= len(p.Code) {
			tx.finish(r, RunDone, "")
			return
		}
		ins := &p.Code[pc]
		r.PC = pc
		switch ins.Op {
		case flows.OpWait:
			tx.wait(r, ins, cursor)
			return
		case flows.OpSend:
			if !tx.cond(p.Filter, r, tx.evMap()) {
				r.log(ins.StepID, "skipped", tx.now, "filter")
				tx.finish(r, RunExited, "filter")
				return
			}
			tx.send(r, p, ins, cursor)
			pc++
		case flows.OpBranch:
			if tx.cond(ins.Cond, r, tx.evMap()) {
				r.log(ins.StepID, "branch", tx.now, "then")
				pc++
			} else {
				r.log(ins.StepID, "branch", tx.now, "else")
				pc = ins.Target
			}
		case flows.OpSplit:
			i := choose(r.ID+"\x00"+ins.StepID, ins.Weights)
			if r.Splits == nil {
				r.Splits = map[string]string{}
			}
			r.Splits[ins.StepID] = ins.Names[i]
			r.log(ins.StepID, "split", tx.now, ins.Names[i])
			pc = ins.Targets[i]
		case flows.OpDiscount:
			// Unique codes through the platforms' APIs come with the
			// flow-library issue; until then the step is recorded only.
			r.log(ins.StepID, "skipped", tx.now, "discount codes are not available yet")
			pc++
		case flows.OpUpdate:
			tx.update(r, ins)
			pc++
		case flows.OpWebhook:
			tx.webhook(r, p, ins, cursor)
			pc++
		case flows.OpExit:
			reason := "exit step"
			if ins.Exit != nil && ins.Exit.Reason != "" {
				reason = ins.Exit.Reason
			}
			tx.finish(r, RunExited, reason)
			return
		case flows.OpJump:
			pc = ins.Target
		default:
			tx.finish(r, RunExited, fmt.Sprintf("unknown instruction %d", ins.Op))
			return
		}
	}
	tx.finish(r, RunExited, "too many steps without a wait")
}

func (tx *txn) wait(r *Run, ins *flows.Instruction, cursor time.Time) {
	w := &RunWait{First: !r.sent(), Base: cursor}
	spec := ins.Wait
	switch {
	case spec.Event != "":
		w.Event = spec.Event
		if spec.Timeout > 0 {
			w.Due = cursor.Add(spec.Timeout.D())
		}
	case spec.Until != "":
		w.Due = nextTimeOfDay(cursor, spec.Until, tx.zone(spec.Zone))
	default:
		w.Due = cursor.Add(spec.For.D())
	}
	if !w.Due.IsZero() {
		// Timers keep milliseconds; the due time the run waits for must be
		// the one the timer reports.
		w.Due = w.Due.Truncate(time.Millisecond)
		w.TimerID = timerID(r.ID, r.PC)
		tx.schedule(r, w)
	}
	r.Wait = w
	r.log(ins.StepID, "wait", tx.now, w.Due.Format(time.RFC3339))
}

// zone resolves a wait's zone: customer (unknown yet: the shop's), shop, or
// an IANA name.
func (tx *txn) zone(z string) *time.Location {
	switch z {
	case "", "customer", "shop":
		return tx.shop.location()
	}
	if loc, err := time.LoadLocation(z); err == nil {
		return loc
	}
	return tx.shop.location()
}

// nextTimeOfDay is the first hh:mm in loc strictly after t.
func nextTimeOfDay(t time.Time, hhmm string, loc *time.Location) time.Time {
	h, m := 0, 0
	if hs, ms, ok := strings.Cut(hhmm, ":"); ok {
		h, _ = strconv.Atoi(hs)
		m, _ = strconv.Atoi(ms)
	}
	lt := t.In(loc)
	c := time.Date(lt.Year(), lt.Month(), lt.Day(), h, m, 0, 0, loc)
	if !c.After(lt) {
		c = time.Date(lt.Year(), lt.Month(), lt.Day()+1, h, m, 0, 0, loc)
	}
	return c.UTC()
}

func (r *Run) sent() bool {
	for _, s := range r.Steps {
		if s.Action == "send" {
			return true
		}
	}
	return false
}

func (tx *txn) send(r *Run, p *flows.Program, ins *flows.Instruction, cursor time.Time) {
	s := ins.Send
	cmd := SendCommand{
		ID: r.ID + ":" + ins.StepID, Shop: r.Shop, Flow: r.Flow, Version: r.Version, Run: r.ID,
		Step: ins.StepID, Customer: r.Customer, Channel: s.Channel, Template: s.Template,
		Category: s.Category, To: tx.address(r, s.Channel), Priority: p.Priority,
		DueAt: cursor, MaxLateness: p.MaxLateness, CreatedAt: tx.now, Event: r.Event,
	}
	tx.effects.Sends = append(tx.effects.Sends, cmd)
	r.log(ins.StepID, "send", tx.now, s.Channel+" "+s.Template)
}

// address picks the recipient: for email the trigger's email, else the
// profile's; for SMS the number given for SMS marketing, else the profile's.
func (tx *txn) address(r *Run, channel string) string {
	ev := tx.triggerMap(r)
	data, _ := ev["data"].(map[string]any)
	cust, _ := ev["customer"].(map[string]any)
	pick := func(vals ...any) string {
		for _, v := range vals {
			if s, ok := v.(string); ok && s != "" {
				return s
			}
		}
		return ""
	}
	if channel == event.ChannelSMS {
		return pick(data["sms_marketing_phone"], first(tx.profile.Phones), data["phone"], cust["phone"])
	}
	return pick(data["email"], cust["email"], first(tx.profile.Emails))
}

func (tx *txn) update(r *Run, ins *flows.Instruction) {
	if tx.profile.Props == nil {
		tx.profile.Props = map[string]any{}
	}
	for name, x := range ins.Set {
		v, err := x.Eval(tx.vars(r, tx.evMap()))
		if err != nil {
			r.log(ins.StepID, "update_failed", tx.now, name)
			continue
		}
		tx.profile.Props[name] = v
	}
	tx.profMap = nil
	r.log(ins.StepID, "update", tx.now, "")
}

func (tx *txn) webhook(r *Run, p *flows.Program, ins *flows.Instruction, cursor time.Time) {
	body := map[string]any{}
	for name, x := range ins.Body {
		if v, err := x.Eval(tx.vars(r, tx.evMap())); err == nil {
			body[name] = v
		}
	}
	cmd := SendCommand{
		ID: r.ID + ":" + ins.StepID, Shop: r.Shop, Flow: r.Flow, Version: r.Version, Run: r.ID,
		Step: ins.StepID, Customer: r.Customer, Channel: "webhook", URL: ins.Webhook.URL,
		Body: body, Priority: p.Priority, DueAt: cursor, CreatedAt: tx.now, Event: r.Event,
	}
	tx.effects.Sends = append(tx.effects.Sends, cmd)
	r.log(ins.StepID, "webhook", tx.now, ins.Webhook.URL)
}

// choose picks an index by weight, deterministically from seed.
func choose(seed string, weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	if total <= 0 {
		return 0
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(seed))
	n := int(h.Sum64() % uint64(total)) //nolint:gosec // total is a small positive sum of weights
	for i, w := range weights {
		if n < w {
			return i
		}
		n -= w
	}
	return len(weights) - 1
}

// TimerPayload is what a run's timer carries: a reference to the run, not
// its state.
func TimerPayload(shop, customer, run string) string {
	return shop + "|" + customer + "|" + run
}

// ParseTimerPayload splits a timer payload. The customer key sits in the
// middle, so it may itself contain '|'.
func ParseTimerPayload(p string) (shop, customer, run string, err error) {
	i, j := strings.Index(p, "|"), strings.LastIndex(p, "|")
	if i <= 0 || j <= i || j == len(p)-1 {
		return "", "", "", fmt.Errorf("%w: timer payload %q", ErrPermanent, p)
	}
	return p[:i], p[i+1 : j], p[j+1:], nil
}
