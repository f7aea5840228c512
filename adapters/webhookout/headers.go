package webhookout

// Header names of a delivery.
const (
	// HeaderID carries Delivery.ID, the same on every retry of a delivery.
	HeaderID = "Boomerang-Webhook-Id"
	// HeaderTimestamp carries the Unix time (seconds) the attempt was
	// signed, the same value as the t= of HeaderSignature.
	HeaderTimestamp = "Boomerang-Webhook-Timestamp"
	// HeaderSignature carries Sign's value: "t=<unix>,v1=<hex>".
	HeaderSignature = "Boomerang-Signature"

	headerContentType = "Content-Type"
	headerUserAgent   = "User-Agent"
	headerRetryAfter  = "Retry-After"
	headerLocation    = "Location"
)
