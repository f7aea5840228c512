package processor

import "time"

// Actions a run takes, as replay prints them and explain shows them.
const (
	ActionStart    = "start"
	ActionSkip     = "skip"
	ActionExit     = "exit"
	ActionDiscount = "discount"
	ActionWebhook  = "webhook"
	ActionUpdate   = "update"
	// ActionSendCmd is a send step handing its message to the senders,
	// whose checks then decide send, skip or defer.
	ActionSendCmd = "send_command"
)

// Reasons: the one vocabulary for why a run ended or a message was not
// sent (docs/flows.md). The senders add consent, unsubscribed, suppressed,
// smart_sending, quiet_hours and stale.
const (
	ReasonCompleted        = "completed"
	ReasonExitOn           = "exit_on"
	ReasonFilter           = "filter"
	ReasonReentry          = "reentry"
	ReasonNoRecommendation = "no_recommendation"
	ReasonExitStep         = "exit_step"
	ReasonFlowGone         = "flow_gone"
	ReasonLoop             = "loop"
	ReasonShopUninstalled  = "uninstalled"
	// ReasonNoWebhookURL: a webhook step whose $param URL the shop left
	// empty.
	ReasonNoWebhookURL = "no_webhook_url"
)

// Action is one thing a run did, reported to Config.Observe after the
// customer's state committed.
type Action struct {
	// At is the engine's clock when it happened.
	At       time.Time
	Action   string
	Shop     string
	Customer string
	Flow     string
	Run      string
	Step     string
	Reason   string
	// Detail is free text: the event that ended a run, a discount code, a
	// webhook's URL, the properties an update set.
	Detail string
	// Send is the command of an ActionSendCmd.
	Send *SendCommand
}

// note records an action for the observer.
func (tx *txn) note(a Action) {
	if tx.e.cfg.Observe == nil {
		return
	}
	a.At, a.Shop, a.Customer = tx.now, tx.ev.Shop, tx.cust
	tx.actions = append(tx.actions, a)
}
