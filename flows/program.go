package flows

import "time"

// Program is a flow compiled for execution: conditions compiled to CEL, the
// step tree flattened into instructions with jumps, so a run's position is
// one integer (its pc) that stays valid for the flow version it is pinned to.
// Compile builds it; a Program is immutable and safe for concurrent use.
type Program struct {
	// Flow is the source.
	Flow *Flow
	// Trigger starts runs: Event is the event type, If its condition (nil:
	// always true). For a flow with several triggers it is the first; the
	// programs Set.Triggered returns carry the one for the event asked
	// about.
	Trigger Cond
	// Triggers is every trigger, Trigger first. Each names a different
	// event type.
	Triggers []Cond
	// Key gives the run key (a string); nil means the customer.
	Key Expr
	// ExitOn ends runs.
	ExitOn []Cond
	// Filter is re-checked before every send; nil means true.
	Filter Expr
	// Reentry says when a run may start again for the same key.
	Reentry Reentry
	// Priority orders competing marketing (higher first).
	Priority int
	// MaxLateness: a marketing send later than this is skipped as stale.
	MaxLateness time.Duration
	// Code is the flattened steps. Execution starts at 0 and ends when the
	// pc passes the end or reaches OpExit.
	Code []Instruction

	// pcs maps each StepID to its pc (set by Compile).
	pcs map[string]int
}

// PC returns the pc of the instruction whose StepID is id.
func (p *Program) PC(stepID string) (int, bool) {
	if p.pcs != nil {
		pc, ok := p.pcs[stepID]
		return pc, ok
	}
	for pc := range p.Code {
		if p.Code[pc].StepID == stepID {
			return pc, true
		}
	}
	return 0, false
}

// TriggerFor returns the trigger naming eventType.
func (p *Program) TriggerFor(eventType string) (Cond, bool) {
	for _, c := range p.Triggers {
		if c.Event == eventType {
			return c, true
		}
	}
	if len(p.Triggers) == 0 && p.Trigger.Event == eventType {
		return p.Trigger, true
	}
	return Cond{}, false
}

// Cond is an event type with an optional compiled condition.
type Cond struct {
	Event string
	If    Expr // nil: true
}

// Reentry kinds.
const (
	ReentryOnce    = "once"
	ReentryAlways  = "always"
	ReentryOncePer = "once_per"
)

// Reentry is a flow's reentry rule. Every is set for ReentryOncePer.
type Reentry struct {
	Kind  string
	Every time.Duration
}

// Op is an instruction's operation.
type Op int

// The operations.
const (
	// OpWait pauses: Wait says for how long, until when, or for which event.
	OpWait Op = iota + 1
	// OpSend emits a send command (Send).
	OpSend
	// OpBranch evaluates Cond: true falls through to pc+1, false jumps to
	// Target.
	OpBranch
	// OpSplit picks one of Targets by Weights, deterministically per run.
	OpSplit
	// OpDiscount creates a discount code (Discount).
	OpDiscount
	// OpUpdate sets profile properties (Set).
	OpUpdate
	// OpWebhook posts to a URL (Webhook, Body).
	OpWebhook
	// OpExit ends the run (Exit).
	OpExit
	// OpJump continues at Target (the end of a branch's then-arm, or of a
	// split path).
	OpJump
)

// Instruction is one step of a Program.
type Instruction struct {
	Op Op
	// StepID is the step's id, or its position path ("steps[3].then[0]").
	StepID string
	// Line is the step's line in its file.
	Line int

	Wait *Wait
	// WaitIf is the compiled condition of an event wait (nil: any event of
	// the type).
	WaitIf Expr
	Send   *Send
	// Cond is OpBranch's condition.
	Cond Expr
	// Target is the jump target of OpBranch (when false) and OpJump.
	Target int
	// Targets, Weights and Names describe OpSplit's paths.
	Targets  []int
	Weights  []int
	Names    []string
	Discount *Discount
	// Update is OpUpdate's step; Set holds its compiled property
	// expressions.
	Update  *Update
	Set     map[string]Expr
	Webhook *Webhook
	// Products is the compiled products expression of OpSend or
	// OpDiscount (nil: none).
	Products Expr
	// Body holds OpWebhook's compiled body expressions.
	Body map[string]Expr
	Exit *Exit
}

// Expr is a compiled CEL expression. Vars holds the variables flows see:
// "event", "profile", "run", "shop", "params" (each a map[string]any
// decoded from JSON, with times as time.Time) and "now" (a time.Time). Implementations
// are safe for concurrent use.
type Expr interface {
	// Eval evaluates the expression to a Go value (bool, string, int64,
	// float64, time.Time, []any, map[string]any or nil).
	Eval(vars map[string]any) (any, error)
	// Bool evaluates a condition; a non-bool result is an error.
	Bool(vars map[string]any) (bool, error)
	// String is the expression's source.
	String() string
}
