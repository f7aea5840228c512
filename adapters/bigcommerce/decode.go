package bigcommerce

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/boomerang-dev/boomerang/flows/event"
)

// errNotScalar is returned when an id or amount is neither a JSON string
// nor a number.
var errNotScalar = errors.New("value must be a JSON string or number")

// errNotInteger is returned when an id is a JSON number with a fraction or
// an exponent.
var errNotInteger = errors.New("id must be an integer")

// flexID is a platform id decoded from a JSON number or string and kept as
// its exact text: ids never pass through float64. null decodes to "".
type flexID string

// UnmarshalJSON implements json.Unmarshaler.
func (f *flexID) UnmarshalJSON(b []byte) error {
	s, isNumber, err := scalarText(b)
	if err != nil {
		return err
	}
	if isNumber && bytes.ContainsAny(b, ".eE") {
		return errNotInteger
	}
	*f = flexID(s)
	return nil
}

// String returns the id's text.
func (f flexID) String() string { return string(f) }

// orNone returns the id, or "" for BigCommerce's "no such thing" id 0.
func (f flexID) orNone() string {
	if f == "0" {
		return ""
	}
	return string(f)
}

// decimal is an amount decoded from a JSON string ("55.9900", the v2 API)
// or number (55.99, the v3 API) and kept as its exact text. null decodes to
// "".
type decimal string

// UnmarshalJSON implements json.Unmarshaler.
func (d *decimal) UnmarshalJSON(b []byte) error {
	s, _, err := scalarText(b)
	if err != nil {
		return err
	}
	*d = decimal(s)
	return nil
}

// scalarText returns the text of a JSON string or the literal of a JSON
// number; null is "".
func scalarText(b []byte) (text string, isNumber bool, err error) {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0:
		return "", false, errNotScalar
	case string(b) == "null":
		return "", false, nil
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return "", false, err
		}
		return s, false, nil
	case b[0] == '-' || (b[0] >= '0' && b[0] <= '9'):
		return string(b), true, nil
	default:
		return "", false, errNotScalar
	}
}

// apiTime is a time as the BigCommerce APIs write it: RFC 1123 with a
// numeric zone in v2 ("Tue, 05 Mar 2019 21:40:11 +0000"), RFC 3339 in v3.
// An empty string, null, or a string in neither form decodes to the zero
// time: a bad optional date must not lose the resource. Other JSON types
// are an error.
type apiTime struct{ t time.Time }

// timeLayouts are tried in order.
var timeLayouts = []string{time.RFC1123Z, time.RFC1123, time.RFC3339Nano}

// UnmarshalJSON implements json.Unmarshaler.
func (a *apiTime) UnmarshalJSON(b []byte) error {
	if string(bytes.TrimSpace(b)) == "null" {
		a.t = time.Time{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	a.t = parseAPITime(s)
	return nil
}

// Time returns the time in UTC, zero when absent.
func (a apiTime) Time() time.Time { return a.t }

// parseAPITime parses s in any of timeLayouts, returning a sane UTC time or
// the zero time.
func parseAPITime(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return sane(t)
		}
	}
	return time.Time{}
}

// sane returns t in UTC when it can be written as JSON (years 1 to 9999),
// else the zero time.
func sane(t time.Time) time.Time {
	t = t.UTC()
	if t.Year() < 1 || t.Year() > 9999 {
		return time.Time{}
	}
	return t
}

// unixTime converts unix seconds to a sane UTC time, zero when out of range.
func unixTime(sec int64) time.Time {
	const maxUnix = 253402300799 // 9999-12-31T23:59:59Z
	if sec <= 0 || sec > maxUnix {
		return time.Time{}
	}
	return time.Unix(sec, 0).UTC()
}

// firstTime returns the first non-zero time of ts, or the zero time.
func firstTime(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

// isNumericID reports whether s is a non-negative integer id that fits in
// 64 bits, written in plain digits.
func isNumericID(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	_, err := strconv.ParseUint(s, 10, 64)
	return err == nil
}

// isTokenID reports whether s can name a cart in an API path: 1 to 64
// letters, digits, '-' or '_' (BigCommerce cart ids are UUIDs).
func isTokenID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := range len(s) {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_':
		default:
			return false
		}
	}
	return true
}

// joinNonEmpty joins the non-empty parts with sep.
func joinNonEmpty(sep string, parts ...string) string {
	out := parts[:0:0]
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// dec converts an API amount to the canonical decimal.
func dec(d decimal) event.Decimal { return event.Decimal(d) }

// firstNonEmpty returns the first non-empty string of ss.
func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
