package shopify

// Header names of a Shopify webhook delivery. Header lookups are
// case-insensitive (HTTP/2 lower-cases them).
const (
	// HeaderTopic names the topic, such as "orders/create".
	HeaderTopic = "X-Shopify-Topic"
	// HeaderHMAC carries the base64 HMAC-SHA256 of the raw body.
	HeaderHMAC = "X-Shopify-Hmac-Sha256"
	// HeaderShopDomain is the shop's myshopify.com domain.
	HeaderShopDomain = "X-Shopify-Shop-Domain"
	// HeaderAPIVersion is the API version the payload was serialised for
	// (Shopify writes it X-Shopify-API-Version).
	HeaderAPIVersion = "X-Shopify-Api-Version"
	// HeaderWebhookID identifies one delivery; retries of it keep the id.
	HeaderWebhookID = "X-Shopify-Webhook-Id"
	// HeaderTriggeredAt is when Shopify triggered the delivery (RFC 3339).
	HeaderTriggeredAt = "X-Shopify-Triggered-At"
	// HeaderEventID is shared by every delivery of one merchant action. It
	// is not a delivery identity and the adapter does not use it.
	HeaderEventID = "X-Shopify-Event-Id"
)
