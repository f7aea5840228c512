package dates

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/boomerang-dev/boomerang/flows/event"
	"github.com/boomerang-dev/boomerang/processor"
)

// Entry is one customer's date on a day.
type Entry struct{ Kind, Customer string }

// Index is what the job reads (adapters/redis.Dates through a seam).
type Index interface {
	// On lists the dates that fall on mmdd ("02-29").
	On(ctx context.Context, shop, mmdd string) ([]Entry, error)
	// Customers calls fn with batches of the shop's customer keys.
	Customers(ctx context.Context, shop string, fn func([]string) error) error
}

// Holiday is one day of a shop's calendar.
type Holiday struct {
	Date string // "MM-DD"
	Name string
}

// Job lists a day's date.reached events.
type Job struct {
	Index Index
	// Calendar returns a shop's holidays. Nil: none.
	Calendar func(shop string) []Holiday
}

// Events returns the date.reached events of shop for the calendar day
// that starts at local midnight day (in the shop's zone): birthdays and
// anniversaries falling on it (29 February ones on the 28th in other
// years), and, on a holiday of the calendar, one per customer. Each event's
// occurred_at is that midnight; flows wait from there to the hour they send
// at.
func (j *Job) Events(ctx context.Context, shop string, day time.Time) ([]*event.Event, error) {
	if j.Index == nil {
		return nil, errors.New("dates: no index")
	}
	mmdd := day.Format("01-02")
	date := day.Format("2006-01-02")
	days := []string{mmdd}
	if mmdd == "02-28" && !leap(day.Year()) {
		days = append(days, "02-29")
	}
	var out []*event.Event
	for _, d := range days {
		entries, err := j.Index.On(ctx, shop, d)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			kind, year, _ := strings.Cut(e.Kind, ":")
			if kind == processor.DateAnniversary && (year == "" || year >= day.Format("2006")) {
				continue // not a year since the first order yet
			}
			out = append(out, dateEvent(shop, e.Customer, &event.DateEvent{Kind: kind, Date: date}, day))
		}
	}
	if j.Calendar != nil {
		for _, h := range j.Calendar(shop) {
			if h.Date != mmdd {
				continue
			}
			err := j.Index.Customers(ctx, shop, func(keys []string) error {
				for _, k := range keys {
					out = append(out, dateEvent(shop, k, &event.DateEvent{Kind: processor.DateHoliday, Date: date, Name: h.Name}, day))
				}
				return nil
			})
			if err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func leap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// dateEvent builds one date.reached event for a customer key.
func dateEvent(shop, customer string, d *event.DateEvent, day time.Time) *event.Event {
	key := "date.reached:" + shop + ":" + d.Kind + ":" + d.Name + ":" + d.Date + ":" + customer
	return &event.Event{
		SchemaVersion: event.SchemaVersion,
		ID:            event.DeliveryID(event.PlatformBoomerang, shop, key, event.DateReached),
		Key:           key,
		Type:          event.DateReached,
		Shop:          shop,
		Platform:      event.PlatformBoomerang,
		OccurredAt:    day.UTC(),
		ReceivedAt:    day.UTC(),
		Customer:      CustomerOf(customer),
		Data:          d,
		Source:        event.Source{Topic: "dates"},
	}
}

// CustomerOf turns a processor customer key back into the envelope's
// customer, so the event lands on the same profile.
func CustomerOf(key string) *event.Customer {
	kind, v, _ := strings.Cut(key, ":")
	switch kind {
	case "e":
		return &event.Customer{Email: v}
	case "p":
		return &event.Customer{Phone: v}
	default:
		return &event.Customer{ID: v}
	}
}

// Midnight is the local midnight starting t's day in loc.
func Midnight(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
}
