package reconcile

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrPagingIgnored is Keyset's error for an API that answers every page
// alike: retrying cannot help.
var ErrPagingIgnored = errors.New("the API ignores the paging")

// Keyset pages through a list sorted by modification time, ascending.
// fetch returns the page-th page of the entries modified from a time (and
// whether it is the last page); stamp gives an entry's id and modification
// time (zero for an entry to skip); visit is called once per entry and
// time, in list order. Each next
// request starts at the last time seen, skipping the ids already seen at
// that time, and turns the page while a page brings no later time. A page
// equal to the one before it for the same start time means the API ignores
// the paging: an error wrapping ErrPagingIgnored, not an endless loop.
// Plain page numbers would miss entries: one modified while the list is
// read moves to its end and pushes another across a page boundary.
func Keyset[T any](ctx context.Context, since time.Time,
	fetch func(ctx context.Context, from time.Time, page int) ([]T, bool, error),
	stamp func(*T) (string, time.Time),
	visit func(ctx context.Context, item *T) error,
) error {
	cursor, page := since.UTC().Truncate(time.Second), 1
	seen := map[string]bool{} // ids visited at cursor
	previous := ""            // the previous page's entries, for the same cursor
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		batch, last, err := fetch(ctx, cursor, page)
		if err != nil {
			return err
		}
		next, nextIDs, fresh := cursor, []string(nil), 0
		var sig strings.Builder
		for i := range batch {
			id, mod := stamp(&batch[i])
			sig.WriteString(id + "@" + mod.Format(time.RFC3339Nano) + ",")
			if mod.IsZero() || mod.Before(cursor) || (mod.Equal(cursor) && seen[id]) {
				continue
			}
			if mod.Equal(cursor) {
				seen[id] = true
			}
			fresh++
			if err := visit(ctx, &batch[i]); err != nil {
				return err
			}
			if mod.After(next) {
				next, nextIDs = mod, nextIDs[:0]
			}
			if mod.Equal(next) {
				nextIDs = append(nextIDs, id)
			}
		}
		if last || len(batch) == 0 {
			return nil
		}
		if page > 1 && fresh == 0 && sig.String() == previous {
			return fmt.Errorf("%w: listing from %s, page %d repeats page %d",
				ErrPagingIgnored, cursor.Format(time.RFC3339), page, page-1)
		}
		previous = sig.String()
		if !next.After(cursor) {
			page++
			continue
		}
		cursor, page, previous = next, 1, ""
		seen = make(map[string]bool, len(nextIDs))
		for _, id := range nextIDs {
			seen[id] = true
		}
	}
}
