package processor

import "errors"

// ErrPermanent marks an event that can never be processed (it is
// terminated, not retried).
var ErrPermanent = errors.New("permanent failure")

// ErrConflict is returned by StateStore.Commit when the customer's state
// changed since it was loaded; the engine reloads and tries again.
var ErrConflict = errors.New("state changed concurrently")
