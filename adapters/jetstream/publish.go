package jetstream

import (
	"context"
	"fmt"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Publisher publishes synchronously: Publish returns only once JetStream has
// stored the message (PubAck) or refused it.
type Publisher struct {
	js jetstream.JetStream
}

// NewPublisher returns a Publisher on js.
func NewPublisher(js jetstream.JetStream) *Publisher { return &Publisher{js: js} }

// Publish stores data on subject with msgID as the dedup id and waits for the
// PubAck. A duplicate within the stream's window is acknowledged without
// being stored again; duplicate reports whether that happened.
func (p *Publisher) Publish(ctx context.Context, subject, msgID string, data []byte) (duplicate bool, err error) {
	msg := nats.NewMsg(subject)
	msg.Data = data
	msg.Header.Set(jetstream.MsgIDHeader, msgID)
	ack, err := p.js.PublishMsg(ctx, msg)
	if err != nil {
		return false, fmt.Errorf("publishing to %s: %w", subject, err)
	}
	return ack.Duplicate, nil
}
