package flows

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Day and Week are the units flows add to Go's durations.
const (
	Day  = 24 * time.Hour
	Week = 7 * Day
)

// ParseDuration parses a flow duration: Go's duration syntax ("90s", "1h30m",
// "23h") plus d for days and w for weeks ("3d", "2w", "1d12h"). Days are 24
// hours; a wait of "1d" across a daylight-saving change is 24 hours, not one
// calendar day. Signs are refused: no duration in a flow is negative. "0" and
// "0s" parse as zero.
func ParseDuration(s string) (Duration, error) {
	if s == "" {
		return 0, errors.New("empty duration")
	}
	if s == "0" {
		return 0, nil
	}
	if s[0] == '-' || s[0] == '+' {
		return 0, fmt.Errorf("duration %q: a flow duration has no sign", s)
	}
	var total time.Duration
	rest := s
	for rest != "" {
		// One segment: digits (with an optional fraction), then a unit.
		i := 0
		for i < len(rest) && (rest[i] >= '0' && rest[i] <= '9' || rest[i] == '.') {
			i++
		}
		if i == 0 {
			return 0, fmt.Errorf("duration %q: expected a number such as 90s, 1h, 3d or 2w", s)
		}
		j := i
		for j < len(rest) && (rest[j] < '0' || rest[j] > '9') && rest[j] != '.' {
			j++
		}
		num, unit := rest[:i], rest[i:j]
		rest = rest[j:]
		var d time.Duration
		switch unit {
		case "":
			return 0, fmt.Errorf("duration %q needs a unit: s, m, h, d (days) or w (weeks)", s)
		case "d", "w":
			n, err := strconv.ParseFloat(num, 64)
			if err != nil {
				return 0, fmt.Errorf("duration %q: %q is not a number", s, num)
			}
			per := Day
			if unit == "w" {
				per = Week
			}
			f := n * float64(per)
			if f >= math.MaxInt64 {
				return 0, fmt.Errorf("duration %q is too long", s)
			}
			d = time.Duration(f)
		case "ns", "us", "µs", "μs", "ms", "s", "m", "h":
			var err error
			d, err = time.ParseDuration(num + unit)
			if err != nil {
				return 0, fmt.Errorf("duration %q: %q is not a number or too large", s, num)
			}
		default:
			return 0, fmt.Errorf("duration %q: unknown unit %q (use ms, s, m, h, d or w)", s, unit)
		}
		if total > math.MaxInt64-d {
			return 0, fmt.Errorf("duration %q is too long", s)
		}
		total += d
	}
	return Duration(total), nil
}

// String writes d the way flows do: whole weeks as "2w", whole days as
// "3d", anything else in Go's syntax ("1h30m0s" shortened to "1h30m").
func (d Duration) String() string {
	t := time.Duration(d)
	switch {
	case t == 0:
		return "0s"
	case t%Week == 0:
		return strconv.FormatInt(int64(t/Week), 10) + "w"
	case t%Day == 0:
		return strconv.FormatInt(int64(t/Day), 10) + "d"
	}
	s := t.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// UnmarshalYAML reads a duration scalar such as "3d".
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: a duration is a scalar such as 1h or 3d", n.Line)
	}
	v, err := ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*d = v
	return nil
}

// MarshalYAML writes d as its String.
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// MarshalText writes d as its String, so JSON and other text encodings
// carry "3d" rather than nanoseconds.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads what MarshalText writes.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
