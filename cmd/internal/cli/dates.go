package cli

import (
	"context"
	"time"

	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/flows"
	"github.com/boomerang-dev/boomerang/processor"
	"github.com/boomerang-dev/boomerang/processor/dates"
)

// holidayFlow is the built-in flow whose calendar parameter lists a shop's
// holidays.
const holidayFlow = "holiday"

// dateIndexSeam adapts redis.Dates to the engine's DateIndex and the daily
// job's Index.
type dateIndexSeam struct{ d *redis.Dates }

func (s dateIndexSeam) Update(ctx context.Context, shopID, customer string, isNew bool, moves []processor.DateMove) error {
	ms := make([]redis.DateMove, len(moves))
	for i, m := range moves {
		ms[i] = redis.DateMove{Kind: m.Kind, From: m.From, To: m.To}
	}
	return s.d.Update(ctx, shopID, customer, isNew, ms)
}

func (s dateIndexSeam) On(ctx context.Context, shopID, mmdd string) ([]dates.Entry, error) {
	es, err := s.d.On(ctx, shopID, mmdd)
	if err != nil {
		return nil, err
	}
	out := make([]dates.Entry, len(es))
	for i, e := range es {
		out[i] = dates.Entry{Kind: e.Kind, Customer: e.Customer}
	}
	return out, nil
}

func (s dateIndexSeam) Customers(ctx context.Context, shopID string, fn func([]string) error) error {
	return s.d.Customers(ctx, shopID, fn)
}

// holidayCalendar reads a shop's holidays from the holiday flow's calendar
// parameter (the shop's override, else the flow's default): a list of
// {date: "MM-DD", name: …}. A shop with the flow switched off has none.
func holidayCalendar(shops *shop.Registry, set *flows.Set) func(string) []dates.Holiday {
	return func(id string) []dates.Holiday {
		p := set.Get(holidayFlow)
		if p == nil {
			return nil
		}
		raw := p.Flow.Params["calendar"]
		if s, ok := shops.Get(id); ok {
			if !shopConfig(s).FlowOn(p.Flow) {
				return nil
			}
			if v, ok := s.Flows[holidayFlow].Params["calendar"]; ok {
				raw = v
			}
		}
		list, _ := raw.([]any)
		var out []dates.Holiday
		for _, it := range list {
			m, ok := it.(map[string]any)
			if !ok {
				continue
			}
			d, _ := m["date"].(string)
			name, _ := m["name"].(string)
			if md := processor.MonthDay(d); md != "" && name != "" {
				out = append(out, dates.Holiday{Date: md, Name: name})
			}
		}
		return out
	}
}

// nextMidnight is the first local midnight of any shop after t.
func nextMidnight(shops *shop.Registry) func(time.Time) time.Time {
	return func(t time.Time) time.Time {
		var best time.Time
		for _, s := range shops.All() {
			m := dates.Midnight(t, s.Location()).AddDate(0, 0, 1)
			if best.IsZero() || m.Before(best) {
				best = m
			}
		}
		return best.UTC()
	}
}
