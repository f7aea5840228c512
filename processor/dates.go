package processor

import (
	"context"
	"strings"
	"time"
)

// Kinds of date.reached this engine indexes (the holiday kind comes from
// the shop's calendar, not from profiles).
const (
	DateBirthday    = "birthday"
	DateAnniversary = "anniversary"
	DateHoliday     = "holiday"
)

// DateMove moves a customer's date of a kind between days ("MM-DD"); an
// empty From adds it, an empty To removes it. An anniversary's kind carries
// the first order's year: "anniversary:2025".
type DateMove struct {
	Kind     string
	From, To string
}

// DateIndex keeps the index the daily date.reached job reads
// (adapters/redis.Dates): customers by the day of their birthday and
// first-order anniversary, and every customer of a shop.
type DateIndex interface {
	Update(ctx context.Context, shop, customer string, isNew bool, moves []DateMove) error
}

// profileDates are a profile's indexed days.
type profileDates struct{ birthday, anniversary string }

// datesOf reads the days a profile's dates fall on: the birthday property
// ("MM-DD" or "YYYY-MM-DD", set by the profile survey's update step) and the
// first order's day in the shop's zone.
func datesOf(p *Profile, loc *time.Location) profileDates {
	var d profileDates
	if p == nil {
		return d
	}
	if b, ok := p.Props["birthday"].(string); ok {
		d.birthday = MonthDay(b)
	}
	if p.FirstOrderAt != nil {
		d.anniversary = p.FirstOrderAt.In(loc).Format("2006-01-02")
	}
	return d
}

// MonthDay reads "MM-DD" or "YYYY-MM-DD" into "MM-DD", "" when it is
// neither.
func MonthDay(s string) string {
	s = strings.TrimSpace(s)
	if len(s) == len("2006-01-02") {
		s = s[5:]
	}
	if _, err := time.Parse("01-02-2006", s+"-2000"); err != nil {
		return ""
	}
	return s
}

func (d profileDates) moves(old profileDates) []DateMove {
	var out []DateMove
	if d.birthday != old.birthday {
		out = append(out, DateMove{Kind: DateBirthday, From: old.birthday, To: d.birthday})
	}
	if d.anniversary != old.anniversary {
		// The first order's year rides in the kind, so the job skips the
		// first order's own day.
		if old.anniversary != "" {
			out = append(out, DateMove{Kind: DateAnniversary + ":" + old.anniversary[:4], From: old.anniversary[5:]})
		}
		if d.anniversary != "" {
			out = append(out, DateMove{Kind: DateAnniversary + ":" + d.anniversary[:4], To: d.anniversary[5:]})
		}
	}
	return out
}
