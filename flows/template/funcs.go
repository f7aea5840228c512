package template

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Categories of a send (docs/flows.md).
const (
	CategoryMarketing     = "marketing"
	CategoryTransactional = "transactional"
)

// promoFunc is the name of the promotional marker function.
const promoFunc = "promo"

// defaultColor is the accent colour when the shop sets none (or a bad one).
const defaultColor = "#111827"

var colorRE = regexp.MustCompile(`^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`)

// view is what templates execute on: the Data plus the send's category.
type view struct {
	*Data
	// Category is marketing or transactional.
	Category string
}

// Marketing reports whether the message is marketing.
func (v *view) Marketing() bool { return v.Category == CategoryMarketing }

// Accent returns the shop's colour when it is a valid hex colour.
func (v *view) Accent() string {
	if colorRE.MatchString(v.Shop.Color) {
		return v.Shop.Color
	}
	return defaultColor
}

// Lang returns the language tag for <html lang>.
func (v *view) Lang() string {
	if v.Shop.Locale == "" {
		return "en"
	}
	return v.Shop.Locale
}

// Greeting returns "Hi Ann," or "Hi there,".
func (v *view) Greeting() string {
	if n := strings.TrimSpace(v.Customer.FirstName); n != "" {
		return "Hi " + n + ","
	}
	return "Hi there,"
}

// Link is a call-to-action button: {{template "button" (link "Label" URL .Accent)}}.
type Link struct {
	Label, URL, Color string
}

// funcs are the helpers every template may call (both engines get the same
// names, so a file parses under either).
func funcs() map[string]any {
	return map[string]any{
		// money AMOUNT CURRENCY: "$25.00", "25,00 €".
		"money": moneyFunc,
		// date TIME ZONE: "Jan 2, 2026" in the IANA zone.
		"date": dateFunc,
		// link LABEL URL COLOR: a Link for the "button" partial.
		"link": func(label, url, color string) Link { return Link{Label: label, URL: url, Color: color} },
		// promo marks a promotional block: {{if promo}}…{{end}}.
		promoFunc: func() bool { return true },
		// oneLine joins a multi-line address with ", ".
		"oneLine": oneLine,
	}
}

// dateFunc formats a time (time.Time or an RFC 3339 string) as "Jan 2, 2006"
// in zone. Nil or "" gives "".
func dateFunc(v any, zone string) (string, error) {
	var t time.Time
	switch x := v.(type) {
	case nil:
		return "", nil
	case time.Time:
		t = x
	case *time.Time:
		if x == nil {
			return "", nil
		}
		t = *x
	case string:
		if x == "" {
			return "", nil
		}
		var err error
		if t, err = time.Parse(time.RFC3339Nano, x); err != nil {
			return "", fmt.Errorf("date %q: %w", x, err)
		}
	default:
		return "", fmt.Errorf("date: cannot format %T", v)
	}
	return FormatDate(t, zone)
}

// FormatDate writes t as "Jan 2, 2006" in the IANA zone (UTC when empty).
func FormatDate(t time.Time, zone string) (string, error) {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return "", fmt.Errorf("date zone %q: %w", zone, err)
	}
	return t.In(loc).Format("Jan 2, 2006"), nil
}

func oneLine(s string) string {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' })
	for i := range parts {
		parts[i] = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(parts[i]), ","))
	}
	return strings.Join(parts, ", ")
}
