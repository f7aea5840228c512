package processor

import (
	"context"

	"github.com/boomerang-dev/boomerang/flows/event"
)

// Handler handles one event. Returning nil acknowledges it; an error
// wrapping ErrPermanent terminates it; any other error retries it later.
type Handler interface {
	Handle(ctx context.Context, ev *event.Event) error
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, ev *event.Event) error

// Handle calls f.
func (f HandlerFunc) Handle(ctx context.Context, ev *event.Event) error { return f(ctx, ev) }

// Middleware wraps a Handler.
type Middleware func(Handler) Handler
