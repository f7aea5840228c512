// Package storefront receives the storefront snippet's events at
// POST /track and serves the snippet itself at GET /track.js.
//
// A store adds one script tag with its public key (the shops file's
// public_key; not a secret). The snippet reports product views, items added
// to the cart and the cart itself, with the email or phone the visitor gave;
// the handler maps them to the canonical product.viewed (event.ProductView),
// cart.item_added (event.CartItem) and cart.updated (event.Cart) with
// platform "boomerang" and publishes them on events.<shop>.<type>, answering
// only after the PubAck.
//
// Boomerang follows identified visitors only: an event with neither email
// nor phone is accepted (204) and dropped, since no flow could act on it.
//
// Answers, in this order: 429 with Retry-After when the client IP is over
// its rate; 415 for a body that is neither JSON nor text/plain (what
// navigator.sendBeacon sends); 413 over 16 KiB; 400 with a JSON error for
// malformed JSON, an unknown type or a field out of shape; 404 for an
// unknown key; 429 when the key is over its rate; 204 for an anonymous
// event; 503 when JetStream does not acknowledge; otherwise 204. Every
// answer carries Access-Control-Allow-Origin: * (the key is public and no
// cookie is read), and OPTIONS answers the CORS preflight.
//
// occurred_at is the client's clock only when it is within MaxClockSkew of
// the server's; otherwise the server's time is used. docs/storefront.md
// shows how to install the snippet on Shopify, WooCommerce and BigCommerce.
package storefront
