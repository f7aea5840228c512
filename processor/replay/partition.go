package replay

import (
	"hash/fnv"
	"slices"

	"github.com/boomerang-dev/boomerang/flows/event"
	"github.com/boomerang-dev/boomerang/processor"
)

// Partition splits events into n parts by customer, keeping their order:
// customers share nothing in the engine (state, runs, smart sending and the
// send ledger are all per customer), so the parts replay in parallel, each
// on its own virtual clock, and Merge puts their timelines back together.
func Partition(events []*event.Event, n int) [][]*event.Event {
	if n < 1 {
		n = 1
	}
	parts := make([][]*event.Event, n)
	for _, ev := range events {
		i := PartOf(ev, n)
		parts[i] = append(parts[i], ev)
	}
	return parts
}

// PartOf is the part of n an event's customer belongs to.
func PartOf(ev *event.Event, n int) int {
	if n <= 1 {
		return 0
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(ev.Shop + "\x00" + processor.CustomerKey(ev)))
	return int(h.Sum32() % uint32(n)) //nolint:gosec // n is a small positive count
}

// Merge orders the parts' timelines by time; lines at the same instant keep
// their part's order, parts in index order, so the output is the same on
// every run.
func Merge(parts [][]Line) []Line {
	total := 0
	for _, p := range parts {
		total += len(p)
	}
	out := make([]Line, 0, total)
	for _, p := range parts {
		out = append(out, p...)
	}
	slices.SortStableFunc(out, func(a, b Line) int { return a.At.Compare(b.At) })
	return out
}
