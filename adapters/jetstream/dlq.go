package jetstream

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"go.uber.org/zap"
)

// Headers the dead-letter mover adds to a copied message.
const (
	HeaderDLQStream     = "Boomerang-Dlq-Stream"
	HeaderDLQSubject    = "Boomerang-Dlq-Subject"
	HeaderDLQSequence   = "Boomerang-Dlq-Sequence"
	HeaderDLQConsumer   = "Boomerang-Dlq-Consumer"
	HeaderDLQDeliveries = "Boomerang-Dlq-Deliveries"
	HeaderDLQReason     = "Boomerang-Dlq-Reason"
)

// advisory is the part of JetStream's max-deliveries and terminated
// advisories the mover reads.
type advisory struct {
	Stream     string `json:"stream"`
	Consumer   string `json:"consumer"`
	StreamSeq  uint64 `json:"stream_seq"`
	Deliveries uint64 `json:"deliveries"`
	Reason     string `json:"reason"`
}

// DLQMover copies messages that exhausted their deliveries (or were
// terminated) from their stream to stream DLQ, on subject dlq.<stream>, with
// headers naming where they came from. Every replica may run one: the copy's
// message id is the stream and sequence, so JetStream keeps one.
type DLQMover struct {
	conn *Conn
	log  *zap.Logger
	subs []*nats.Subscription
}

// StartDLQMover subscribes to the advisories of consumer on stream.
func StartDLQMover(conn *Conn, stream, consumer string, log *zap.Logger) (*DLQMover, error) {
	if log == nil {
		log = zap.NewNop()
	}
	m := &DLQMover{conn: conn, log: log}
	for _, kind := range []string{"MAX_DELIVERIES", "MSG_TERMINATED"} {
		subject := "$JS.EVENT.ADVISORY.CONSUMER." + kind + "." + stream + "." + consumer
		sub, err := conn.NC.Subscribe(subject, m.move)
		if err != nil {
			m.Stop()
			return nil, fmt.Errorf("subscribing to %s: %w", subject, err)
		}
		m.subs = append(m.subs, sub)
	}
	return m, nil
}

func (m *DLQMover) move(msg *nats.Msg) {
	var a advisory
	if err := json.Unmarshal(msg.Data, &a); err != nil || a.Stream == "" {
		m.log.Warn("unreadable jetstream advisory", zap.Error(err))
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, err := m.conn.JS.Stream(ctx, a.Stream)
	if err != nil {
		m.log.Error("dead letter: stream not found", zap.String("stream", a.Stream), zap.Error(err))
		return
	}
	orig, err := st.GetMsg(ctx, a.StreamSeq)
	if err != nil {
		m.log.Error("dead letter: message gone", zap.String("stream", a.Stream), zap.Uint64("seq", a.StreamSeq), zap.Error(err))
		return
	}
	out := nats.NewMsg("dlq." + a.Stream)
	out.Data = orig.Data
	out.Header.Set(HeaderDLQStream, a.Stream)
	out.Header.Set(HeaderDLQSubject, orig.Subject)
	out.Header.Set(HeaderDLQSequence, strconv.FormatUint(a.StreamSeq, 10))
	out.Header.Set(HeaderDLQConsumer, a.Consumer)
	out.Header.Set(HeaderDLQDeliveries, strconv.FormatUint(a.Deliveries, 10))
	reason := a.Reason
	if reason == "" {
		reason = "max deliveries"
	}
	out.Header.Set(HeaderDLQReason, reason)
	out.Header.Set("Nats-Msg-Id", a.Stream+":"+strconv.FormatUint(a.StreamSeq, 10))
	if _, err := m.conn.JS.PublishMsg(ctx, out); err != nil {
		m.log.Error("dead letter: copy failed", zap.String("stream", a.Stream), zap.Uint64("seq", a.StreamSeq), zap.Error(err))
		return
	}
	m.log.Warn("message moved to the dead-letter stream",
		zap.String("stream", a.Stream), zap.String("subject", orig.Subject), zap.Uint64("seq", a.StreamSeq),
		zap.String("reason", reason))
}

// Stop unsubscribes. Safe twice and on nil.
func (m *DLQMover) Stop() {
	if m == nil {
		return
	}
	for _, s := range m.subs {
		_ = s.Unsubscribe()
	}
	m.subs = nil
}
