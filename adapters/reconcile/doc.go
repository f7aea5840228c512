// Package reconcile fills the gaps webhooks leave (ARCHITECTURE.md
// invariant 1): WooCommerce never retries a failed delivery and BigCommerce
// gives up after 48 hours, so a periodic job asks each platform's API for
// the orders and checkouts changed since the last poll and publishes them as
// canonical events. The processor's semantic-key dedup makes a polled copy
// of a delivered webhook count once. The same sources import a store's
// history at install, as events marked historical.
package reconcile
