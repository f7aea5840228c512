package reconcile

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// Publisher publishes one canonical event on JetStream, deduplicated by
// msgID (*jetstream.Publisher implements it).
type Publisher interface {
	Publish(ctx context.Context, subject, msgID string, data []byte) (duplicate bool, err error)
}

// Cursors keeps, per shop, the start time of the last successful poll.
type Cursors interface {
	// Cursor returns the shop's cursor; ok is false when it never polled.
	Cursor(ctx context.Context, shop string) (t time.Time, ok bool, err error)
	SetCursor(ctx context.Context, shop string, t time.Time) error
}

// Defaults.
const (
	// DefaultOverlap is how far each poll reaches back before the previous
	// poll's start: it covers clock skew between Boomerang and the
	// platform, and resources whose updated_at was set a little before
	// they became visible to the API.
	DefaultOverlap = 15 * time.Minute
)

// ErrNoSource is returned for a shop whose platform has no Source.
var ErrNoSource = errors.New("no reconcile source for the platform")

// Config configures a Reconciler.
type Config struct {
	// Sources by platform name (event.PlatformShopify, …). Required.
	Sources map[string]Source
	// Cursors keeps the polls' progress. Required.
	Cursors Cursors
	// Publisher receives the events. Required.
	Publisher Publisher
	// Overlap defaults to DefaultOverlap.
	Overlap time.Duration
	// Now defaults to time.Now.
	Now func() time.Time
}

func (c *Config) fill() error {
	switch {
	case len(c.Sources) == 0:
		return errors.New("reconcile: Sources is required")
	case c.Cursors == nil:
		return errors.New("reconcile: Cursors is required")
	case c.Publisher == nil:
		return errors.New("reconcile: Publisher is required")
	}
	if c.Overlap <= 0 {
		c.Overlap = DefaultOverlap
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return nil
}

// Reconciler polls shops' stores for what their webhooks missed.
type Reconciler struct{ cfg Config }

// New returns a Reconciler, or an error when cfg is incomplete.
func New(cfg Config) (*Reconciler, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	return &Reconciler{cfg: cfg}, nil
}

// Handles reports whether s can be polled: its platform has a Source and
// the shop has API credentials.
func (r *Reconciler) Handles(s *shop.Shop) bool {
	_, ok := r.cfg.Sources[s.Platform]
	return ok && s.APIToken != ""
}

// Result says what one poll did.
type Result struct {
	Window    Window
	Published int
}

// Poll publishes the orders and checkouts of s changed since its previous
// poll (less the overlap), then moves the cursor to this poll's start. A
// shop polled for the first time looks back one overlap: the reconciler
// fills gaps from the time it runs, and a store's past comes in through the
// history import instead. A failed poll keeps the cursor, so the next one
// covers its window again; what it published has one effect.
func (r *Reconciler) Poll(ctx context.Context, s *shop.Shop) (Result, error) {
	src, ok := r.cfg.Sources[s.Platform]
	if !ok {
		return Result{}, fmt.Errorf("%w %q (shop %s)", ErrNoSource, s.Platform, s.ID)
	}
	start := r.cfg.Now().UTC()
	since, ok, err := r.cfg.Cursors.Cursor(ctx, s.ID)
	if err != nil {
		return Result{}, fmt.Errorf("reading the reconcile cursor of %s: %w", s.ID, err)
	}
	if !ok {
		since = start
	}
	w := Window{Since: since.Add(-r.cfg.Overlap), Checkouts: true}
	n, err := r.publish(ctx, src, s, w, false)
	res := Result{Window: w, Published: n}
	if err != nil {
		return res, err
	}
	if err := r.cfg.Cursors.SetCursor(ctx, s.ID, start); err != nil {
		return res, fmt.Errorf("saving the reconcile cursor of %s: %w", s.ID, err)
	}
	return res, nil
}

// publish lists w from src and publishes each event, marked historical when
// asked; it returns how many it published.
func (r *Reconciler) publish(ctx context.Context, src Source, s *shop.Shop, w Window, historical bool) (int, error) {
	n := 0
	err := src.Changes(ctx, s, w, func(ev *event.Event) error {
		if ev.Shop != s.ID {
			return fmt.Errorf("reconcile source returned an event of shop %q for %q", ev.Shop, s.ID)
		}
		ev.Historical = historical
		b, err := json.Marshal(ev)
		if err != nil {
			return fmt.Errorf("encoding %s: %w", ev.Type, err)
		}
		subject := ev.Subject()
		if historical {
			subject = HistorySubject(ev)
		}
		if _, err := r.cfg.Publisher.Publish(ctx, subject, ev.MsgID(), b); err != nil {
			return err
		}
		n++
		return nil
	})
	return n, err
}

// HistorySubject is where an imported event is published:
// history.<shop>.<type>, on a stream of its own (jetstream.StreamHistory)
// that the processor consumes beside the live events, so an import of a
// store's years of orders never queues ahead of any shop's live events.
func HistorySubject(ev *event.Event) string {
	return "history." + ev.Shop + "." + string(ev.Type)
}
