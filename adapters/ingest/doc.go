// Package ingest receives store webhooks: it bounds the body, identifies the
// shop, has the platform adapter verify the signature and normalise the
// payload, publishes the result to JetStream with the delivery identity as
// the message id, and answers only after the PubAck.
//
// Platform adapters (adapters/shopify, adapters/woocommerce,
// adapters/bigcommerce) implement Platform; package ingesttest is the
// conformance suite each of them passes.
//
// Answers, in this order (ARCHITECTURE.md invariant 11): 413 when the body is
// over the limit; 404 when the shop is unknown, 400 when the request cannot
// even be read for it; 401 on a bad or missing signature; 400 on malformed
// JSON; 200 and ignored for a topic Boomerang does not use; 503 when
// JetStream does not acknowledge; otherwise 200.
package ingest
