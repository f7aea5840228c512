// Package discount makes sure a unique discount code exists on a store, through
// the store platform's own API: Shopify's GraphQL Admin API, BigCommerce's v2
// coupons and WooCommerce's REST v3 coupons.
//
// The processor makes the code string itself, deterministic per run
// (COMEBACK-7KQ2XW9A); the send role calls a Maker before the message that
// shows the code goes out. Deliveries are retried after crashes and
// redeliveries, so Ensure is idempotent: it looks the code up first, creates
// it only when absent, and takes the platform's "this code already exists"
// answer to a create (another worker won the race) as success. Ensure reports
// created=false whenever the code was already there.
//
// Errors are *Error values wrapping ErrTemporary or ErrPermanent (match with
// errors.Is):
//   - ErrTemporary: the request did not reach the platform, or the platform
//     answered 408, 429 or 5xx, or Shopify's GraphQL API answered THROTTLED.
//     The caller retries; RetryAfter(err) is the wait the platform asked for
//     (Retry-After, BigCommerce's X-Rate-Limit-Time-Reset-Ms, Shopify's
//     query-cost bucket), 0 when it named none. Ensure never sleeps.
//   - ErrPermanent: the Code is invalid, or the platform refused the request
//     (401, 403, 404, 400, 422, a GraphQL user error other than the code being
//     taken), or redirected it, or answered with a body that is not what its
//     API documents (that also wraps ErrMalformed). Retrying cannot help.
//
// Credentials never leave the platform host (redirects are not followed) and
// never appear in errors or logs.
//
// Platform specifics are in docs/discounts.md: Shopify uses
// codeDiscountNodeByCode, discountCodeBasicCreate and
// discountCodeFreeShippingCreate; BigCommerce GET and POST /v2/coupons;
// WooCommerce GET and POST /wp-json/wc/v3/coupons with HTTP Basic over HTTPS
// and OAuth 1.0a one-legged signatures over plain HTTP (the only scheme
// WooCommerce accepts there).
package discount
