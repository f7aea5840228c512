package processor_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/flows/event"
	"github.com/boomerang-dev/boomerang/processor"
)

func TestSegmentsFollowTheDocumentedRules(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	ago := func(days int) *time.Time { t := now.AddDate(0, 0, -days); return &t }
	subscribed := map[string]processor.ConsentRecord{event.ChannelEmail: {State: event.ConsentSubscribed}}
	for _, c := range []struct {
		p    *processor.Profile
		want []string
	}{
		{nil, []string{}},
		{&processor.Profile{}, []string{}},
		{&processor.Profile{Consent: subscribed}, []string{"subscriber"}},
		{&processor.Profile{Consent: subscribed, OrdersCount: 1, LastOrderAt: ago(10)}, []string{"first_time"}},
		{&processor.Profile{OrdersCount: 5, LastOrderAt: ago(181), LastEngagementAt: ago(90)}, []string{"repeat", "vip", "engaged", "lapsed"}},
		{
			&processor.Profile{OrdersCount: 2, LastOrderAt: ago(180), LastEngagementAt: ago(91), Predictions: &processor.Predictions{ChurnBand: "high"}},
			[]string{"repeat", "churn_risk"},
		},
	} {
		require.Equal(t, c.want, processor.Segments(c.p, now), "%+v", c.p)
	}
}
