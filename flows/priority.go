package flows

import "github.com/boomerang-dev/boomerang/flows/event"

// The built-in priorities. A flow's priority orders competing marketing:
// the smart-sending window counts only messages of equal or higher
// priority, so a welcome email never holds back an abandonment reminder.
const (
	PriorityTransactional = 100
	PriorityAbandonment   = 50
	PriorityBrowse        = 40
	PriorityPostPurchase  = 30
	PriorityWelcome       = 20
	PriorityWinBack       = 10
)

// triggerPriority is the default priority by trigger event type.
var triggerPriority = map[event.Type]int{
	event.CheckoutUpdated:   PriorityAbandonment,
	event.CartUpdated:       PriorityAbandonment,
	event.CartAbandoned:     PriorityAbandonment,
	event.CartItemAdded:     PriorityAbandonment,
	event.ProductViewed:     PriorityBrowse,
	event.OrderPlaced:       PriorityPostPurchase,
	event.OrderPaid:         PriorityPostPurchase,
	event.OrderUpdated:      PriorityPostPurchase,
	event.OrderFulfilled:    PriorityPostPurchase,
	event.OrderCancelled:    PriorityPostPurchase,
	event.ShipmentUpdated:   PriorityPostPurchase,
	event.FeedbackSubmitted: PriorityPostPurchase,
	event.SurveySubmitted:   PriorityPostPurchase,
	event.CustomerCreated:   PriorityWelcome,
	event.CustomerUpdated:   PriorityWelcome,
	event.ConsentUpdated:    PriorityWelcome,
}

// DefaultPriority is the priority of a flow that sets none:
//   - 100 when every send is transactional (order and shipping
//     confirmations), whatever the trigger;
//   - else by trigger: abandonment 50 (checkout.updated, cart.updated,
//     cart.abandoned, cart.item_added), browse abandonment 40
//     (product.viewed), post-purchase 30 (order.*, shipment.updated,
//     feedback.submitted, survey.submitted), welcome 20 (customer.created,
//     customer.updated, consent.updated), and win-back 10 for every other
//     trigger (prediction.updated, date.reached, ...);
//   - with several triggers, the highest of theirs.
func DefaultPriority(f *Flow) int {
	if transactionalOnly(f.Steps) == allTransactional {
		return PriorityTransactional
	}
	best := 0
	for _, t := range f.Triggers() {
		p, ok := triggerPriority[event.Type(t.Event)]
		if !ok {
			p = PriorityWinBack
		}
		best = max(best, p)
	}
	return best
}

// sends summarises the categories of a flow's sends.
type sends int

const (
	noSends          sends = iota // no send at all
	allTransactional              // every send is transactional
	someMarketing                 // at least one send is marketing
)

// transactionalOnly summarises the sends in steps, nested ones too.
func transactionalOnly(steps []Step) sends {
	out := noSends
	merge := func(t sends) { out = max(out, t) }
	for _, s := range steps {
		switch {
		case s.Send != nil:
			if s.Send.Category == CategoryTransactional {
				merge(allTransactional)
			} else {
				merge(someMarketing)
			}
		case s.Branch != nil:
			merge(transactionalOnly(s.Branch.Then))
			merge(transactionalOnly(s.Branch.Else))
		case s.Split != nil:
			for _, p := range s.Split.Paths {
				merge(transactionalOnly(p.Steps))
			}
		}
	}
	return out
}
