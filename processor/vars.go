package processor

import (
	"encoding/json"
	"maps"
	"strings"
	"time"

	"github.com/boomerang-dev/boomerang/flows/event"
)

// eventMap decodes an event's JSON into the map flows see as `event`, with
// every string value of a key ending in "_at" that reads as RFC 3339 turned
// into a time.Time (so CEL compares times as timestamps).
func eventMap(raw json.RawMessage) map[string]any {
	if len(raw) == 0 {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil
	}
	convertTimes(m)
	return m
}

func convertTimes(v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if s, ok := val.(string); ok && strings.HasSuffix(k, "_at") {
				if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
					x[k] = t
					continue
				}
			}
			convertTimes(val)
		}
	case []any:
		for _, e := range x {
			convertTimes(e)
		}
	}
}

// profileMap is the map flows see as `profile`.
func profileMap(p *Profile, now time.Time) map[string]any {
	if p == nil {
		p = &Profile{}
	}
	m := map[string]any{
		"key":          p.Key,
		"email":        first(p.Emails),
		"phone":        first(p.Phones),
		"first_name":   p.FirstName,
		"last_name":    p.LastName,
		"orders_count": int64(p.OrdersCount),
		"total_spent":  orZero(p.TotalSpent),
		"currency":     p.Currency,
		"consent": map[string]any{
			event.ChannelEmail: p.Subscribed(event.ChannelEmail),
			event.ChannelSMS:   p.Subscribed(event.ChannelSMS),
		},
	}
	times := make([]time.Time, len(p.OrderTimes))
	copy(times, p.OrderTimes)
	m["order_times"] = times
	if p.FirstOrderAt != nil {
		m["first_order_at"] = *p.FirstOrderAt
	}
	if p.LastOrderAt != nil {
		m["last_order_at"] = *p.LastOrderAt
	}
	if p.LastEngagementAt != nil {
		m["last_engagement_at"] = *p.LastEngagementAt
	}
	detail := map[string]any{}
	for ch, c := range p.Consent {
		detail[ch] = map[string]any{"state": c.State, "source": c.Source, "at": c.At}
	}
	m["consent_detail"] = detail
	props := map[string]any{}
	maps.Copy(props, p.Props)
	m["props"] = props
	purchased := make([]any, len(p.Purchased))
	for i, id := range p.Purchased {
		purchased[i] = id
	}
	m["purchased"] = purchased
	viewed := make([]any, len(p.Viewed))
	for i, v := range p.Viewed {
		viewed[i] = map[string]any{
			"id": v.ID, "title": v.Title, "url": v.URL, "image_url": v.ImageURL, "price": v.Price,
			"currency": v.Currency, "at": v.At,
		}
	}
	m["viewed"] = viewed
	pred := map[string]any{}
	if q := p.Predictions; q != nil {
		pred = map[string]any{
			"p_alive": q.PAlive, "churn_risk": q.ChurnRisk, "churn_band": q.ChurnBand,
			"expected_orders_365": q.ExpectedOrders, "clv_365": q.CLV, "model": q.Model,
		}
		if q.NextOrderAt != nil {
			pred["next_order_at"] = *q.NextOrderAt
		}
	}
	if d, ok := avgDaysBetweenOrders(p.OrderTimes); ok {
		pred["avg_days_between_orders"] = d
	}
	m["predictions"] = pred
	m["segments"] = segments(p, now)
	return m
}

// avgDaysBetweenOrders is the mean number of days between a customer's
// distinct order days (same-day orders count once, as the models do),
// computed from the profile at once rather than by the nightly job; ok is
// false below two order days.
func avgDaysBetweenOrders(orders []time.Time) (float64, bool) {
	var first, last string
	days := 0
	for _, t := range orders { // sorted, oldest first
		d := t.UTC().Format(time.DateOnly)
		if d == last {
			continue
		}
		if first == "" {
			first = d
		}
		last = d
		days++
	}
	if days < 2 {
		return 0, false
	}
	f, _ := time.Parse(time.DateOnly, first)
	l, _ := time.Parse(time.DateOnly, last)
	return l.Sub(f).Hours() / 24 / float64(days-1), true
}

// Segments a profile can be in (docs/flows.md): usable in CEL as
// "repeat" in profile.segments.
const (
	SegmentSubscriber = "subscriber" // email consent, no order yet
	SegmentFirstTime  = "first_time" // exactly one order
	SegmentRepeat     = "repeat"     // two orders or more
	SegmentVIP        = "vip"        // five orders or more
	SegmentEngaged    = "engaged"    // opened or clicked within 90 days
	SegmentLapsed     = "lapsed"     // ordered before, nothing for 180 days
	SegmentChurnRisk  = "churn_risk" // predicted churn band high
)

// Segments lists the segments p is in at now (docs/flows.md "Segments").
func Segments(p *Profile, now time.Time) []string {
	out := []string{}
	if p == nil {
		return out
	}
	switch {
	case p.OrdersCount == 0 && p.Subscribed(event.ChannelEmail):
		out = append(out, SegmentSubscriber)
	case p.OrdersCount == 1:
		out = append(out, SegmentFirstTime)
	case p.OrdersCount >= 2:
		out = append(out, SegmentRepeat)
	}
	if p.OrdersCount >= 5 {
		out = append(out, SegmentVIP)
	}
	if p.LastEngagementAt != nil && now.Sub(*p.LastEngagementAt) <= 90*24*time.Hour {
		out = append(out, SegmentEngaged)
	}
	if p.LastOrderAt != nil && now.Sub(*p.LastOrderAt) > 180*24*time.Hour {
		out = append(out, SegmentLapsed)
	}
	if p.Predictions != nil && p.Predictions.ChurnBand == "high" {
		out = append(out, SegmentChurnRisk)
	}
	return out
}

// segments is Segments as CEL sees it.
func segments(p *Profile, now time.Time) []any {
	ss := Segments(p, now)
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// runMap is the map flows see as `run`.
func runMap(r *Run, trigger map[string]any) map[string]any {
	m := map[string]any{
		"id":         r.ID,
		"flow":       r.Flow,
		"version":    int64(r.Version),
		"key":        r.Key,
		"started_at": r.StartedAt,
		"event":      trigger,
		"customer":   map[string]any{},
	}
	if trigger != nil {
		if c, ok := trigger["customer"].(map[string]any); ok {
			m["customer"] = c
		}
	}
	if len(r.WaitedEvent) > 0 && string(r.WaitedEvent) != "null" {
		m["waited_event"] = eventMap(r.WaitedEvent)
	} else {
		m["waited_event"] = nil
	}
	return m
}

// shopMap is the map flows see as `shop`.
func shopMap(s ShopConfig) map[string]any {
	return map[string]any{"id": s.ID, "platform": s.Platform, "domain": s.Domain, "timezone": s.Timezone}
}

func first(list []string) string {
	if len(list) == 0 {
		return ""
	}
	return list[0]
}
