package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/boomerang-dev/boomerang/adapters/bigcommerce"
	"github.com/boomerang-dev/boomerang/adapters/jetstream"
	"github.com/boomerang-dev/boomerang/adapters/shop"
)

// retryAfterError adapts bigcommerce's rate-limit answer to the worker's
// RetryAfter contract.
type retryAfterError struct{ err *bigcommerce.RetryAfterError }

func (r retryAfterError) Error() string             { return r.err.Error() }
func (r retryAfterError) Unwrap() error             { return r.err }
func (r retryAfterError) RetryAfter() time.Duration { return r.err.After }

// bigcommerceFetch is the FETCH worker's handler for BigCommerce: it turns
// a verified thin notification into canonical events through the store's
// API and publishes them to EVENTS (each with its deterministic id, so a
// redelivered notification adds nothing).
func bigcommerceFetch(shops *shop.Registry, f *bigcommerce.Fetcher, pub *jetstream.Publisher) jetstream.Handler {
	return func(ctx context.Context, _ string, data []byte) error {
		var n bigcommerce.Notification
		if err := json.Unmarshal(data, &n); err != nil {
			return fmt.Errorf("%w: decoding notification: %w", jetstream.ErrPermanent, err)
		}
		s, ok := shops.Get(n.Shop)
		if !ok {
			return fmt.Errorf("%w: shop %q is not configured", jetstream.ErrPermanent, n.Shop)
		}
		evs, err := f.Resolve(ctx, s, &n)
		var ra *bigcommerce.RetryAfterError
		switch {
		case errors.As(err, &ra):
			return retryAfterError{ra}
		case errors.Is(err, bigcommerce.ErrPermanent):
			return fmt.Errorf("%w: %w", jetstream.ErrPermanent, err)
		case err != nil:
			return err
		}
		for _, ev := range evs {
			b, err := json.Marshal(ev)
			if err != nil {
				return fmt.Errorf("%w: encoding %s: %w", jetstream.ErrPermanent, ev.Type, err)
			}
			if _, err := pub.Publish(ctx, ev.Subject(), ev.MsgID(), b); err != nil {
				return err
			}
		}
		return nil
	}
}
