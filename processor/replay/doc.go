// Package replay runs canonical events through the processor on a virtual
// clock: the engine and the senders' checks are the ones serve runs, the
// timers are the driver's own queue (the timer store's due times come from
// Redis's clock, which a replay cannot move), and nothing is sent. It prints
// one Line per action in virtual-time order. `boomerang replay` wires it.
package replay
