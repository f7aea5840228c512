package cli_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/flows/event"
)

// writeBusyDay writes n canonical events of a busy store's day: half product
// views, 30 % checkouts (60 % with email consent), 20 % orders, for n/4
// customers and 200 products, evenly over 24 hours (docs/performance.md
// "Replay" measured the same mix at 100,000 events).
func writeBusyDay(tb testing.TB, n int) string {
	tb.Helper()
	r := rand.New(rand.NewPCG(7, 7))
	t0 := time.Date(2026, 11, 27, 5, 0, 0, 0, time.UTC)
	var b strings.Builder
	for i := range n {
		at := t0.Add(time.Duration(i) * 24 * time.Hour / time.Duration(n))
		c := r.IntN(max(1, n/4))
		email := fmt.Sprintf("c%d@example.com", c)
		item := event.LineItem{ProductID: fmt.Sprint(1000 + r.IntN(200)), Title: "Item", Quantity: 1, Price: "19.00"}
		ev := &event.Event{
			SchemaVersion: event.SchemaVersion, Shop: "demo", Platform: "shopify", OccurredAt: at, ReceivedAt: at,
			Customer: &event.Customer{Email: email}, Source: event.Source{Topic: "x"},
		}
		switch p := r.Float64(); {
		case p < 0.5:
			ev.ID, ev.Type = fmt.Sprintf("v%d", i), event.ProductViewed
			ev.Data = &event.ProductView{ProductID: item.ProductID, Title: "Item", Price: "19.00", Currency: "USD"}
		case p < 0.8:
			ev.ID, ev.Type = fmt.Sprintf("k%d", i), event.CheckoutUpdated
			ev.Data = &event.Checkout{
				Token: fmt.Sprintf("ck%d", c), Email: email, Currency: "USD", AcceptsEmailMarketing: r.Float64() < 0.6,
				LineItems: []event.LineItem{item}, Total: "19.00", UpdatedAt: at,
			}
		default:
			ev.ID, ev.Type = fmt.Sprintf("o%d", i), event.OrderPlaced
			ev.Data = &event.Order{
				ID: fmt.Sprint(i), CheckoutToken: fmt.Sprintf("ck%d", c), Email: email, Currency: "USD",
				Total: "19.00", LineItems: []event.LineItem{item}, AcceptsMarketing: r.Float64() < 0.5,
			}
		}
		ev.Key = string(ev.Type) + ":" + ev.ID
		line, err := json.Marshal(ev)
		require.NoError(tb, err)
		b.Write(line)
		b.WriteByte('\n')
	}
	file := filepath.Join(tb.TempDir(), "day.jsonl")
	require.NoError(tb, os.WriteFile(file, []byte(b.String()), 0o600))
	return file
}

// BenchmarkReplayBusyDay replays 10,000 events of a busy day through every
// built-in flow, the clock running 30 days past the last: events/s is the
// replay's throughput (docs/performance.md "Replay").
func BenchmarkReplayBusyDay(b *testing.B) {
	const n = 10000
	file := writeBusyDay(b, n)
	b.ResetTimer()
	for b.Loop() {
		code, _, errOut := run(b, []string{"replay", "--events", file}, "", nil)
		require.Equal(b, 0, code, errOut)
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "events/s")
}
