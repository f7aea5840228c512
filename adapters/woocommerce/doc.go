// Package woocommerce is the WooCommerce platform adapter of ingest: it
// recognises WooCommerce's creation ping, identifies the site from
// X-WC-Webhook-Source, verifies X-WC-Webhook-Signature (base64 HMAC-SHA256
// of the raw body with the webhook's secret) and normalises the REST v3
// resource WooCommerce posts into canonical events.
//
// WooCommerce never retries a delivery and its X-WC-Webhook-Delivery-ID is
// not unique, so a delivery's identity is built from the body: the site,
// the topic, the resource id and its date_modified_gmt (site, topic and id
// for the {"id": N} bodies of *.deleted topics).
//
// Topics and the events they become:
//
//	order.created            order.placed (+ order.paid when paid), or
//	                         checkout.updated for a checkout-draft with email
//	order.updated            order.updated (+ order.paid, order.fulfilled,
//	                         order.cancelled), or checkout.updated for a
//	                         checkout-draft with email
//	customer.created/updated customer.created / customer.updated
//	coupon.*                 coupon.updated (deleted: Deleted set)
//	product.created/updated/restored  product.updated
//	product.deleted          product.deleted
//
// Every other topic (order.deleted, order.restored, customer.deleted,
// action.*) is ignored with ingest.ErrUnknownTopic. WooCommerce has no
// native marketing consent: orders carry AcceptsMarketing false and consent
// comes from Boomerang's storefront snippet. docs/platforms/woocommerce.md
// describes the mapping and the platform's quirks.
package woocommerce
