// Package processor is Boomerang's engine. Given one canonical event and the
// customer's state, it decides: it updates the profile, starts runs whose
// trigger matches, ends runs whose exit_on matches, advances runs through
// their steps, schedules timers and emits send commands. It holds no state
// between events: the state lives behind the small interfaces in store.go
// (Redis in production, see adapters/redis), so any number of replicas can
// consume one JetStream consumer.
//
// Exactly one effect per event: the customer's state and the event's
// idempotency record are written in one atomic commit guarded by a version
// (compare and set); a duplicate, however late, finds the record and only
// re-issues the effects the first delivery recorded (send commands are
// deduplicated by their message id downstream, timers are upserts), which
// also repairs a crash between the commit and those effects.
//
// Order does not matter: events of the types that end runs (exit_on) are
// remembered per customer, so an order that arrived before its checkout
// update still prevents the abandonment run; a newer checkout update re-arms a
// run's first wait and an older one is ignored.
//
// See docs/processor.md for the run state machine.
package processor
