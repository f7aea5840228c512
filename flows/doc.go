// Package flows is Boomerang's flow language: the types of a flow file,
// loading from YAML with line numbers, validation, CEL conditions, the
// compiled form the processor executes, and the built-in library embedded in
// the binary. docs/flows.md is the reference.
//
// The path of a flow, from file to processor:
//
//	Parse / ParseFile / LoadDir / Library / Load   YAML → *Flow, []Error (file:line: message)
//	Validate                                      every mistake in a *Flow
//	Compile                                       *Flow → *Program (CEL compiled, steps flattened)
//	NewSet                                        programs indexed by the event types they react to
//
// Expressions see the variables event, profile, run, shop (maps decoded
// from JSON, times as time.Time) and now, plus profile.orders_since(t).
// Compiled expressions and programs are immutable and safe for concurrent
// use.
package flows
