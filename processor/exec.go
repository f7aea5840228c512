package processor

import (
	"fmt"
	"hash/fnv"
	"net/url"
	"slices"
	"sort"
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
			tx.finish(r, RunDone, ReasonCompleted, "")
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
				r.log(ins.StepID, "skipped", tx.now, ReasonFilter)
				tx.note(Action{Action: ActionSkip, Flow: r.Flow, Run: r.ID, Step: ins.StepID, Reason: ReasonFilter, Send: tx.command(r, p, ins, cursor)})
				tx.finish(r, RunExited, ReasonFilter, "")
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
			if tx.e.cfg.Splits != nil {
				if arm, ok := tx.e.cfg.Splits.Winner(tx.ctx, r.Shop, r.Flow, ins.StepID); ok {
					if w := slices.Index(ins.Names, arm); w >= 0 {
						i = w // the test is decided: every new run takes the winner
					}
				}
			}
			if r.Splits == nil {
				r.Splits = map[string]string{}
			}
			r.Splits[ins.StepID] = ins.Names[i]
			r.log(ins.StepID, "split", tx.now, ins.Names[i])
			pc = ins.Targets[i]
		case flows.OpDiscount:
			tx.discount(r, p, ins, cursor)
			pc++
		case flows.OpUpdate:
			tx.update(r, ins)
			pc++
		case flows.OpWebhook:
			tx.webhook(r, p, ins, cursor)
			pc++
		case flows.OpExit:
			detail := ""
			if ins.Exit != nil {
				detail = ins.Exit.Reason
			}
			tx.finish(r, RunExited, ReasonExitStep, detail)
			return
		case flows.OpJump:
			pc = ins.Target
		default:
			tx.finish(r, RunExited, ReasonFlowGone, fmt.Sprintf("unknown instruction %d", ins.Op))
			return
		}
	}
	tx.finish(r, RunExited, ReasonLoop, "too many steps without a wait")
}

func (tx *txn) wait(r *Run, ins *flows.Instruction, cursor time.Time) {
	w := &RunWait{First: !r.sent(), Base: cursor}
	spec := ins.Wait
	p := tx.program(r)
	switch {
	case spec.Event != "":
		w.Event = spec.Event
		if d := tx.duration(p, spec.Timeout, spec.TimeoutParam); d > 0 {
			w.Due = cursor.Add(d)
		}
	case spec.Until != "":
		w.Due = nextTimeOfDay(cursor, spec.Until, tx.zone(spec.Zone))
	default:
		w.Due = cursor.Add(tx.duration(p, spec.For, spec.ForParam))
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
	if loc, err := event.LoadLocation(z); err == nil {
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

// duration is a wait's duration: the parameter it names (a shop's
// override or the default), else its literal. A parameter that does not
// read as a duration falls back to the flow's default.
func (tx *txn) duration(p *flows.Program, lit flows.Duration, param string) time.Duration {
	if param == "" || p == nil {
		return lit.D()
	}
	if d, err := flows.ParamDuration(tx.paramsOf(p)[param]); err == nil {
		return d
	}
	d, _ := flows.ParamDuration(p.Flow.Params[param])
	return d
}

// command builds a send step's command.
func (tx *txn) command(r *Run, p *flows.Program, ins *flows.Instruction, cursor time.Time) *SendCommand {
	s := ins.Send
	cmd := &SendCommand{
		ID: r.ID + ":" + ins.StepID, Shop: r.Shop, Flow: r.Flow, Version: r.Version, Run: r.ID,
		Step: ins.StepID, Customer: r.Customer, Channel: s.Channel, Template: s.Template,
		Category: s.Category, To: tx.address(r, s.Channel), Priority: p.Priority,
		DueAt: cursor, MaxLateness: p.MaxLateness, CreatedAt: tx.now, Event: r.Event,
		Split: splitArm(r), NoSmartSending: s.SmartSending != nil && !*s.SmartSending,
	}
	if params := tx.paramsOf(p); len(params) > 0 {
		cmd.Params = params
	}
	if d, ok := r.Discounts[r.LastDiscount]; ok {
		cmd.Discount = &d
	}
	return cmd
}

func (tx *txn) send(r *Run, p *flows.Program, ins *flows.Instruction, cursor time.Time) {
	cmd := tx.command(r, p, ins, cursor)
	if ins.Products != nil {
		cmd.Products = tx.products(r, ins.Products)
		if len(cmd.Products) == 0 {
			r.log(ins.StepID, "skipped", tx.now, ReasonNoRecommendation)
			tx.note(Action{Action: ActionSkip, Flow: r.Flow, Run: r.ID, Step: ins.StepID, Reason: ReasonNoRecommendation, Send: cmd})
			return
		}
	}
	tx.effects.Sends = append(tx.effects.Sends, *cmd)
	r.log(ins.StepID, "send", tx.now, cmd.Channel+" "+cmd.Template)
	tx.note(Action{Action: ActionSendCmd, Flow: r.Flow, Run: r.ID, Step: ins.StepID, Send: cmd})
}

// splitArm names the arms the run took, "step=arm" joined by commas, for
// attribution per arm.
func splitArm(r *Run) string {
	if len(r.Splits) == 0 {
		return ""
	}
	parts := make([]string, 0, len(r.Splits))
	for step, arm := range r.Splits {
		parts = append(parts, step+"="+arm)
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
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
	names := make([]string, 0, len(ins.Set))
	for name := range ins.Set {
		names = append(names, name)
	}
	sort.Strings(names)
	tx.note(Action{Action: ActionUpdate, Flow: r.Flow, Run: r.ID, Step: ins.StepID, Detail: strings.Join(names, ",")})
}

func (tx *txn) webhook(r *Run, p *flows.Program, ins *flows.Instruction, cursor time.Time) {
	body := map[string]any{}
	for name, x := range ins.Body {
		if v, err := x.Eval(tx.vars(r, tx.evMap())); err == nil {
			body[name] = v
		}
	}
	target := ins.Webhook.URL
	if ins.Webhook.URLParam != "" {
		target, _ = tx.paramsOf(p)[ins.Webhook.URLParam].(string)
		if !flows.WebhookURLOK(target) {
			r.log(ins.StepID, "skipped", tx.now, "no webhook url")
			tx.note(Action{Action: ActionSkip, Flow: r.Flow, Run: r.ID, Step: ins.StepID, Reason: ReasonNoWebhookURL})
			return
		}
	}
	cmd := SendCommand{
		ID: r.ID + ":" + ins.StepID, Shop: r.Shop, Flow: r.Flow, Version: r.Version, Run: r.ID,
		Step: ins.StepID, Customer: r.Customer, Channel: "webhook", URL: target,
		Body: body, Priority: p.Priority, DueAt: cursor, CreatedAt: tx.now, Event: r.Event,
	}
	tx.effects.Sends = append(tx.effects.Sends, cmd)
	// Hook URLs carry credentials (Zapier's path is the key): logs and
	// explain show the host only.
	host := target
	if u, err := url.Parse(target); err == nil {
		host = u.Host
	}
	r.log(ins.StepID, "webhook", tx.now, host)
	tx.note(Action{Action: ActionWebhook, Flow: r.Flow, Run: r.ID, Step: ins.StepID, Detail: host, Send: &cmd})
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
