package jetstream_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/jetstream"
	"github.com/boomerang-dev/boomerang/adapters/jetstream/jetstreamtest"
)

func TestPoisonAndExhaustedMessagesLandInTheDLQ(t *testing.T) {
	t.Parallel()
	srv := jetstreamtest.Start(t)
	ctx := context.Background()
	mover, err := jetstream.StartDLQMover(srv.Conn, jetstream.StreamEvents, "proc", nil)
	require.NoError(t, err)
	t.Cleanup(mover.Stop)
	w, err := jetstream.NewWorker(srv.Conn.JS, jetstream.WorkerConfig{
		Stream: jetstream.StreamEvents, Durable: "proc", MaxDeliver: 2,
		Backoff: func(uint64) time.Duration { return 5 * time.Millisecond },
		Handler: func(_ context.Context, _ string, data []byte) error {
			if string(data) == "poison" {
				return jetstream.ErrPermanent
			}
			return errors.New("always failing")
		},
	})
	require.NoError(t, err)
	require.NoError(t, w.Start(ctx))
	t.Cleanup(func() { w.Stop(context.Background()) })
	pub := jetstream.NewPublisher(srv.Conn.JS)
	_, err = pub.Publish(ctx, "events.s.order.placed", "a", []byte("poison"))
	require.NoError(t, err)
	_, err = pub.Publish(ctx, "events.s.order.placed", "b", []byte("flaky"))
	require.NoError(t, err)

	require.Eventually(t, func() bool {
		return len(srv.Messages(t, jetstream.StreamDLQ, "dlq.EVENTS")) == 2
	}, 10*time.Second, 20*time.Millisecond)
	byReason := map[string]string{}
	for _, m := range srv.Messages(t, jetstream.StreamDLQ, "dlq.EVENTS") {
		require.Equal(t, "events.s.order.placed", m.Header.Get(jetstream.HeaderDLQSubject))
		byReason[string(m.Data)] = m.Header.Get(jetstream.HeaderDLQReason)
	}
	require.Equal(t, "max deliveries", byReason["flaky"])
	require.NotEqual(t, "max deliveries", byReason["poison"])
}
