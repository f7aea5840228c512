package redis

import (
	"errors"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// TimerConfig configures a Timers store.
type TimerConfig struct {
	// Client talks to Redis: a single server, Sentinel failover or Cluster
	// (every script touches one shard's keys, which share a slot). Required.
	Client goredis.UniversalClient
	// Keys builds the key names. Default: the zero Keys (prefix "bm").
	Keys Keys
	// Shards is the number of timer shards. It must stay the same for the
	// life of the data: a timer lives in shard TimerShard(id, Shards).
	// Default DefaultTimerShards (16).
	Shards int
	// Lease is how long a claimed timer stays invisible to other claims: a
	// poller that dies after claiming leaves its timers to be claimed again
	// once it ends. It must outlast a claim's publish, and stay shorter
	// than the stream's duplicate window (2 min by default) so JetStream
	// drops the repeated fire. Default 30 s.
	Lease time.Duration
	// Batch is the most timers one claim returns when the caller does not
	// say (max <= 0). Default 256.
	Batch int
}

func (c *TimerConfig) fill() error {
	if c.Client == nil {
		return errors.New("redis timers: Client is required")
	}
	if c.Shards == 0 {
		c.Shards = DefaultTimerShards
	}
	if c.Lease == 0 {
		c.Lease = 30 * time.Second
	}
	if c.Batch == 0 {
		c.Batch = 256
	}
	if c.Shards < 0 {
		return fmt.Errorf("redis timers: Shards %d is negative", c.Shards)
	}
	if c.Lease < time.Millisecond {
		return fmt.Errorf("redis timers: Lease %s is under a millisecond", c.Lease)
	}
	if c.Batch < 0 {
		return fmt.Errorf("redis timers: Batch %d is negative", c.Batch)
	}
	return nil
}
