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

// conversions records the engine's conversions and answers split winners.
type conversions struct {
	mu      sync.Mutex
	got     []processor.Conversion
	winners map[string]string
}

func (c *conversions) Converted(_ context.Context, cv processor.Conversion) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.got = append(c.got, cv)
	return nil
}

func (c *conversions) Winner(_ context.Context, _, flow, step string) (string, bool) {
	a, ok := c.winners[flow+"|"+step]
	return a, ok
}

const splitFlow = `id: welcome-test
name: Welcome test
version: 1
trigger: {event: customer.created}
reentry: always
steps:
  - split:
      id: subject
      paths:
        - {name: a, weight: 1, steps: [{send: {id: sa, channel: email, template: welcome, category: marketing}}]}
        - {name: b, weight: 1, steps: [{send: {id: sb, channel: email, template: welcome, category: marketing}}]}
`

func TestOrdersAreAttributedToTheMessageThatEarnedThem(t *testing.T) {
	t.Parallel()
	env := redistest.Start(t)
	keys := redis.Keys{Prefix: env.Prefix}
	timers, err := redis.NewTimers(redis.TimerConfig{Client: env.Client, Keys: keys})
	require.NoError(t, err)
	f, errs := flows.Parse("split.yaml", []byte(splitFlow))
	require.Empty(t, errs)
	p, err := flows.Compile(f)
	require.NoError(t, err)
	set, err := flows.NewSet(p)
	require.NoError(t, err)
	conv := &conversions{winners: map[string]string{}}
	out := &recorder{}
	e, err := processor.New(processor.Config{
		Flows: set, State: redisstore.New(redis.NewCustomerStore(env.Client, keys, timers)),
		Timers: timersSeam{timers}, Outbox: out, Stats: conv, Splits: conv,
		Now: func() time.Time { return t0 },
	})
	require.NoError(t, err)
	ctx := context.Background()
	n := 0
	on := func(email string, typ event.Type, at time.Time, data any) {
		n++
		id := string(typ) + ":" + email + ":" + time.Duration(n).String()
		require.NoError(t, e.Handle(ctx, &event.Event{
			SchemaVersion: 1, ID: id, Key: id, Type: typ, Shop: "demo",
			Platform: "shopify", OccurredAt: at, ReceivedAt: at, Customer: &event.Customer{Email: email}, Data: data,
		}))
	}
	msg := func(typ event.Type, email string, at time.Time, flow, split string) {
		on(email, typ, at, &event.Message{MessageID: "m-" + email, Channel: "email", Flow: flow, Split: split})
	}
	order := func(email string, at time.Time, total string) {
		on(email, event.OrderPlaced, at, &event.Order{ID: "o-" + email + at.String(), Email: email, Currency: "USD", Total: event.Decimal(total)})
	}

	// A click 4 days before the order: the click's message earns it.
	msg(event.MessageSent, "ann@example.com", t0, "welcome-test", "subject=a")
	msg(event.MessageClicked, "ann@example.com", t0.Add(time.Hour), "", "")
	order("ann@example.com", t0.Add(4*24*time.Hour), "42.50")
	// An open 2 days before: outside the 1-day view window, no conversion.
	msg(event.MessageSent, "bo@example.com", t0, "welcome-test", "subject=b")
	msg(event.MessageOpened, "bo@example.com", t0.Add(time.Hour), "", "")
	order("bo@example.com", t0.Add(49*time.Hour), "10.00")
	// An open 3 hours before: converted, and the split arm comes from the send.
	msg(event.MessageSent, "cy@example.com", t0, "welcome-test", "subject=b")
	msg(event.MessageOpened, "cy@example.com", t0.Add(time.Hour), "", "")
	order("cy@example.com", t0.Add(4*time.Hour), "5.00")
	// Sent only: no engagement, no conversion.
	msg(event.MessageSent, "di@example.com", t0, "welcome-test", "")
	order("di@example.com", t0.Add(time.Hour), "5.00")

	require.Len(t, conv.got, 2)
	require.Equal(t, "welcome-test", conv.got[0].Flow)
	require.Equal(t, "subject=a", conv.got[0].Split)
	require.Equal(t, "42.50", conv.got[0].Revenue)
	require.Equal(t, "m-ann@example.com", conv.got[0].Message)
	require.Equal(t, "subject=b", conv.got[1].Split)

	// A decided split sends every new run down the winner.
	conv.winners["welcome-test|subject"] = "b"
	for i := range 20 {
		on("new"+time.Duration(i).String()+"@example.com", event.CustomerCreated, t0.Add(time.Duration(i)*time.Minute),
			&event.CustomerData{ID: "c"})
	}
	for _, s := range out.all() {
		require.Equal(t, "sb", s.Step)
		require.Equal(t, "subject=b", s.Split)
	}
	require.Len(t, out.all(), 20)
}
