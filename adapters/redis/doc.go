// Package redis is Boomerang's Redis adapter: the timer store and its poller,
// the processor's per-customer state, and the dev outbox.
//
// Every key is built in keys.go, under a prefix and with a {hash tag}, so each
// Lua script touches one Redis Cluster slot: all keys of one customer share
// the customer's tag (profile, runs, the idempotency records of their
// events), and timers live in per-shard sets tagged by shard. Each script is
// a package-level redis.NewScript whose comment documents KEYS, ARGV and the
// reply.
package redis
