// Package send decides, for one send command, whether a message may go out
// now: marketing needs consent, a suppressed address never gets anything,
// stale marketing is skipped, smart sending keeps a customer from getting
// two marketing messages of equal or lower priority within the shop's
// window, and marketing SMS waits out the recipient's quiet hours. The
// decision is a pure function of the command, the customer's profile, what
// was sent to them and the clock (Check); the sender role around it claims
// the send ledger, renders and calls the provider.
package send
