// Package jsoutbox binds the processor's Outbox to JetStream: send commands
// are published to stream OUTBOX with their id (run and step) as the message
// id, and every PubAck is awaited.
package jsoutbox

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/boomerang-dev/boomerang/adapters/jetstream"
	"github.com/boomerang-dev/boomerang/processor"
)

// Publisher stores one message and returns after its PubAck.
type Publisher interface {
	Publish(ctx context.Context, subject, msgID string, data []byte) (duplicate bool, err error)
}

// Outbox implements processor.Outbox.
type Outbox struct {
	pub Publisher
}

var _ processor.Outbox = (*Outbox)(nil)

var _ Publisher = (*jetstream.Publisher)(nil)

// New returns an Outbox publishing through pub.
func New(pub Publisher) *Outbox { return &Outbox{pub: pub} }

// PublishSends implements processor.Outbox.
func (o *Outbox) PublishSends(ctx context.Context, sends []processor.SendCommand) error {
	for i := range sends {
		s := &sends[i]
		b, err := json.Marshal(s)
		if err != nil {
			return fmt.Errorf("encoding send %s: %w", s.ID, err)
		}
		if _, err := o.pub.Publish(ctx, s.Subject(), s.ID, b); err != nil {
			return err
		}
	}
	return nil
}
