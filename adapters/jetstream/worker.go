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
	sem  chan struct{}
	stop context.CancelFunc
}

// NewWorker validates cfg.
func NewWorker(js jetstream.JetStream, cfg WorkerConfig) (*Worker, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	return &Worker{cfg: cfg, js: js, sem: make(chan struct{}, cfg.Workers)}, nil
}

// Start creates or updates the consumer and starts consuming. Messages are
// pulled only while a worker slot is free, so one replica never hoards a
// backlog other replicas could work on.
func (w *Worker) Start(ctx context.Context) error {
	cons, err := w.js.CreateOrUpdateConsumer(ctx, w.cfg.Stream, jetstream.ConsumerConfig{
		Durable:       w.cfg.Durable,
		FilterSubject: w.cfg.FilterSubject,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       w.cfg.AckWait,
		MaxDeliver:    w.cfg.MaxDeliver,
		MaxAckPending: w.cfg.Workers * 4,
		DeliverPolicy: jetstream.DeliverAllPolicy,
	})
	if err != nil {
		return fmt.Errorf("consumer %s on %s: %w", w.cfg.Durable, w.cfg.Stream, err)
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	w.stop = cancel
	cc, err := cons.Consume(func(msg jetstream.Msg) {
		w.sem <- struct{}{}
		w.wg.Add(1)
		go func() {
			defer func() { <-w.sem; w.wg.Done() }()
			w.handle(runCtx, msg)
		}()
	}, jetstream.PullMaxMessages(w.cfg.Workers))
	if err != nil {
		cancel()
		return fmt.Errorf("consuming %s: %w", w.cfg.Durable, err)
	}
	w.cc = cc
	return nil
}

func (w *Worker) handle(ctx context.Context, msg jetstream.Msg) {
	log := w.cfg.Logger.With(zap.String("subject", msg.Subject()))
	done := make(chan struct{})
	go func() { // keep long work from being redelivered
		t := time.NewTicker(w.cfg.AckWait / 2)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				_ = msg.InProgress()
			}
		}
	}()
	err := w.cfg.Handler(ctx, msg.Subject(), msg.Data())
	close(done)
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

// Stop stops pulling, waits for messages in hand until ctx ends, and then
// cancels the handlers' context. Safe before Start and twice.
func (w *Worker) Stop(ctx context.Context) {
	if w.cc == nil {
		return
	}
	w.cc.Drain()
	done := make(chan struct{})
	go func() { w.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
	w.stop()
	<-done
}
