package shopify

import (
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// Errors of the value types below. They never quote the offending value, so
// messages built from them carry no body data.
var (
	errLiteral   = errors.New("want a JSON string or number")
	errTimestamp = errors.New("want an RFC 3339 timestamp string")
	errTags      = errors.New("want tags as a string or an array of strings")
)

// literal is an id or an amount: a JSON number kept as its literal text (never
// through float64, so 820982911946154508 survives), or a JSON string. null is
// empty.
type literal string

// UnmarshalJSON implements json.Unmarshaler.
func (l *literal) UnmarshalJSON(b []byte) error {
	switch {
	case string(b) == "null":
		*l = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return errLiteral
		}
		*l = literal(s)
	case len(b) > 0 && (b[0] == '-' || b[0] >= '0' && b[0] <= '9'):
		*l = literal(b)
	default:
		return errLiteral
	}
	return nil
}

// timestamp is an RFC 3339 time, held in UTC. null and "" are the zero time.
type timestamp struct{ time.Time }

// UnmarshalJSON implements json.Unmarshaler.
func (t *timestamp) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		t.Time = time.Time{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errTimestamp
	}
	if s == "" {
		t.Time = time.Time{}
		return nil
	}
	parsed, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return errTimestamp
	}
	t.Time = parsed.UTC()
	return nil
}

// ptr returns the time as a pointer, nil when it is zero.
func (t timestamp) ptr() *time.Time {
	if t.IsZero() {
		return nil
	}
	v := t.Time
	return &v
}

// tagList is Shopify's tags: a comma-separated string in REST payloads, an
// array of strings elsewhere.
type tagList []string

// UnmarshalJSON implements json.Unmarshaler.
func (l *tagList) UnmarshalJSON(b []byte) error {
	*l = nil
	switch {
	case string(b) == "null":
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return errTags
		}
		for tag := range strings.SplitSeq(s, ",") {
			if tag = strings.TrimSpace(tag); tag != "" {
				*l = append(*l, tag)
			}
		}
		return nil
	default:
		var tags []string
		if err := json.Unmarshal(b, &tags); err != nil {
			return errTags
		}
		*l = tags
		return nil
	}
}

// imageRef is a line item's image: a URL string or an object with src or
// url. Any other shape is ignored, since the image is decoration.
type imageRef string

// UnmarshalJSON implements json.Unmarshaler.
func (r *imageRef) UnmarshalJSON(b []byte) error {
	*r = ""
	var s string
	if json.Unmarshal(b, &s) == nil {
		*r = imageRef(s)
		return nil
	}
	var obj struct {
		Src string `json:"src"`
		URL string `json:"url"`
	}
	if json.Unmarshal(b, &obj) == nil {
		*r = imageRef(firstNonEmpty(obj.Src, obj.URL))
	}
	return nil
}

// firstNonEmpty returns the first non-empty string of vs.
func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
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
