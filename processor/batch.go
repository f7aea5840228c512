package processor

import (
	"context"
	"errors"

	"github.com/boomerang-dev/boomerang/flows/event"
)

// HandleBatch applies several events and returns one error per event (nil
// acknowledges it), with the same guarantees as Handle. With a
// BatchStateStore the events of different customers share the round trips:
// one load and one commit for the whole batch, so a busy worker costs Redis
// two round trips per batch instead of per event. Events of a customer
// already in the batch, and commits that conflict, go through Handle one by
// one afterwards.
func (e *Engine) HandleBatch(ctx context.Context, evs []*event.Event) []error {
	errs := make([]error, len(evs))
	store, ok := e.cfg.State.(BatchStateStore)
	if !ok || len(evs) < 2 {
		for i, ev := range evs {
			errs[i] = e.Handle(ctx, ev)
		}
		return errs
	}
	type item struct {
		i         int
		cust, key string
	}
	var round []item
	var later []int
	inRound := map[string]bool{}
	for i, ev := range evs {
		cust := CustomerKey(ev)
		if cust == "" {
			e.metrics.events.WithLabelValues(string(ev.Type), "no_customer").Inc()
			continue
		}
		if k := ev.Shop + "\x00" + cust; inRound[k] {
			later = append(later, i)
			continue
		} else {
			inRound[k] = true
		}
		key := ev.Key
		if key == "" {
			key = ev.ID
		}
		round = append(round, item{i: i, cust: cust, key: key})
	}
	defer func() {
		for _, i := range later {
			errs[i] = e.Handle(ctx, evs[i])
		}
	}()
	reqs := make([]LoadRequest, len(round))
	for j, it := range round {
		reqs[j] = LoadRequest{Shop: evs[it.i].Shop, Customer: it.cust, EventKey: it.key}
	}
	states, err := store.LoadMany(ctx, reqs)
	if err != nil {
		for _, it := range round {
			errs[it.i] = err
		}
		return errs
	}
	var txs []*txn
	var commits []*Commit
	var idx []int
	for j, it := range round {
		ev := evs[it.i]
		if st := states[j]; st.Seen != nil {
			e.metrics.events.WithLabelValues(string(ev.Type), "duplicate").Inc()
			errs[it.i] = e.reissue(ctx, st.Seen)
			continue
		}
		tx, err := e.apply(ctx, ev, it.cust, it.key, states[j])
		if err != nil {
			errs[it.i] = err
			continue
		}
		txs = append(txs, tx)
		commits = append(commits, tx.commit())
		idx = append(idx, it.i)
	}
	if len(commits) == 0 {
		return errs
	}
	results, err := store.CommitMany(ctx, commits)
	if err != nil {
		for _, i := range idx {
			errs[i] = err
		}
		return errs
	}
	for k, r := range results {
		i := idx[k]
		switch {
		case errors.Is(r, ErrConflict):
			e.metrics.conflicts.Inc()
			errs[i] = e.Handle(ctx, evs[i])
		case r != nil:
			errs[i] = r
		default:
			e.metrics.events.WithLabelValues(string(evs[i].Type), "applied").Inc()
			errs[i] = e.afterCommit(ctx, txs[k])
		}
	}
	return errs
}
