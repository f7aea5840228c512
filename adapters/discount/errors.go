package discount

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Sentinel errors. Match them with errors.Is.
var (
	// ErrTemporary marks a failure that may pass: the platform was
	// unreachable, rate limited the call (429, Shopify THROTTLED) or failed
	// (5xx). Nothing is known to have been created; retrying Ensure is safe
	// because it looks the code up first. RetryAfter tells how long the
	// platform asked to wait.
	ErrTemporary = errors.New("discount: temporary failure")
	// ErrPermanent marks a failure retrying cannot fix: an invalid Code, or
	// the platform refused the request (401, 403, 404, 400, 422, a user error
	// other than "code already exists"), redirected it or answered with a
	// body its API does not document.
	ErrPermanent = errors.New("discount: permanent failure")
	// ErrMalformed marks an answer whose body is not what the platform's API
	// documents. Errors wrapping it wrap ErrPermanent too.
	ErrMalformed = errors.New("discount: malformed answer")
)

// Platform names, as Error.Platform reports them.
const (
	PlatformShopify     = "shopify"
	PlatformBigCommerce = "bigcommerce"
	PlatformWooCommerce = "woocommerce"
)

// Error is the error Ensure returns. It wraps Kind (ErrTemporary or
// ErrPermanent) and the cause, if any. It never holds credentials.
type Error struct {
	// Kind is ErrTemporary or ErrPermanent.
	Kind error
	// Platform is PlatformShopify, PlatformBigCommerce or PlatformWooCommerce.
	Platform string
	// Op is what failed: "validate", "lookup" or "create".
	Op string
	// Code is the discount code Ensure was asked for.
	Code string
	// StatusCode is the platform's HTTP status, 0 when none arrived.
	StatusCode int
	// Messages are the platform's error messages (GraphQL errors and user
	// errors, REST error messages), each prefixed by its code when it has one.
	Messages []string
	// RetryAfter, for ErrTemporary, is the wait the platform asked for; 0
	// when it named none.
	RetryAfter time.Duration
	// Err is the underlying cause (transport, decoding, validation), if any.
	Err error
}

// Error describes the failure: kind, platform, operation, code, status,
// the platform's messages and the cause.
func (e *Error) Error() string {
	var b strings.Builder
	if e.Kind != nil {
		b.WriteString(e.Kind.Error())
	} else {
		b.WriteString("discount: failure")
	}
	fmt.Fprintf(&b, ": %s %s %q", e.Platform, e.Op, e.Code)
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, ": status %d", e.StatusCode)
	}
	if len(e.Messages) > 0 {
		b.WriteString(": ")
		b.WriteString(strings.Join(e.Messages, "; "))
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns Kind and Err, so errors.Is matches both.
func (e *Error) Unwrap() []error {
	errs := make([]error, 0, 2)
	if e.Kind != nil {
		errs = append(errs, e.Kind)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// RetryAfter returns how long the platform asked the caller to wait before
// retrying, when err is (or wraps) an *Error with that wait; 0 otherwise.
func RetryAfter(err error) time.Duration {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.RetryAfter
	}
	return 0
}

// maxMessages and maxMessageLen bound what an error keeps of an answer.
const (
	maxMessages   = 5
	maxMessageLen = 200
)

// clip shortens s to maxMessageLen bytes, on a rune boundary.
func clip(s string) string {
	s = strings.TrimSpace(s)
	if len(s) <= maxMessageLen {
		return s
	}
	cut := maxMessageLen
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// addMessage appends a clipped message when there is room.
func addMessage(msgs []string, m string) []string {
	m = clip(m)
	if m == "" || len(msgs) >= maxMessages {
		return msgs
	}
	return append(msgs, m)
}

// malformed returns a cause wrapping ErrMalformed.
func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
}
