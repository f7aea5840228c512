package jetstream_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/jetstream"
	"github.com/boomerang-dev/boomerang/adapters/jetstream/jetstreamtest"
)

func TestPublishBatchStoresEveryMessageOnce(t *testing.T) {
	t.Parallel()
	srv := jetstreamtest.Start(t)
	pub := jetstream.NewPublisher(srv.Conn.JS)
	ctx := context.Background()

	msgs := make([]jetstream.BatchMsg, 1300) // more than one window
	for i := range msgs {
		msgs[i] = jetstream.BatchMsg{
			Subject: "events.demo.timer.fired", MsgID: fmt.Sprintf("t%d:1", i), Data: []byte(fmt.Sprint(i)),
		}
	}
	require.NoError(t, pub.PublishBatch(ctx, msgs))
	// Again: every message is a duplicate, acknowledged and not stored.
	require.NoError(t, pub.PublishBatch(ctx, msgs[:700]))
	require.NoError(t, pub.PublishBatch(ctx, nil))

	got := srv.Messages(t, jetstream.StreamEvents, "events.demo.timer.fired")
	require.Len(t, got, len(msgs))
	for i, m := range got {
		require.Equal(t, msgs[i].MsgID, m.Header.Get("Nats-Msg-Id"), "in order")
		require.Equal(t, msgs[i].Data, m.Data)
	}
}

func TestPublishBatchReportsFailures(t *testing.T) {
	t.Parallel()
	srv := jetstreamtest.Start(t)
	pub := jetstream.NewPublisher(srv.Conn.JS)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := pub.PublishBatch(ctx, []jetstream.BatchMsg{{Subject: "events.demo.x", MsgID: "a"}})
	require.ErrorIs(t, err, context.Canceled, "an ended context stops the wait")

	// No stream captures the subject: JetStream never acknowledges.
	err = pub.PublishBatch(context.Background(), []jetstream.BatchMsg{
		{Subject: "events.demo.ok", MsgID: "ok"}, {Subject: "nostream.x", MsgID: "b"},
	})
	require.ErrorContains(t, err, "nostream.x")

	srv.Embedded.Shutdown()
	err = pub.PublishBatch(context.Background(), []jetstream.BatchMsg{{Subject: "events.demo.x", MsgID: "c"}})
	require.Error(t, err, "the server is down")
}
