// Package bigcommerce is Boomerang's BigCommerce adapter. BigCommerce
// webhooks are thin (ids only), so the adapter has two halves.
//
// Webhooks in: Adapter implements ingest.Platform and does no I/O. Identify
// reads the store hash from the body's producer ("stores/{store_hash}"),
// Verify checks the Standard Webhooks signature (webhook-id,
// webhook-timestamp, webhook-signature; HMAC-SHA256 keyed with the app's
// client secret over "{id}.{timestamp}.{body}", timestamps within 5 minutes
// of arrival) and, when the shop has one, the custom X-Boomerang-Secret
// header. Normalize turns a delivery of a used scope into one thin
// Notification on subject fetch.bigcommerce.<shop>, deduplicated on the
// payload's hash with its scope and store; store/app/uninstalled needs no
// fetch and becomes a canonical shop.uninstalled event at once.
//
// Fetch: Fetcher.Resolve, called by the fetch worker for each Notification,
// reads the resource from the store's API (X-Auth-Token) and builds the
// canonical events: carts become cart.updated (and checkout.updated once an
// email and line items are known) or cart.abandoned; orders become
// order.placed, order.updated, order.paid, order.fulfilled and
// order.cancelled by status; shipments shipment.updated; customers
// customer.created and customer.updated; newsletter subscribers
// consent.updated; products product.updated (store/product/deleted becomes
// product.deleted without a fetch).
//
// Error policy of Resolve, which the worker follows:
//   - 429 Too Many Requests: Resolve waits the time the API gives (the
//     longest of X-Rate-Limit-Time-Reset-Ms, X-Retry-After and Retry-After;
//     one second when none is sent) through FetcherConfig.Sleep and retries,
//     as long as the total wait stays within FetcherConfig.MaxWait. Past that
//     it returns a *RetryAfterError whose After says when to try again: the
//     worker redelivers the notification then (NakWithDelay).
//   - 5xx answers and network errors: a plain wrapped error; the worker
//     retries with its backoff.
//   - 404 of the resource a notification names, any other 4xx, and answers
//     that are not the documented JSON: an error wrapping ErrPermanent; the
//     worker logs it and drops the message (Term). The exceptions are
//     store/cart/abandoned, whose cart may already be gone: a 404 there still
//     yields cart.abandoned with the cart id and token; and the product
//     scopes, where a 404 means the product was deleted: product.deleted.
//   - A notification that cannot be resolved at all (unknown scope, ids of
//     the wrong shape) also wraps ErrPermanent.
package bigcommerce
