package processor_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/adapters/redis/redistest"
	"github.com/boomerang-dev/boomerang/flows"
	"github.com/boomerang-dev/boomerang/flows/event"
	"github.com/boomerang-dev/boomerang/processor"
	"github.com/boomerang-dev/boomerang/processor/redisstore"
)

// dateCalls records the engine's date-index updates.
type dateCalls struct {
	mu    sync.Mutex
	calls []string
}

func (d *dateCalls) Update(_ context.Context, shop, customer string, isNew bool, moves []processor.DateMove) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := shop + " " + customer
	if isNew {
		s += " new"
	}
	for _, m := range moves {
		s += " " + m.Kind + ":" + m.From + ">" + m.To
	}
	d.calls = append(d.calls, s)
	return nil
}

const surveyFlow = `id: profile-survey
name: Survey
version: 1
trigger: {event: survey.submitted}
reentry: always
steps:
  - update: {set: {birthday: 'event.data.answers.?birthday.orValue("")'}}
`

func TestEngineIndexesDates(t *testing.T) {
	t.Parallel()
	env := redistest.Start(t)
	keys := redis.Keys{Prefix: env.Prefix}
	timers, err := redis.NewTimers(redis.TimerConfig{Client: env.Client, Keys: keys})
	require.NoError(t, err)
	f, errs := flows.Parse("survey.yaml", []byte(surveyFlow))
	require.Empty(t, errs)
	p, err := flows.Compile(f)
	require.NoError(t, err)
	set, err := flows.NewSet(p)
	require.NoError(t, err)
	idx := &dateCalls{}
	e, err := processor.New(processor.Config{
		Flows: set, State: redisstore.New(redis.NewCustomerStore(env.Client, keys, timers)),
		Timers: timersSeam{timers}, Outbox: &recorder{}, Dates: idx,
		Shops: shops{"demo": {ID: "demo", Timezone: "America/New_York"}},
		Now:   func() time.Time { return t0 },
	})
	require.NoError(t, err)
	ctx := context.Background()
	cust := &event.Customer{Email: "ann@example.com"}
	mk := func(id string, typ event.Type, at time.Time, data any) *event.Event {
		return &event.Event{
			SchemaVersion: 1, ID: id, Key: id, Type: typ, Shop: "demo", Platform: "shopify",
			OccurredAt: at, ReceivedAt: at, Customer: cust, Data: data,
		}
	}
	// 02:00 UTC on 2 July is 1 July in New York: the anniversary is the
	// shop's day.
	require.NoError(t, e.Handle(ctx, mk("o1", event.OrderPlaced, time.Date(2026, 7, 2, 2, 0, 0, 0, time.UTC),
		&event.Order{ID: "1", Email: "ann@example.com", Currency: "USD", Total: "5.00"})))
	require.NoError(t, e.Handle(ctx, mk("s1", event.SurveySubmitted, t0,
		&event.Survey{Survey: "profile", Answers: map[string]string{"birthday": "1990-03-20"}})))
	require.NoError(t, e.Handle(ctx, mk("s2", event.SurveySubmitted, t0.Add(time.Hour),
		&event.Survey{Survey: "profile", Answers: map[string]string{"birthday": "03-21"}})))
	require.NoError(t, e.Handle(ctx, mk("o2", event.OrderPlaced, t0.Add(2*time.Hour),
		&event.Order{ID: "2", Email: "ann@example.com", Currency: "USD", Total: "5.00"})))
	require.Equal(t, []string{
		"demo e:ann@example.com new anniversary:2026:>07-01",
		"demo e:ann@example.com birthday:>03-20",
		"demo e:ann@example.com birthday:03-20>03-21",
	}, idx.calls, "a second order moves nothing")
}

// shops is a fixed shop configuration.
type shops map[string]processor.ShopConfig

func (s shops) Shop(id string) (processor.ShopConfig, bool) { c, ok := s[id]; return c, ok }
