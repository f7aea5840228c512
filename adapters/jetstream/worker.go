package jetstream

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"
)

// Handler handles one message. Returning nil acks it. An error wrapping
// ErrPermanent terminates it (no redelivery; it is logged). An error with a
// RetryAfter() time.Duration method is redelivered after that delay; any
// other error after the worker's backoff for the attempt.
type Handler func(ctx context.Context, subject string, data []byte) error

// BatchItem is one message of a batch.
type BatchItem struct {
	Subject string
	Data    []byte
}

// BatchHandler handles several messages and returns one error per item, in
// order, each with Handler's meaning.
type BatchHandler func(ctx context.Context, items []BatchItem) []error

// ErrPermanent marks a message that can never succeed (poison, or a resource
// that no longer exists): it is terminated instead of retried.
var ErrPermanent = errors.New("permanent failure")

// retryAfter is implemented by errors that know when to retry.
type retryAfter interface{ RetryAfter() time.Duration }

// Worker consumes a stream through a durable pull consumer with explicit
// acks, handing messages to a pool of goroutines.
type Worker struct {
	cfg  WorkerConfig
	js   jetstream.JetStream
	cc   jetstream.ConsumeContext
	wg   sync.WaitGroup
	msgs chan jetstream.Msg
	stop context.CancelFunc
}

// NewWorker validates cfg.
func NewWorker(js jetstream.JetStream, cfg WorkerConfig) (*Worker, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	return &Worker{cfg: cfg, js: js, msgs: make(chan jetstream.Msg)}, nil
}

// Start creates or updates the consumer and starts consuming. Messages are
// pulled only while a worker slot is free, so one replica never hoards a
// backlog other replicas could work on.
func (w *Worker) Start(ctx context.Context) error {
	cons, err := w.js.CreateOrUpdateConsumer(ctx, w.cfg.Stream, jetstream.ConsumerConfig{
		Durable:        w.cfg.Durable,
		FilterSubject:  w.cfg.FilterSubject,
		FilterSubjects: w.cfg.FilterSubjects,
		AckPolicy:      jetstream.AckExplicitPolicy,
		AckWait:        w.cfg.AckWait,
		MaxDeliver:     w.cfg.MaxDeliver,
		MaxAckPending:  w.cfg.Workers * w.cfg.MaxBatch * 2,
		DeliverPolicy:  jetstream.DeliverAllPolicy,
	})
	if err != nil {
		return fmt.Errorf("consumer %s on %s: %w", w.cfg.Durable, w.cfg.Stream, err)
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	w.stop = cancel
	for range w.cfg.Workers {
		w.wg.Go(func() { w.loop(runCtx) })
	}
	// The callback hands each message to a free worker: it blocks while
	// all are busy, so the client buffers at most a pull's worth.
	cc, err := cons.Consume(func(msg jetstream.Msg) { w.msgs <- msg },
		jetstream.PullMaxMessages(w.cfg.Workers*w.cfg.MaxBatch))
	if err != nil {
		cancel()
		close(w.msgs)
		w.wg.Wait()
		return fmt.Errorf("consuming %s: %w", w.cfg.Durable, err)
	}
	w.cc = cc
	return nil
}

// loop is one worker: it takes a message, and with a BatchHandler every
// other message already waiting, up to MaxBatch.
func (w *Worker) loop(ctx context.Context) {
	for msg := range w.msgs {
		if w.cfg.BatchHandler == nil {
			w.handle(ctx, msg)
			continue
		}
		batch := []jetstream.Msg{msg}
	fill:
		for len(batch) < w.cfg.MaxBatch {
			select {
			case m, ok := <-w.msgs:
				if !ok {
					break fill
				}
				batch = append(batch, m)
			default:
				break fill
			}
		}
		w.handleBatch(ctx, batch)
	}
}

// keepAlive tells the server the messages are in progress every AckWait/2
// until done is closed.
func (w *Worker) keepAlive(done <-chan struct{}, msgs ...jetstream.Msg) {
	t := time.NewTicker(w.cfg.AckWait / 2)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
			for _, m := range msgs {
				_ = m.InProgress()
			}
		}
	}
}

func (w *Worker) handleBatch(ctx context.Context, batch []jetstream.Msg) {
	done := make(chan struct{})
	go w.keepAlive(done, batch...)
	items := make([]BatchItem, len(batch))
	for i, m := range batch {
		items[i] = BatchItem{Subject: m.Subject(), Data: m.Data()}
	}
	errs := w.cfg.BatchHandler(ctx, items)
	close(done)
	for i, m := range batch {
		var err error
		if i < len(errs) {
			err = errs[i]
		}
		w.settle(m, err)
	}
}

func (w *Worker) handle(ctx context.Context, msg jetstream.Msg) {
	done := make(chan struct{})
	go w.keepAlive(done, msg)
	err := w.cfg.Handler(ctx, msg.Subject(), msg.Data())
	close(done)
	w.settle(msg, err)
}

// settle acks, terminates or naks a message by its handler's error.
func (w *Worker) settle(msg jetstream.Msg, err error) {
	log := w.cfg.Logger.With(zap.String("subject", msg.Subject()))
	var ra retryAfter
	switch {
	case err == nil:
		if err := msg.Ack(); err != nil {
			log.Warn("ack failed; the message will be redelivered", zap.Error(err))
		}
	case errors.Is(err, ErrPermanent):
		log.Error("message dropped: permanent failure", zap.Error(err))
		_ = msg.TermWithReason(err.Error())
	case errors.As(err, &ra):
		log.Info("message retried later", zap.Duration("after", ra.RetryAfter()), zap.Error(err))
		_ = msg.NakWithDelay(ra.RetryAfter())
	default:
		var attempt uint64 = 1
		if md, mdErr := msg.Metadata(); mdErr == nil {
			attempt = md.NumDelivered
		}
		log.Warn("message failed; retrying", zap.Uint64("attempt", attempt), zap.Error(err))
		_ = msg.NakWithDelay(w.cfg.Backoff(attempt))
	}
}

// Stop stops pulling, lets the workers finish the messages in hand until
// ctx ends, and then cancels the handlers' context. Safe before Start and
// twice.
func (w *Worker) Stop(ctx context.Context) {
	if w.cc == nil {
		return
	}
	cc := w.cc
	w.cc = nil
	cc.Drain()
	select { // the callback delivers what the client buffered first
	case <-cc.Closed():
	case <-ctx.Done():
	}
	done := make(chan struct{})
	go func() { w.wg.Wait(); close(done) }()
	go func() { <-cc.Closed(); close(w.msgs) }()
	select {
	case <-done:
	case <-ctx.Done():
		w.stop()
	}
	w.stop()
	<-done
}
