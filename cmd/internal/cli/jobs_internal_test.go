package cli

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/adapters/redis/redistest"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/flows/event"
	"github.com/boomerang-dev/boomerang/processor"
	"github.com/boomerang-dev/boomerang/processor/dates"
)

// published keeps what an eventPublisher was given.
type published struct {
	mu   sync.Mutex
	msgs map[string][]byte
	fail bool
}

func (p *published) Publish(_ context.Context, _, msgID string, data []byte) (bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fail {
		return false, context.DeadlineExceeded
	}
	_, dup := p.msgs[msgID]
	p.msgs[msgID] = data
	return dup, nil
}

func TestDatesJobRunsOncePerDayAndReschedules(t *testing.T) {
	t.Parallel()
	env := redistest.Start(t)
	keys := redis.Keys{Prefix: env.Prefix}
	ctx := context.Background()
	timers, err := redis.NewTimers(redis.TimerConfig{Client: env.Client, Keys: keys})
	require.NoError(t, err)
	index := dateIndexSeam{redis.NewDates(env.Client, keys)}
	require.NoError(t, index.Update(ctx, "demo", "e:ann@example.com", true, []processor.DateMove{{Kind: "birthday", To: "03-20"}}))
	reg, err := shop.NewRegistry(shop.Demo("s"))
	require.NoError(t, err)
	pub := &published{msgs: map[string][]byte{}}
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	now := time.Date(2026, 3, 20, 9, 30, 0, 0, ny)
	job := newDatesJob(dailyJob{
		shops: reg, timers: timers, rdb: env.Client, keys: keys, now: func() time.Time { return now }, log: zap.NewNop(),
	}, &dates.Job{Index: index}, pub)
	require.NoError(t, job.schedule(ctx))
	midnight := time.Date(2026, 3, 20, 0, 0, 0, 0, ny)
	claimed, err := timers.Claim(ctx, timers.ShardOf(job.timerID("demo")), now, 10)
	require.NoError(t, err)
	require.Len(t, claimed, 1, "today's midnight, already due: a job missed while down runs at once")
	require.True(t, claimed[0].Due.Equal(midnight))

	fired, err := processor.TimerFired(claimed[0].ID, claimed[0].Due, string(claimed[0].Payload), now)
	require.NoError(t, err)
	require.True(t, job.handles(fired))

	pub.fail = true
	require.Error(t, job.run(ctx, fired), "a publish failure is retried")
	pub.fail = false
	require.NoError(t, job.run(ctx, fired))
	require.Len(t, pub.msgs, 1)
	for _, b := range pub.msgs {
		var ev event.Event
		require.NoError(t, json.Unmarshal(b, &ev))
		require.Equal(t, event.DateReached, ev.Type)
		require.Equal(t, "ann@example.com", ev.Customer.Email)
		require.Equal(t, &event.DateEvent{Kind: "birthday", Date: "2026-03-20"}, ev.Data)
	}
	require.NoError(t, job.run(ctx, fired), "a second run of the day")
	require.Len(t, pub.msgs, 1, "publishes nothing more")

	next, err := timers.Claim(ctx, timers.ShardOf(job.timerID("demo")), midnight.AddDate(0, 0, 1), 10)
	require.NoError(t, err)
	require.Len(t, next, 1, "the next midnight is scheduled")
	require.True(t, next[0].Due.Equal(midnight.AddDate(0, 0, 1)))
}
