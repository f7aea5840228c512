package jetstream

import (
	"context"
	"fmt"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// BatchMsg is one message of a batch publish.
type BatchMsg struct {
	// Subject to publish on; a stream must capture it.
	Subject string
	// MsgID is the dedup id (Nats-Msg-Id): a second message with the same
	// id within the stream's window is acknowledged but not stored.
	MsgID string
	// Data is the message body.
	Data []byte
}

// batchWindow bounds the messages of one batch in flight at once, well under
// the JetStream context's async limit (4,000 by default), past which
// PublishMsgAsync stalls and then fails.
const batchWindow = 512

// PublishBatch publishes msgs with asynchronous PubAcks and returns once
// every message is acknowledged (stored, or recognised as a duplicate), or
// when ctx ends. It returns the first error in message order; nil means
// every message is in its stream. Messages go out in windows of 512, each
// window's acks awaited before the next. After a failure the remaining
// messages are not sent: the caller retries the batch, and the message ids
// drop what was stored already.
func (p *Publisher) PublishBatch(ctx context.Context, msgs []BatchMsg) error {
	futures := make([]jetstream.PubAckFuture, 0, min(len(msgs), batchWindow))
	for start := 0; start < len(msgs); start += batchWindow {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("publishing a batch: %w", err)
		}
		window := msgs[start:min(start+batchWindow, len(msgs))]
		futures = futures[:0]
		var sendErr error
		for i := range window {
			m := &window[i]
			msg := &nats.Msg{Subject: m.Subject, Data: m.Data}
			if m.MsgID != "" {
				msg.Header = nats.Header{jetstream.MsgIDHeader: []string{m.MsgID}}
			}
			f, err := p.js.PublishMsgAsync(msg)
			if err != nil {
				sendErr = fmt.Errorf("publishing to %s: %w", m.Subject, err)
				break
			}
			futures = append(futures, f)
		}
		if err := awaitAcks(ctx, futures); err != nil {
			return err
		}
		if sendErr != nil {
			return sendErr
		}
	}
	return nil
}

// awaitAcks waits for every future and returns the first error in order.
func awaitAcks(ctx context.Context, futures []jetstream.PubAckFuture) error {
	var first error
	for _, f := range futures {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			if first == nil {
				first = fmt.Errorf("publishing to %s: %w", f.Msg().Subject, err)
			}
		case <-ctx.Done():
			return fmt.Errorf("waiting for %d acks: %w", len(futures), ctx.Err())
		}
	}
	return first
}
