package twilio

import "fmt"

// Twilio error codes the client acts on.
const (
	// CodeTooManyRequests is 20429: the account's REST concurrency limit was
	// exceeded; the request was not processed and is safe to retry.
	CodeTooManyRequests = 20429
	// CodeUnsubscribed is 21610: the recipient replied STOP to this sender.
	CodeUnsubscribed = 21610
	// CodeInvalidTo is 21211: the 'To' number is not valid.
	CodeInvalidTo = 21211
	// CodeNotMobile is 21614: the 'To' number is not a mobile number.
	CodeNotMobile = 21614
)

// kind is a sentinel error that may have a parent sentinel, so that
// errors.Is(ErrUnsubscribed, ErrPermanent) holds.
type kind struct {
	msg    string
	parent error
}

func (k *kind) Error() string { return k.msg }
func (k *kind) Unwrap() error { return k.parent }

// Sentinel errors of Send, matched with errors.Is.
var (
	// ErrPermanent marks a message Twilio refused and will refuse again
	// (a 4xx other than 429, or an SMS the client cannot send). Do not retry.
	ErrPermanent error = &kind{msg: "twilio: permanent failure"}
	// ErrUnsubscribed marks error 21610: the recipient opted out with STOP.
	// Suppress the number for this sender. It is also ErrPermanent.
	ErrUnsubscribed error = &kind{msg: "twilio: recipient unsubscribed", parent: ErrPermanent}
	// ErrInvalidNumber marks errors 21211 and 21614: the number cannot take
	// SMS. Suppress it. It is also ErrPermanent.
	ErrInvalidNumber error = &kind{msg: "twilio: invalid number", parent: ErrPermanent}
	// ErrTemporary marks a message that failed with retryable answers (429,
	// 5xx, a connection that never carried the request) on every attempt.
	// Nothing was sent; retry later.
	ErrTemporary error = &kind{msg: "twilio: temporary failure"}
	// ErrAmbiguous marks a transport failure after the request may have
	// reached Twilio (a timeout, a connection reset, a cancelled context
	// mid-request). The message may or may not have been created, and
	// Twilio has no idempotency key, so the client does not retry.
	ErrAmbiguous error = &kind{msg: "twilio: outcome unknown"}
)

// Error is an error answer from Twilio's API, matched with errors.As. It is
// always wrapped together with one of the sentinel errors.
type Error struct {
	// Status is the HTTP status code.
	Status int
	// Code is Twilio's error code (https://www.twilio.com/docs/errors/{code}),
	// zero when the body carried none.
	Code int
	// Message is Twilio's error message.
	Message string
}

// Error implements error.
func (e *Error) Error() string {
	if e.Code == 0 {
		return fmt.Sprintf("twilio: HTTP %d: %s", e.Status, e.Message)
	}
	return fmt.Sprintf("twilio: HTTP %d, error %d: %s", e.Status, e.Code, e.Message)
}

// retryable reports whether Twilio did not process the request and asks
// for it again later: 429 / 20429 and 5xx.
func (e *Error) retryable() bool {
	return e.Status == 429 || e.Code == CodeTooManyRequests || e.Status >= 500
}

// sentinel returns the sentinel error an answer that is not retried maps to.
func (e *Error) sentinel() error {
	switch e.Code {
	case CodeUnsubscribed:
		return ErrUnsubscribed
	case CodeInvalidTo, CodeNotMobile:
		return ErrInvalidNumber
	}
	return ErrPermanent
}
