package jetstream_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/jetstream"
	"github.com/boomerang-dev/boomerang/adapters/jetstream/jetstreamtest"
)

type retryLaterError time.Duration

func (r retryLaterError) Error() string             { return "rate limited" }
func (r retryLaterError) RetryAfter() time.Duration { return time.Duration(r) }

func TestWorkerAckTermAndRetry(t *testing.T) {
	t.Parallel()
	srv := jetstreamtest.Start(t)
	ctx := context.Background()

	var mu sync.Mutex
	attempts := map[string]int{}
	done := make(chan string, 16)
	w, err := jetstream.NewWorker(srv.Conn.JS, jetstream.WorkerConfig{
		Stream: jetstream.StreamFetch, Durable: "test", FilterSubject: "fetch.>",
		Backoff: func(uint64) time.Duration { return 10 * time.Millisecond },
		Handler: func(_ context.Context, subject string, data []byte) error {
			mu.Lock()
			attempts[string(data)]++
			n := attempts[string(data)]
			mu.Unlock()
			switch string(data) {
			case "ok":
			case "poison":
				done <- "poison"
				return fmt.Errorf("bad: %w", jetstream.ErrPermanent)
			case "flaky":
				if n < 3 {
					return errors.New("temporary")
				}
			case "limited":
				if n < 2 {
					return retryLaterError(20 * time.Millisecond)
				}
			}
			done <- string(data)
			return nil
		},
	})
	require.NoError(t, err)
	require.NoError(t, w.Start(ctx))
	t.Cleanup(func() { w.Stop(context.Background()) })

	pub := jetstream.NewPublisher(srv.Conn.JS)
	for _, body := range []string{"ok", "poison", "flaky", "limited"} {
		_, err := pub.Publish(ctx, "fetch.test.shop", body, []byte(body))
		require.NoError(t, err)
	}
	got := map[string]bool{}
	timeout := time.After(10 * time.Second)
	for len(got) < 4 {
		select {
		case d := <-done:
			got[d] = true
		case <-timeout:
			t.Fatalf("only %v finished", got)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, 1, attempts["ok"])
	require.Equal(t, 1, attempts["poison"], "a permanent failure is not redelivered")
	require.Equal(t, 3, attempts["flaky"])
	require.Equal(t, 2, attempts["limited"])
}

func TestWorkerStopBeforeStart(t *testing.T) {
	t.Parallel()
	srv := jetstreamtest.Start(t)
	w, err := jetstream.NewWorker(srv.Conn.JS, jetstream.WorkerConfig{
		Stream: jetstream.StreamFetch, Durable: "x",
		Handler: func(context.Context, string, []byte) error { return nil },
	})
	require.NoError(t, err)
	w.Stop(context.Background())
	w.Stop(context.Background())
}

func TestWorkerBatchesWaitingMessages(t *testing.T) {
	t.Parallel()
	srv := jetstreamtest.Start(t)
	ctx := context.Background()
	pub := jetstream.NewPublisher(srv.Conn.JS)
	const n = 200
	for i := range n {
		_, err := pub.Publish(ctx, "fetch.test.shop", fmt.Sprint(i), []byte(fmt.Sprint(i)))
		require.NoError(t, err)
	}
	var mu sync.Mutex
	seen := map[string]int{}
	largest := 0
	all := make(chan struct{})
	w, err := jetstream.NewWorker(srv.Conn.JS, jetstream.WorkerConfig{
		Stream: jetstream.StreamFetch, Durable: "batch", Workers: 2, MaxBatch: 8,
		BatchHandler: func(_ context.Context, items []jetstream.BatchItem) []error {
			mu.Lock()
			defer mu.Unlock()
			largest = max(largest, len(items))
			errs := make([]error, len(items))
			for i, it := range items {
				seen[string(it.Data)]++
				if string(it.Data) == "7" && seen["7"] == 1 {
					errs[i] = errors.New("once more") // redelivered after the backoff
				}
			}
			if len(seen) == n && seen["7"] == 2 {
				close(all)
			}
			return errs
		},
		Backoff: func(uint64) time.Duration { return 10 * time.Millisecond },
	})
	require.NoError(t, err)
	require.NoError(t, w.Start(ctx))
	t.Cleanup(func() { w.Stop(context.Background()) })
	select {
	case <-all:
	case <-time.After(10 * time.Second):
		t.Fatal("not every message was handled")
	}
	mu.Lock()
	defer mu.Unlock()
	require.LessOrEqual(t, largest, 8)
	require.Greater(t, largest, 1, "a backlog is handed over in batches")
	for k, c := range seen {
		if k != "7" {
			require.Equal(t, 1, c, "message %s", k)
		}
	}
}
