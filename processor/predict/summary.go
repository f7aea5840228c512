package predict

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"time"
)

// Unit is the time unit t_x, T and horizons are measured in.
type Unit string

// The units.
const (
	Week Unit = "week"
	Day  Unit = "day"
)

// Days is the length of one unit in days.
func (u Unit) Days() float64 {
	if u == Day {
		return 1
	}
	return 7
}

// ErrBadConfig is returned, wrapped, for an invalid SummaryConfig.
var ErrBadConfig = errors.New("bad config")

// SummaryConfig says how Summarize splits and measures transactions.
type SummaryConfig struct {
	// CalibrationEnd is the last day of the calibration period (inclusive).
	// Required.
	CalibrationEnd time.Time
	// HoldoutEnd is the last day of the holdout period (inclusive); zero means
	// no holdout.
	HoldoutEnd time.Time
	// Unit is the time unit. Default Week.
	Unit Unit
}

// Summary is one customer's sufficient statistics over the calibration period.
type Summary struct {
	CustomerID string
	// X is the number of distinct order days minus one: the repeat orders.
	X float64
	// TX is the time from the first to the last order day, in the unit.
	TX float64
	// T is the time from the first order day to the calibration end, in the unit.
	T float64
	// MeanSpend is the mean value of the day-merged repeat orders (the first
	// excluded); 0 when X is 0.
	MeanSpend float64
	// First and Last are the first and last order days in calibration.
	First, Last time.Time
	// HoldoutX is the number of distinct order days in the holdout period.
	HoldoutX float64
}

type dayOrder struct {
	day    time.Time
	amount float64
}

// Summarize merges each customer's same-day orders and returns one Summary per
// customer whose first order is on or before the calibration end, sorted by
// customer id. Orders after the holdout end are ignored.
func Summarize(txs []Transaction, cfg SummaryConfig) ([]Summary, error) {
	if cfg.Unit == "" {
		cfg.Unit = Week
	}
	if cfg.Unit != Week && cfg.Unit != Day {
		return nil, fmt.Errorf("%w: unit %q: want week or day", ErrBadConfig, cfg.Unit)
	}
	if cfg.CalibrationEnd.IsZero() {
		return nil, fmt.Errorf("%w: no calibration end", ErrBadConfig)
	}
	if !cfg.HoldoutEnd.IsZero() && !cfg.HoldoutEnd.After(cfg.CalibrationEnd) {
		return nil, fmt.Errorf("%w: holdout end %s not after calibration end %s", ErrBadConfig,
			cfg.HoldoutEnd.Format(time.DateOnly), cfg.CalibrationEnd.Format(time.DateOnly))
	}
	calEnd := truncDay(cfg.CalibrationEnd)
	byCustomer := map[string]map[time.Time]float64{}
	for _, tx := range txs {
		d := truncDay(tx.Date)
		if !cfg.HoldoutEnd.IsZero() && d.After(truncDay(cfg.HoldoutEnd)) {
			continue
		}
		days := byCustomer[tx.CustomerID]
		if days == nil {
			days = map[time.Time]float64{}
			byCustomer[tx.CustomerID] = days
		}
		days[d] += tx.Amount
	}
	unitDays := cfg.Unit.Days()
	out := make([]Summary, 0, len(byCustomer))
	orders := []dayOrder{}
	for id, days := range byCustomer {
		orders = orders[:0]
		for d, a := range days {
			orders = append(orders, dayOrder{d, a})
		}
		sort.Slice(orders, func(i, j int) bool { return orders[i].day.Before(orders[j].day) })
		if orders[0].day.After(calEnd) {
			continue
		}
		s := Summary{CustomerID: id, First: orders[0].day, Last: orders[0].day}
		var spend float64
		for i, o := range orders {
			if o.day.After(calEnd) {
				s.HoldoutX++
				continue
			}
			s.Last = o.day
			if i > 0 {
				s.X++
				spend += o.amount
			}
		}
		if s.X > 0 {
			s.MeanSpend = spend / s.X
		}
		s.TX = daysBetween(s.First, s.Last) / unitDays
		s.T = daysBetween(s.First, calEnd) / unitDays
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CustomerID < out[j].CustomerID })
	return out, nil
}

func truncDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func daysBetween(a, b time.Time) float64 {
	return math.Round(b.Sub(a).Hours() / 24)
}

func isBad(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }
