// Package shopify is Boomerang's Shopify webhook adapter: it implements
// ingest.Platform for deliveries Shopify sends over HTTPS.
//
// Identify reads the shop from X-Shopify-Shop-Domain. Verify checks
// X-Shopify-Hmac-Sha256, the base64 HMAC-SHA256 of the raw body keyed with
// the app's client secret, against the shop's current and previous secrets
// in constant time. Normalize turns the topics Boomerang uses into canonical
// events (docs/platforms/shopify.md lists the mapping); any other topic is
// ingest.ErrUnknownTopic.
//
// Delivery identity is X-Shopify-Webhook-Id, which Shopify keeps across
// retries of one delivery, and never X-Shopify-Event-Id, which sibling
// deliveries of one merchant action share. When the header is absent the
// identity is the hex SHA-256 of the topic, a NUL byte and the body.
//
// Payloads are decoded into this package's own minimal structs, not into
// github.com/bold-commerce/go-shopify/v4 types (kept for REST reads): its
// AbandonedCheckout has no line_items and its Customer.MarketingOptInLevel is
// a bool that fails on the string older API versions send. Ids are kept as
// the literal text of the JSON number, never passed through float64, because
// Shopify ids exceed 2^53; money stays the decimal string Shopify sends.
package shopify
