package cli

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/adapters/redis/redistest"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/flows/event"
	"github.com/boomerang-dev/boomerang/processor"
	"github.com/boomerang-dev/boomerang/processor/redisstore"
)

func TestPredictJobPublishesBandChanges(t *testing.T) {
	t.Parallel()
	env := redistest.Start(t)
	keys := redis.Keys{Prefix: env.Prefix}
	ctx := context.Background()
	timers, err := redis.NewTimers(redis.TimerConfig{Client: env.Client, Keys: keys})
	require.NoError(t, err)
	store := redisstore.New(redis.NewCustomerStore(env.Client, keys, timers))
	index := redis.NewDates(env.Client, keys)
	now := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	day := func(n int) time.Time { return now.AddDate(0, 0, -n) }
	put := func(c string, orders []time.Time, pred *processor.Predictions) {
		p := &processor.Profile{
			Key: c, Emails: []string{c[2:]}, OrdersCount: len(orders), TotalSpent: "40.00", Currency: "USD",
			OrderTimes: orders, Predictions: pred,
		}
		require.NoError(t, store.Commit(ctx, &processor.Commit{
			Shop: "demo", Customer: c, EventKey: "k", Profile: p,
			Effects: &processor.Effects{}, SeenTTL: time.Hour,
		}))
		require.NoError(t, index.Update(ctx, "demo", c, true, nil))
	}
	put("e:gone@example.com", []time.Time{day(400), day(370)}, &processor.Predictions{ChurnBand: "low", At: day(1)})
	put("e:steady@example.com", []time.Time{day(90), day(60), day(30), day(5)}, &processor.Predictions{ChurnBand: "low", At: day(1)})
	put("e:new@example.com", []time.Time{day(2)}, nil)
	put("e:browser@example.com", nil, nil)

	reg, err := shop.NewRegistry(shop.Demo("s"))
	require.NoError(t, err)
	pub := &published{msgs: map[string][]byte{}}
	job := newPredictJob(dailyJob{shops: reg, timers: timers, rdb: env.Client, keys: keys, now: func() time.Time { return now }, log: zap.NewNop()},
		store, index, pub)
	demo, _ := reg.Get("demo")
	require.NoError(t, job.do(ctx, demo, now))

	got := map[string]*event.Prediction{}
	for _, b := range pub.msgs {
		var ev event.Event
		require.NoError(t, json.Unmarshal(b, &ev))
		require.Equal(t, event.PredictionUpdated, ev.Type)
		require.NoError(t, ev.Validate())
		got[ev.Customer.Email] = ev.Data.(*event.Prediction)
	}
	require.Len(t, got, 2, "the steady customer's band did not move and is a day old: nothing to say")
	require.Equal(t, "high", got["gone@example.com"].ChurnBand)
	require.Equal(t, "low", got["gone@example.com"].PreviousBand)
	require.Equal(t, "rfm", got["gone@example.com"].Model, "a shop this small gets recency bands")
	require.Empty(t, got["new@example.com"].PreviousBand, "a first prediction")
	require.Equal(t, "USD", got["new@example.com"].Currency)
}
