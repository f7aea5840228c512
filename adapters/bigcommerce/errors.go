package bigcommerce

import (
	"errors"
	"fmt"
	"time"
)

// ErrPermanent marks a notification that can never be resolved: the
// resource is gone (404), the API refuses the request (another 4xx), or the
// answer or the notification is not what the API documents. The worker logs
// the error and drops the message.
var ErrPermanent = errors.New("bigcommerce: permanent failure")

// RetryAfterError says the store's API is rate limiting and the
// notification should be retried after After. Resolve returns it once the
// waits it would take in process exceed FetcherConfig.MaxWait. Match it with
// errors.As.
type RetryAfterError struct {
	// After is how long to wait before retrying, as the API gave it.
	After time.Duration
}

// Error implements error.
func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("bigcommerce: rate limited, retry after %s", e.After)
}

// statusError is an API answer with an unexpected status. 4xx answers wrap
// ErrPermanent; 5xx answers wrap nothing and are retried.
type statusError struct {
	path string
	code int
}

// Error implements error.
func (e *statusError) Error() string {
	return fmt.Sprintf("bigcommerce: GET %s: status %d", e.path, e.code)
}

// Unwrap returns ErrPermanent for 4xx answers.
func (e *statusError) Unwrap() error {
	if e.code >= 400 && e.code < 500 {
		return ErrPermanent
	}
	return nil
}

// isNotFound reports whether err is a 404 answer.
func isNotFound(err error) bool {
	var se *statusError
	return errors.As(err, &se) && se.code == 404
}

// permanentf returns an error wrapping ErrPermanent.
func permanentf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrPermanent}, args...)...)
}
