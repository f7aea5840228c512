package processor

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"
)

// Run statuses.
const (
	RunActive = "active"
	RunDone   = "done"
	RunExited = "exited"
)

// Run is one customer's pass through one flow, pinned to the flow version it
// started on. docs/processor.md draws its state machine.
type Run struct {
	// ID is unique per run instance: the flow, the key and the start time.
	ID       string `json:"id"`
	Flow     string `json:"flow"`
	Version  int    `json:"version"`
	Key      string `json:"key"`
	Shop     string `json:"shop"`
	Customer string `json:"customer"`
	Status   string `json:"status"`
	// PC is the index of the next instruction in the flow's program.
	PC int `json:"pc"`
	// StartedAt is the trigger event's occurred_at: waits start from it.
	StartedAt time.Time `json:"started_at"`
	// TriggerAt is the occurred_at of the newest trigger event applied; an
	// older one is ignored, a newer one re-arms the first wait.
	TriggerAt time.Time `json:"trigger_at"`
	// Event is the newest trigger event (JSON), what templates render.
	Event json.RawMessage `json:"event"`
	// Wait is set while the run waits.
	Wait *RunWait `json:"wait,omitempty"`
	// WaitedEvent is the event an event-wait received, null after its
	// timeout.
	WaitedEvent json.RawMessage `json:"waited_event,omitempty"`
	// Splits records the path each split step chose.
	Splits map[string]string `json:"splits,omitempty"`
	// Steps logs what the run did, oldest first (bounded).
	Steps []StepLog `json:"steps,omitempty"`
	// ExitReason is a word of the reason vocabulary (action.go);
	// ExitDetail says more (the event type that ended the run).
	ExitReason string `json:"exit_reason,omitempty"`
	ExitDetail string `json:"exit_detail,omitempty"`
	// Discounts are the codes the run's discount steps made, by step id;
	// LastDiscount names the newest, the one later messages show.
	Discounts    map[string]Discount `json:"discounts,omitempty"`
	LastDiscount string              `json:"last_discount,omitempty"`
	EndedAt      time.Time           `json:"ended_at,omitzero"`
}

// RunWait is what a waiting run waits for.
type RunWait struct {
	// TimerID is the timer that ends the wait (a duration, a time of day,
	// or an event wait's timeout); empty for an event wait without timeout.
	TimerID string    `json:"timer_id,omitempty"`
	Due     time.Time `json:"due,omitzero"`
	// Event is the event type an event-wait waits for.
	Event string `json:"event,omitempty"`
	// First marks the run's first wait before any send: a newer trigger
	// event re-arms it.
	First bool `json:"first,omitempty"`
	// Base is the time a duration wait counts from.
	Base time.Time `json:"base,omitzero"`
}

// StepLog is one thing a run did.
type StepLog struct {
	Step   string    `json:"step"`
	Action string    `json:"action"`
	At     time.Time `json:"at"`
	Detail string    `json:"detail,omitempty"`
}

// maxStepLog bounds a run's log.
const maxStepLog = 50

func (r *Run) log(step, action string, at time.Time, detail string) {
	r.Steps = append(r.Steps, StepLog{Step: step, Action: action, At: at, Detail: detail})
	if len(r.Steps) > maxStepLog {
		r.Steps = r.Steps[len(r.Steps)-maxStepLog:]
	}
}

// runID builds a run's id from its flow, key and start time.
func runID(flow, key string, started time.Time) string {
	h := sha256.Sum256([]byte(flow + "\x00" + key))
	return flow + "-" + hex.EncodeToString(h[:6]) + "-" + strconv.FormatInt(started.UnixMilli(), 36)
}

// reentryKey names a flow and run key in the reentry markers.
func reentryKey(flow, key string) string { return flow + "|" + key }

// timerID names the timer of a run's wait at pc.
func timerID(run string, pc int) string { return run + ":" + strconv.Itoa(pc) }
