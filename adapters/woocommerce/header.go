package woocommerce

// Headers WooCommerce sets on every webhook delivery (WC_Webhook::deliver).
const (
	// HeaderSource is the site URL, home_url('/'): the shop's identity.
	HeaderSource = "X-Wc-Webhook-Source"
	// HeaderTopic is the webhook topic, such as order.updated.
	HeaderTopic = "X-Wc-Webhook-Topic"
	// HeaderResource is the topic's resource, such as order.
	HeaderResource = "X-Wc-Webhook-Resource"
	// HeaderEvent is the topic's event, such as updated.
	HeaderEvent = "X-Wc-Webhook-Event"
	// HeaderSignature is base64(HMAC-SHA256(secret, raw body)).
	HeaderSignature = "X-Wc-Webhook-Signature"
	// HeaderWebhookID is the id of the webhook subscription on the site.
	HeaderWebhookID = "X-Wc-Webhook-Id"
	// HeaderDeliveryID is wp_hash(webhook id . unix second): the same for
	// every delivery of one webhook within a second, so never a dedup key.
	HeaderDeliveryID = "X-Wc-Webhook-Delivery-Id"
)

// wcHeaderPrefix starts the canonical form of every header above; the
// creation ping carries none of them.
const wcHeaderPrefix = "X-Wc-Webhook-"
