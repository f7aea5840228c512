package webhookout

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Sentinel errors of Deliver, matched with errors.Is.
var (
	// ErrPermanent marks a delivery the receiver refused for good (a 4xx
	// other than 408 and 429, or a 3xx: redirects are not followed) or one
	// that cannot be sent as it stands (a URL that is not absolute http or
	// https, no id, no secret, a body that is not JSON). Do not retry.
	ErrPermanent = errors.New("webhookout: permanent failure")
	// ErrTemporary marks a delivery whose last attempt failed in a way worth
	// retrying later (a network error, a timeout, 408, 429, 5xx, or ctx
	// ending between attempts). Retry with the same Delivery.ID: the
	// receiver may have acted on an attempt whose answer was lost.
	ErrTemporary = errors.New("webhookout: temporary failure")
)

// Error is the error Deliver returns, matched with errors.As. It wraps
// ErrPermanent or ErrTemporary and the underlying cause, if any.
type Error struct {
	// ID is the delivery's id.
	ID string
	// Host is the URL's host (name and port as written), "" when the URL
	// did not parse. The path and query are never kept: hook URLs are
	// credentials.
	Host string
	// Status is the last HTTP status, 0 when no answer arrived.
	Status int
	// Attempts is how many requests were made.
	Attempts int
	// RetryAfter is the last answer's Retry-After (429 or 503), 0 without
	// one. RetryAfter(err) reads it.
	RetryAfter time.Duration

	kind   error  // ErrPermanent or ErrTemporary
	detail string // what went wrong beyond the status
	err    error  // the cause: a transport or context error
}

// Error reads "webhook to <host>: <status>[: detail][: cause] (<kind>, N
// attempts)", e.g. "webhook to hooks.zapier.com: 503 Service Unavailable
// (temporary failure, 3 attempts)".
func (e *Error) Error() string {
	var b strings.Builder
	if e.Host != "" {
		b.WriteString("webhook to " + e.Host)
	} else {
		fmt.Fprintf(&b, "webhook %q", e.ID)
	}
	if s := summary(e.Status, e.detail, e.err); s != "" {
		b.WriteString(": " + s)
	}
	kind := "failure"
	if e.kind != nil {
		kind = strings.TrimPrefix(e.kind.Error(), "webhookout: ")
	}
	fmt.Fprintf(&b, " (%s", kind)
	switch e.Attempts {
	case 0:
	case 1:
		b.WriteString(", 1 attempt")
	default:
		fmt.Fprintf(&b, ", %d attempts", e.Attempts)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, ", retry after %s", e.RetryAfter)
	}
	b.WriteString(")")
	return b.String()
}

// Unwrap returns the kind and the cause, so errors.Is matches both.
func (e *Error) Unwrap() []error {
	errs := make([]error, 0, 2)
	if e.kind != nil {
		errs = append(errs, e.kind)
	}
	if e.err != nil {
		errs = append(errs, e.err)
	}
	return errs
}

// RetryAfter reports the Retry-After of the last answer behind err (a 429 or
// 503 from Deliver), so the caller can delay its own retry that long. It is
// (0, false) for any other error.
func RetryAfter(err error) (time.Duration, bool) {
	if e, ok := errors.AsType[*Error](err); ok && e.RetryAfter > 0 {
		return e.RetryAfter, true
	}
	return 0, false
}

// summary joins what is known of a failure: "503 Service Unavailable",
// "request failed: dial tcp …", "307 Temporary Redirect: redirect to … not
// followed …".
func summary(status int, detail string, err error) string {
	parts := make([]string, 0, 3)
	if status != 0 {
		parts = append(parts, statusText(status))
	}
	if detail != "" {
		parts = append(parts, detail)
	}
	if err != nil {
		parts = append(parts, err.Error())
	}
	return strings.Join(parts, ": ")
}

// statusText is "503 Service Unavailable", built from the code: the
// receiver's own reason phrase is not repeated.
func statusText(code int) string {
	if t := http.StatusText(code); t != "" {
		return fmt.Sprintf("%d %s", code, t)
	}
	return fmt.Sprintf("status %d", code)
}
