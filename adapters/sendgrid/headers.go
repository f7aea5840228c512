package sendgrid

import "github.com/sendgrid/sendgrid-go/helpers/eventwebhook"

// HTTP header names, in Go's canonical form (http.Header.Get canonicalises;
// sendgrid-go's own retry looks up "X-RateLimit-Reset" verbatim and never
// matches, see senders.md §1.4).
const (
	// HeaderMessageID carries SendGrid's id of an accepted message.
	HeaderMessageID = "X-Message-Id"
	// HeaderRateLimitReset is when the rate-limit window resets, unix seconds.
	HeaderRateLimitReset = "X-Ratelimit-Reset"
	// HeaderSignature carries the Event Webhook's base64 ASN.1 ECDSA signature.
	HeaderSignature = eventwebhook.VerificationHTTPHeader
	// HeaderTimestamp carries the Event Webhook's signing time, unix seconds.
	HeaderTimestamp = eventwebhook.TimestampHTTPHeader
)

// Custom args Boomerang puts on every message; SendGrid returns each as a
// top-level key of every event about the message.
const (
	ArgShop      = "boomerang_shop"
	ArgMessageID = "boomerang_message_id"
	ArgFlow      = "boomerang_flow"
	ArgRun       = "boomerang_run"
	ArgStep      = "boomerang_step"
	ArgCustomer  = "boomerang_customer"
)

// Provider is the provider name in message events.
const Provider = "sendgrid"
