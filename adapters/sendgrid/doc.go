// Package sendgrid is Boomerang's email provider adapter: it sends mail
// through SendGrid's v3 Mail Send API and turns SendGrid's signed Event
// Webhook into canonical message.* events.
//
// Sending: Client builds one request per send with sendgrid-go
// (sendgrid.GetRequest and the helpers/mail types) and sends it with its own
// *http.Client (never the SDK's shared default client, which has no timeout,
// and never a shared *sendgrid.Client, which races). 202 is success; 429 and
// 5xx are retried with exponential backoff and jitter, honouring
// X-RateLimit-Reset; other 4xx fail with ErrPermanent; exhausted retries fail
// with ErrTemporary; a transport failure after the request may have reached
// SendGrid fails with ErrAmbiguous and is never retried here, because
// SendGrid has no idempotency key: the caller decides.
//
// Receiving: VerifySignature checks the Event Webhook's ECDSA P-256
// signature and timestamp freshness over the raw body; ParseEvents maps the
// JSON array of SendGrid events to canonical events, keyed by the custom args
// Boomerang put on the message (boomerang_shop, boomerang_message_id, …);
// Webhook is the http.Handler for POST /webhooks/sendgrid (the role's
// account) and POST /webhooks/sendgrid/{shop} (a shop's own account,
// verified with its own key, publishing only that shop's events) that does
// both and publishes every event to JetStream before answering 200.
package sendgrid
