package discount

import (
	"context"
	"errors"

	"go.uber.org/zap"
)

// Operations, as Error.Op reports them.
const (
	opValidate = "validate"
	opLookup   = "lookup"
	opCreate   = "create"
)

// backend is one platform's two calls.
type backend interface {
	// lookup reports whether c.Code exists on the platform.
	lookup(ctx context.Context, c Code) (bool, error)
	// create creates c, reporting created=false when the platform answers
	// that the code already exists.
	create(ctx context.Context, c Code) (bool, error)
}

// ensure is Ensure for every platform: validate, look up, create when
// absent. An unreadable answer to the create is checked with one more
// lookup, because the discount may exist now.
func ensure(ctx context.Context, b backend, cl client, log *zap.Logger, c Code) (bool, error) {
	n, err := c.normalized()
	if err != nil {
		return false, cl.fail(ErrPermanent, opValidate, c.Code, err)
	}
	log = log.With(zap.String("platform", cl.platform), zap.String("discount_code", n.Code))
	found, err := b.lookup(ctx, n)
	if err != nil {
		return false, err
	}
	if found {
		log.Debug("discount code already exists")
		return false, nil
	}
	created, err := b.create(ctx, n)
	if err != nil && errors.Is(err, ErrMalformed) {
		if again, lerr := b.lookup(ctx, n); lerr == nil && again {
			log.Warn("discount create answered with an unreadable body, but the code exists now", zap.Error(err))
			return true, nil
		}
	}
	if err != nil {
		return false, err
	}
	if created {
		log.Debug("discount code created")
	} else {
		log.Info("discount code was created concurrently; using it")
	}
	return created, nil
}
