package processor

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestAverageDaysBetweenOrders(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 3, 1, 22, 0, 0, 0, time.UTC)
	// Two orders on one day count once; then 10 and 20 days later.
	p := &Profile{OrderTimes: []time.Time{t0, t0.Add(time.Hour), t0.AddDate(0, 0, 10), t0.AddDate(0, 0, 30)}}
	pred := profileMap(p, t0.AddDate(0, 0, 31))["predictions"].(map[string]any)
	require.InDelta(t, 15.0, pred["avg_days_between_orders"], 1e-9)

	one := profileMap(&Profile{OrderTimes: []time.Time{t0, t0.Add(time.Hour)}}, t0)["predictions"].(map[string]any)
	require.NotContains(t, one, "avg_days_between_orders", "one order day has no interval")
}
