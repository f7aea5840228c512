package dates_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/flows/event"
	"github.com/boomerang-dev/boomerang/processor"
	"github.com/boomerang-dev/boomerang/processor/dates"
)

// index is a fixed date index.
type index struct {
	on        map[string][]dates.Entry
	customers []string
}

func (x index) On(_ context.Context, _, mmdd string) ([]dates.Entry, error) { return x.on[mmdd], nil }

func (x index) Customers(_ context.Context, _ string, fn func([]string) error) error {
	return fn(x.customers)
}

func TestJobEvents(t *testing.T) {
	t.Parallel()
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	x := index{
		on: map[string][]dates.Entry{
			"03-20": {{Kind: "birthday", Customer: "e:ann@example.com"}, {Kind: "anniversary:2025", Customer: "p:+15005550006"}, {Kind: "anniversary:2026", Customer: "e:new@example.com"}},
			"02-28": {{Kind: "birthday", Customer: "e:feb28@example.com"}},
			"02-29": {{Kind: "birthday", Customer: "e:leap@example.com"}},
			"12-24": nil,
		},
		customers: []string{"e:ann@example.com", "i:42"},
	}
	job := &dates.Job{Index: x, Calendar: func(string) []dates.Holiday { return []dates.Holiday{{Date: "12-24", Name: "Christmas Eve"}} }}
	ctx := context.Background()

	day := time.Date(2026, 3, 20, 0, 0, 0, 0, ny)
	evs, err := job.Events(ctx, "demo", day)
	require.NoError(t, err)
	require.Len(t, evs, 2, "the anniversary of a first order this year is not one yet")
	require.Equal(t, event.DateReached, evs[0].Type)
	require.Equal(t, "ann@example.com", evs[0].Customer.Email)
	require.Equal(t, &event.DateEvent{Kind: "birthday", Date: "2026-03-20"}, evs[0].Data)
	require.Equal(t, day.UTC(), evs[0].OccurredAt, "local midnight")
	require.Equal(t, "e:ann@example.com", processor.CustomerKey(evs[0]), "lands on the same profile")
	require.Equal(t, "+15005550006", evs[1].Customer.Phone)
	require.Equal(t, &event.DateEvent{Kind: "anniversary", Date: "2026-03-20"}, evs[1].Data)

	again, err := job.Events(ctx, "demo", day)
	require.NoError(t, err)
	require.Equal(t, evs[0].ID, again[0].ID, "a rerun has the same ids")
	require.Equal(t, evs[0].Key, again[0].Key)

	evs, err = job.Events(ctx, "demo", time.Date(2027, 2, 28, 0, 0, 0, 0, ny))
	require.NoError(t, err)
	require.Len(t, evs, 2, "29 February birthdays on the 28th in a common year")
	evs, err = job.Events(ctx, "demo", time.Date(2028, 2, 28, 0, 0, 0, 0, ny))
	require.NoError(t, err)
	require.Len(t, evs, 1, "and on the 29th in a leap year")

	evs, err = job.Events(ctx, "demo", time.Date(2026, 12, 24, 0, 0, 0, 0, ny))
	require.NoError(t, err)
	require.Len(t, evs, 2, "a holiday reaches every customer")
	require.Equal(t, &event.DateEvent{Kind: "holiday", Date: "2026-12-24", Name: "Christmas Eve"}, evs[1].Data)
	require.Equal(t, "42", evs[1].Customer.ID)
}
