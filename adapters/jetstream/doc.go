// Package jetstream is Boomerang's NATS JetStream adapter: the connection
// settings the roles share, the streams they publish to (created or updated
// at start), a synchronous publisher that returns only after the PubAck, and
// an embedded server for `serve` and tests.
//
// Streams (reference/infrastructure.md §0):
//   - EVENTS (subjects events.>): canonical events. File storage, limits
//     retention, MaxAge 72 h (longer than every platform's retry horizon),
//     DiscardNew, so a full stream refuses new events (the webhook gets 503
//     and the platform retries) instead of dropping unprocessed ones.
//   - FETCH (subjects fetch.>): thin platform notifications (BigCommerce)
//     waiting for a fetch worker to turn them into canonical events. Same
//     policies.
package jetstream
