package send

import (
	"strings"
	"time"

	"github.com/boomerang-dev/boomerang/flows/event"
)

// phoneZones maps calling codes of countries that keep one time zone (or
// nearly all their people in one) to it. Countries spanning several zones
// (+1, +7, +52, +55, +61, …) are left out: their numbers fall back to the
// customer's address or the shop's zone.
var phoneZones = map[string]string{
	"30": "Europe/Athens", "31": "Europe/Amsterdam", "32": "Europe/Brussels", "33": "Europe/Paris",
	"34": "Europe/Madrid", "36": "Europe/Budapest", "39": "Europe/Rome", "40": "Europe/Bucharest",
	"41": "Europe/Zurich", "43": "Europe/Vienna", "44": "Europe/London", "45": "Europe/Copenhagen",
	"46": "Europe/Stockholm", "47": "Europe/Oslo", "48": "Europe/Warsaw", "49": "Europe/Berlin",
	"27": "Africa/Johannesburg", "64": "Pacific/Auckland", "65": "Asia/Singapore", "81": "Asia/Tokyo",
	"82": "Asia/Seoul", "86": "Asia/Shanghai", "90": "Europe/Istanbul", "91": "Asia/Kolkata",
	"351": "Europe/Lisbon", "353": "Europe/Dublin", "358": "Europe/Helsinki", "420": "Europe/Prague",
	"852": "Asia/Hong_Kong", "971": "Asia/Dubai", "972": "Asia/Jerusalem",
}

// ZoneForPhone returns the time zone of an E.164 number's country when the
// country keeps one zone, else nil.
func ZoneForPhone(phone string) *time.Location {
	digits, ok := strings.CutPrefix(strings.TrimSpace(phone), "+")
	if !ok {
		return nil
	}
	for n := 3; n >= 1; n-- {
		if len(digits) <= n {
			continue
		}
		if name, ok := phoneZones[digits[:n]]; ok {
			if loc, err := event.LoadLocation(name); err == nil {
				return loc
			}
		}
	}
	return nil
}

// countryZones maps ISO 3166 country codes of single-zone countries to
// their zone (the same countries as phoneZones).
var countryZones = map[string]string{
	"GR": "Europe/Athens", "NL": "Europe/Amsterdam", "BE": "Europe/Brussels", "FR": "Europe/Paris",
	"ES": "Europe/Madrid", "HU": "Europe/Budapest", "IT": "Europe/Rome", "RO": "Europe/Bucharest",
	"CH": "Europe/Zurich", "AT": "Europe/Vienna", "GB": "Europe/London", "DK": "Europe/Copenhagen",
	"SE": "Europe/Stockholm", "NO": "Europe/Oslo", "PL": "Europe/Warsaw", "DE": "Europe/Berlin",
	"ZA": "Africa/Johannesburg", "NZ": "Pacific/Auckland", "SG": "Asia/Singapore", "JP": "Asia/Tokyo",
	"KR": "Asia/Seoul", "CN": "Asia/Shanghai", "TR": "Europe/Istanbul", "IN": "Asia/Kolkata",
	"PT": "Europe/Lisbon", "IE": "Europe/Dublin", "FI": "Europe/Helsinki", "CZ": "Europe/Prague",
	"HK": "Asia/Hong_Kong", "AE": "Asia/Dubai", "IL": "Asia/Jerusalem",
}

// ZoneForCountry returns the zone of a single-zone country (ISO 3166
// alpha-2), else nil.
func ZoneForCountry(iso string) *time.Location {
	name, ok := countryZones[strings.ToUpper(strings.TrimSpace(iso))]
	if !ok {
		return nil
	}
	loc, err := event.LoadLocation(name)
	if err != nil {
		return nil
	}
	return loc
}
