package sendgrid

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Sentinel errors. Match them with errors.Is.
var (
	// ErrPermanent marks a send SendGrid refused for good (a 4xx other than
	// 429) or an Email that cannot be sent as it stands. Retrying cannot help.
	ErrPermanent = errors.New("sendgrid: permanent failure")
	// ErrTemporary marks a send that did not go through (429, 5xx or a
	// connection that never carried the request) and gave up within
	// MaxAttempts and MaxWait. Nothing was sent; retrying later is safe.
	ErrTemporary = errors.New("sendgrid: temporary failure")
	// ErrAmbiguous marks a send whose request may have reached SendGrid but
	// whose answer was lost (timeout, connection reset after the request was
	// written). SendGrid has no idempotency key, so retrying may deliver the
	// message twice: the caller decides.
	ErrAmbiguous = errors.New("sendgrid: outcome unknown")
	// ErrSignature marks an Event Webhook request whose signature or
	// timestamp does not verify.
	ErrSignature = errors.New("sendgrid: invalid event webhook signature")
	// ErrMalformed marks an Event Webhook body that is not a JSON array of
	// event objects.
	ErrMalformed = errors.New("sendgrid: malformed event webhook body")
)

// SendError is the error Send returns. It wraps one of ErrPermanent,
// ErrTemporary or ErrAmbiguous (Kind) and the underlying cause, if any.
type SendError struct {
	// Kind is ErrPermanent, ErrTemporary or ErrAmbiguous.
	Kind error
	// StatusCode is SendGrid's last HTTP status, 0 when none arrived.
	StatusCode int
	// Messages are SendGrid's error messages from the last answer, each
	// "field: message" when SendGrid named the field.
	Messages []string
	// Attempts is how many requests were made.
	Attempts int
	// RetryAfter, for ErrTemporary, is how long SendGrid asked to wait
	// (X-RateLimit-Reset) when that wait did not fit in MaxWait; 0 otherwise.
	RetryAfter time.Duration
	// Err is the underlying cause (a transport or validation error), if any.
	Err error
}

// Error describes the failure: kind, status, SendGrid's messages and cause.
func (e *SendError) Error() string {
	var b strings.Builder
	if e.Kind != nil {
		b.WriteString(e.Kind.Error())
	} else {
		b.WriteString("sendgrid: send failed")
	}
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, ": status %d", e.StatusCode)
	}
	if len(e.Messages) > 0 {
		b.WriteString(": ")
		b.WriteString(strings.Join(e.Messages, "; "))
	}
	if e.Attempts > 0 {
		fmt.Fprintf(&b, " (after %d attempt", e.Attempts)
		if e.Attempts > 1 {
			b.WriteString("s")
		}
		b.WriteString(")")
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, ", retry after %s", e.RetryAfter)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns Kind and Err, so errors.Is matches both.
func (e *SendError) Unwrap() []error {
	errs := make([]error, 0, 2)
	if e.Kind != nil {
		errs = append(errs, e.Kind)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}
