package jetstream

import (
	"errors"
	"time"

	"go.uber.org/zap"
)

// WorkerConfig configures a Worker.
type WorkerConfig struct {
	// Stream to consume. Required.
	Stream string
	// Durable is the consumer's durable name, shared by every replica.
	// Required.
	Durable string
	// FilterSubject limits the consumer to matching subjects. Default: all.
	FilterSubject string
	// FilterSubjects limits the consumer to several subject filters
	// (instead of FilterSubject).
	FilterSubjects []string
	// Handler handles one message. Required unless BatchHandler is set.
	Handler Handler
	// BatchHandler, when set, receives the messages a worker finds waiting,
	// up to MaxBatch at once (a worker never waits to fill a batch, so
	// batches form only under load), and returns one error per message,
	// with Handler's meaning.
	BatchHandler BatchHandler
	// MaxBatch bounds a batch. Default 16.
	MaxBatch int
	// Workers is the number of messages handled at once. Default 4.
	Workers int
	// AckWait is how long the server waits for an ack before redelivering.
	// Default 30 s; the worker sends InProgress every AckWait/2 for
	// handlers that run longer.
	AckWait time.Duration
	// MaxDeliver bounds deliveries of one message. Default 6.
	MaxDeliver int
	// Backoff returns the redelivery delay after a failed attempt (1-based).
	// Default: 1 s, 5 s, 30 s, 2 min, 10 min.
	Backoff func(attempt uint64) time.Duration
	// Logger. Default zap.NewNop().
	Logger *zap.Logger
}

func (c *WorkerConfig) fill() error {
	if c.Stream == "" || c.Durable == "" {
		return errors.New("jetstream worker: Stream and Durable are required")
	}
	if c.Handler == nil && c.BatchHandler == nil {
		return errors.New("jetstream worker: Handler or BatchHandler is required")
	}
	if c.MaxBatch <= 0 {
		c.MaxBatch = 16
	}
	if c.BatchHandler == nil {
		c.MaxBatch = 1
	}
	if c.Workers <= 0 {
		c.Workers = 4
	}
	if c.AckWait == 0 {
		c.AckWait = 30 * time.Second
	}
	if c.MaxDeliver == 0 {
		c.MaxDeliver = 6
	}
	if c.Backoff == nil {
		c.Backoff = defaultBackoff
	}
	if c.Logger == nil {
		c.Logger = zap.NewNop()
	}
	return nil
}

var backoffSteps = []time.Duration{time.Second, 5 * time.Second, 30 * time.Second, 2 * time.Minute, 10 * time.Minute}

func defaultBackoff(attempt uint64) time.Duration {
	if attempt == 0 {
		attempt = 1
	}
	if attempt > uint64(len(backoffSteps)) {
		return backoffSteps[len(backoffSteps)-1]
	}
	return backoffSteps[attempt-1]
}
