package cli

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/adapters/redis/redistest"
	"github.com/boomerang-dev/boomerang/flows/event"
	"github.com/boomerang-dev/boomerang/processor"
	"github.com/boomerang-dev/boomerang/processor/redisstore"
	"github.com/boomerang-dev/boomerang/processor/send"
)

func TestExplainShowsRunsStepsAndWhyMessagesWereNotSent(t *testing.T) {
	t.Parallel()
	env := redistest.Start(t)
	keys := redis.Keys{Prefix: env.Prefix}
	ctx := context.Background()
	timers, err := redis.NewTimers(redis.TimerConfig{Client: env.Client, Keys: keys})
	require.NoError(t, err)
	store := redisstore.New(redis.NewCustomerStore(env.Client, keys, timers))
	t0 := time.Date(2026, 3, 14, 13, 58, 0, 0, time.UTC)
	cust := "e:ann@example.com"
	done := &processor.Run{
		ID: "ac-1", Flow: "abandoned-checkout", Version: 2, Key: "ck-1", Shop: "demo", Customer: cust,
		Status: processor.RunExited, ExitReason: processor.ReasonExitOn, ExitDetail: "order.placed",
		Steps: []processor.StepLog{
			{Action: "start", At: t0, Detail: "checkout.updated"},
			{Step: "reminder", Action: "send", At: t0.Add(time.Hour), Detail: "email abandoned-checkout-reminder"},
			{Step: "nudge", Action: "send", At: t0.Add(25 * time.Hour), Detail: "sms abandoned-checkout-sms"},
			{Action: processor.RunExited, At: t0.Add(30 * time.Hour), Detail: "exit_on order.placed"},
		},
	}
	active := &processor.Run{
		ID: "ws-1", Flow: "welcome-series", Version: 2, Shop: "demo", Customer: cust, Status: processor.RunActive,
		Steps: []processor.StepLog{{Action: "start", At: t0.Add(2 * time.Hour), Detail: "customer.created"}},
	}
	require.NoError(t, store.Commit(ctx, &processor.Commit{
		Shop: "demo", Customer: cust, EventKey: "k1",
		Profile: &processor.Profile{
			Key: cust, OrdersCount: 1, TotalSpent: "19.00", Currency: "USD",
			Consent: map[string]processor.ConsentRecord{"email": {State: event.ConsentSubscribed, Source: "checkout", At: t0}},
		},
		Runs: []*processor.Run{active}, Finished: []*processor.Run{done}, Effects: &processor.Effects{}, SeenTTL: time.Hour,
	}))
	rec := outboxRecorder{store: redis.NewOutboxStore(env.Client, keys)}
	require.NoError(t, rec.Record(ctx, &send.Record{Cmd: &processor.SendCommand{
		ID: "ac-1:reminder", Shop: "demo", Flow: "abandoned-checkout", Run: "ac-1", Step: "reminder", Channel: "email",
		To: "ann@example.com", Template: "abandoned-checkout-reminder", Category: "marketing",
	}, Status: send.StatusSent, At: t0.Add(time.Hour)}))
	require.NoError(t, rec.Record(ctx, &send.Record{Cmd: &processor.SendCommand{
		ID: "ac-1:nudge", Shop: "demo", Flow: "abandoned-checkout", Run: "ac-1", Step: "nudge", Channel: "sms",
		To: "+15005550006", Template: "abandoned-checkout-sms", Category: "marketing",
	}, Status: send.StatusSkipped, Reason: send.ReasonNoConsent, At: t0.Add(25 * time.Hour)}))

	lines, profile, err := explainCustomer(ctx, env.Client, keys, "demo", customerKeyOf("Ann@Example.com"))
	require.NoError(t, err)
	require.NotNil(t, profile)
	var got [][4]string
	for _, l := range lines {
		got = append(got, [4]string{l.At.Format(time.RFC3339), l.Flow + " " + l.Step, l.Action, l.Reason})
	}
	require.Equal(t, [][4]string{
		{"2026-03-14T13:58:00Z", "abandoned-checkout ", "start", ""},
		{"2026-03-14T14:58:00Z", "abandoned-checkout reminder", "send", ""},
		{"2026-03-14T15:58:00Z", "welcome-series ", "start", ""},
		{"2026-03-15T14:58:00Z", "abandoned-checkout nudge", "skip", "consent"},
		{"2026-03-15T19:58:00Z", "abandoned-checkout ", "exit", "exit_on"},
	}, got)
	require.Equal(t, "+15005550006", lines[3].To)
	require.Equal(t, "order.placed", lines[4].Detail)

	var out bytes.Buffer
	require.NoError(t, printExplain(&out, "demo", "e:ann@example.com", profile, lines))
	require.Contains(t, out.String(), "email consent: subscribed (from checkout, 2026-03-14T13:58:00Z)")
	require.Contains(t, out.String(), "skip sms abandoned-checkout-sms to +15005550006 (consent)")

	require.Equal(t, "p:+15005550006", customerKeyOf("+15005550006"))
	require.Equal(t, "i:820982911946154508", customerKeyOf("820982911946154508"))
	require.Equal(t, "e:ann@example.com", customerKeyOf("e:ann@example.com"))
}
