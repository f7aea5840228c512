// Package jetstreamtest starts real embedded JetStream servers for tests:
// each test gets its own server on a free loopback port with its store in
// t.TempDir(), Boomerang's streams created, and everything shut down by
// t.Cleanup.
package jetstreamtest
