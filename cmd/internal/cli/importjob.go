package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/boomerang-dev/boomerang/adapters/reconcile"
	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/flows/event"
	"github.com/boomerang-dev/boomerang/processor"
)

// History import timing: the runner holds a lock it renews, and a watchdog
// timer fires while it runs; when the runner's replica dies, the lock
// lapses and the watchdog starts the import again on another replica.
const (
	importJobName  = "import"
	importLockTTL  = time.Minute
	importWatchdog = 3 * time.Minute
)

// importTimer is the timer that starts (or watches) a shop's history
// import.
func importTimer(shopID string, due time.Time) redis.Timer {
	return redis.Timer{
		ID: "job:" + importJobName + ":" + shopID, Due: due,
		Payload: []byte(processor.TimerPayload(shopID, jobCustomer, importJobName)),
	}
}

// importRequester asks for history imports: from the app install (a new
// shop's two years) and the admin API (on demand).
type importRequester struct {
	imports *redis.Imports
	timers  *redis.Timers
	now     func() time.Time
}

// Request records the import of w for the shop and schedules it at once.
func (r importRequester) Request(ctx context.Context, shopID string, w reconcile.Window) (redis.ImportStatus, error) {
	st, err := r.imports.Request(ctx, shopID, w.Since, w.Until, r.now())
	if err != nil {
		return st, err
	}
	return st, r.timers.ScheduleMany(ctx, []redis.Timer{importTimer(shopID, r.now())})
}

// importJob runs requested history imports in the background of the
// process role: an import pages through years of a store's orders and must
// not hold up the events batched with its timer.
type importJob struct {
	rec     *reconcile.Reconciler
	imports *redis.Imports
	timers  *redis.Timers
	shops   *shop.Registry
	now     func() time.Time
	log     *zap.Logger

	// base is the role's lifetime: imports stop with it.
	base    context.Context //nolint:containedctx // the lifetime of background imports
	running sync.WaitGroup
}

func (j *importJob) handles(ev *event.Event) bool {
	t, ok := ev.Data.(*event.Timer)
	return ok && t.Customer == jobCustomer && t.Run == importJobName
}

// run starts the shop's requested import unless another replica runs it.
// The watchdog is rescheduled before anything starts, so a crash at any
// point leaves a timer that tries again.
func (j *importJob) run(ctx context.Context, ev *event.Event) error {
	st, ok, err := j.imports.Get(ctx, ev.Shop)
	if err != nil {
		return err
	}
	if !ok || (st.State != redis.ImportRequested && st.State != redis.ImportRunning) {
		return nil
	}
	s, known := j.shops.Get(ev.Shop)
	if !known || !j.rec.Handles(s) {
		return j.imports.Finished(ctx, ev.Shop, j.now(), 0, errors.New("the shop has no API credentials on a platform Boomerang can import from"))
	}
	if err := j.timers.ScheduleMany(ctx, []redis.Timer{importTimer(s.ID, j.now().Add(importWatchdog))}); err != nil {
		return err
	}
	token := randomToken()
	got, err := j.imports.Lock(ctx, s.ID, token, importLockTTL)
	if err != nil || !got {
		return err // held: the running import carries on; the watchdog looks again
	}
	if err := j.imports.Started(ctx, s.ID, j.now()); err != nil {
		_ = j.imports.Unlock(ctx, s.ID, token)
		return err
	}
	j.running.Add(1)
	go j.runImport(s, st, token)
	return nil
}

// runImport publishes the history, renewing the lock and the watchdog
// meanwhile, then records the outcome and removes the watchdog.
func (j *importJob) runImport(s *shop.Shop, st redis.ImportStatus, token string) {
	defer j.running.Done()
	ctx, cancel := context.WithCancel(j.base)
	defer cancel()
	go func() {
		t := time.NewTicker(importLockTTL / 3)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := j.imports.Extend(ctx, s.ID, token, importLockTTL); err != nil {
					j.log.Warn("history import lost its lock; stopping", zap.String("shop", s.ID), zap.Error(err))
					cancel()
					return
				}
				_ = j.timers.ScheduleMany(ctx, []redis.Timer{importTimer(s.ID, j.now().Add(importWatchdog))})
			}
		}
	}()
	w := reconcile.Window{Since: st.Since, Until: st.Until, Customers: true}
	n, err := j.rec.Import(ctx, s, w)
	if j.base.Err() != nil {
		// Shutting down: the lock lapses and the watchdog resumes it.
		return
	}
	done := context.WithoutCancel(ctx)
	if ferr := j.imports.Finished(done, s.ID, j.now(), n, err); ferr != nil {
		j.log.Warn("recording the history import's end", zap.String("shop", s.ID), zap.Error(ferr))
		return
	}
	_ = j.timers.CancelMany(done, []string{importTimer(s.ID, time.Time{}).ID})
	_ = j.imports.Unlock(done, s.ID, token)
	if err != nil {
		j.log.Warn("history import failed", zap.String("shop", s.ID), zap.Int("events", n), zap.Error(err))
		return
	}
	j.log.Info("history imported", zap.String("shop", s.ID), zap.Int("events", n),
		zap.Time("since", w.Since), zap.Time("until", w.Until))
}

// wait returns when every running import has stopped.
func (j *importJob) wait() { j.running.Wait() }

func randomToken() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
