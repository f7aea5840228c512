package jetstream

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Stream names and their subjects.
const (
	StreamEvents   = "EVENTS"
	SubjectsEvents = "events.>"
	StreamFetch    = "FETCH"
	SubjectsFetch  = "fetch.>"
	StreamOutbox   = "OUTBOX"
	SubjectsOutbox = "outbox.>"
	StreamDLQ      = "DLQ"
	SubjectsDLQ    = "dlq.>"
	// StreamJobs carries the periodic jobs that run outside the processor
	// (jobs.<job>.<shop>): the nightly predictions, for the predict role.
	StreamJobs   = "JOBS"
	SubjectsJobs = "jobs.>"
	// StreamHistory carries the events of history imports
	// (history.<shop>.<type>), consumed beside EVENTS so a store's years of
	// orders never queue ahead of any shop's live events.
	StreamHistory   = "HISTORY"
	SubjectsHistory = "history.>"
)

// StreamsConfig sizes the streams.
type StreamsConfig struct {
	// MaxAge is how long a message is kept. Default 72 h.
	MaxAge time.Duration
	// MaxBytes caps each stream; past it publishes are refused
	// (DiscardNew). Default 8 GiB.
	MaxBytes int64
	// Replicas per stream. Default 1; 3 in a clustered deployment.
	Replicas int
	// Duplicates is the publish dedup window. Default 2 min.
	Duplicates time.Duration
}

func (c *StreamsConfig) defaults() {
	if c.MaxAge == 0 {
		c.MaxAge = 72 * time.Hour
	}
	if c.MaxBytes == 0 {
		c.MaxBytes = 8 << 30
	}
	if c.Replicas == 0 {
		c.Replicas = 1
	}
	if c.Duplicates == 0 {
		c.Duplicates = 2 * time.Minute
	}
}

// StreamConfigs returns the configuration of every stream Boomerang uses.
func StreamConfigs(c StreamsConfig) []jetstream.StreamConfig {
	c.defaults()
	mk := func(name, subjects, desc string) jetstream.StreamConfig {
		return jetstream.StreamConfig{
			Name:        name,
			Description: desc,
			Subjects:    []string{subjects},
			Storage:     jetstream.FileStorage,
			Retention:   jetstream.LimitsPolicy,
			Discard:     jetstream.DiscardNew,
			MaxAge:      c.MaxAge,
			MaxBytes:    c.MaxBytes,
			Replicas:    c.Replicas,
			Duplicates:  c.Duplicates,
		}
	}
	return []jetstream.StreamConfig{
		mk(StreamEvents, SubjectsEvents, "Boomerang canonical events"),
		mk(StreamFetch, SubjectsFetch, "Platform notifications waiting for an API fetch"),
		mk(StreamOutbox, SubjectsOutbox, "Send commands for the senders, one per run and step"),
		mk(StreamDLQ, SubjectsDLQ, "Messages that exhausted their deliveries, for inspection and replay"),
		mk(StreamJobs, SubjectsJobs, "Periodic jobs of the roles beside the processor (predictions)"),
		mk(StreamHistory, SubjectsHistory, "Historical events of store imports, applied beside the live ones"),
	}
}

// EnsureStreams creates every stream, or updates it to the configuration.
func EnsureStreams(ctx context.Context, js jetstream.JetStream, c StreamsConfig) error {
	var errs []error
	for _, sc := range StreamConfigs(c) {
		if _, err := js.CreateOrUpdateStream(ctx, sc); err != nil {
			errs = append(errs, fmt.Errorf("stream %s: %w", sc.Name, err))
		}
	}
	return errors.Join(errs...)
}
