// Package redisstore binds the processor's storage seams (StateStore,
// Timers) to the Redis adapter: it encodes the processor's types as JSON
// for adapters/redis, which stores bytes and never imports the processor.
package redisstore
