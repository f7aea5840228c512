// Package webhookout delivers a flow's webhook step: one signed JSON POST to
// a URL the merchant chose (a Zapier Catch Hook, a Make custom webhook, an
// n8n Webhook node, or their own endpoint), retried a few times.
//
// Client.Deliver sends Delivery.Body as it stands with these headers:
//
//	Content-Type: application/json
//	User-Agent: Boomerang-Webhooks/1
//	Boomerang-Webhook-Id: <run>:<step>          the same on every retry; receivers dedupe on it
//	Boomerang-Webhook-Timestamp: <unix seconds> when this attempt was signed
//	Boomerang-Signature: t=<unix>,v1=<hex>      Sign: HMAC-SHA256(secret, "<unix>.<body>")
//
// A 2xx answer is success. Network errors, timeouts, 408, 429 and 5xx are
// retried inside the call (Config.MaxAttempts, backoff 1 s, 2 s, … with
// jitter, stretched to a 429's or 503's Retry-After); when every attempt
// fails that way the error wraps ErrTemporary and the caller retries later,
// with the same id. Any other 4xx, any 3xx (redirects are never followed) and
// a URL that is not absolute http or https fail with ErrPermanent. The
// returned *Error names the URL's host and the last status; it never holds
// the URL's path or query (a Zapier or Make hook URL is itself a credential)
// nor the secret, and neither do the logs.
//
// Verify is the receiver's side of Sign, used by our tests and shown in
// docs/webhooks.md. It accepts a header with several v1 entries, so a sender
// rotating its secret (Delivery.PreviousSecret) signs with both and receivers
// switch at their own pace.
package webhookout
