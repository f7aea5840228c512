// Package woocommerce installs Boomerang on a WooCommerce store through
// WooCommerce's key grant, /wc-auth/v1/authorize
// (docs/platforms/woocommerce-install.md). Mount registers:
//
//   - GET /install/woocommerce?store_url=…: the store URL is checked (http
//     or https, a host, no credentials, query or fragment; loopback and
//     private addresses refused unless Config.AllowPrivateHosts) and, when
//     the site answers GET /wp-json/, replaced by the home URL WordPress
//     reports. A one-time token (random, HMAC-signed with Config.SecretKey)
//     is kept through States with the site URL for StateTTL, and the browser
//     is sent to {site}/wc-auth/v1/authorize with app_name, scope=read_write,
//     user_id=<token>, return_url and callback_url. Without store_url the
//     answer is a small form asking for it.
//   - POST /install/woocommerce/callback: WooCommerce posts the new keys as
//     JSON {key_id, user_id, consumer_key, consumer_secret, key_permissions}.
//     The token in user_id must carry a valid signature and be taken from
//     States (once: a replay finds nothing); the permissions must be
//     read_write. The keys are proved by listing the site's webhooks; then
//     the shop is handed to the Saver (ID woo-<host>, Domain the site URL,
//     APIToken "consumer_key:consumer_secret", WebhookSecret one new random
//     secret for all of the shop's webhooks) and a webhook is made sure to
//     exist for every topic the WooCommerce adapter uses (Topics), pointing
//     at {PublicURL}/webhooks/woocommerce with that secret: existing ones
//     (same topic and delivery URL) are updated, missing ones created. Any
//     answer but 200 makes WooCommerce delete the keys, so 200 is sent once
//     the shop is saved, even when a webhook write failed (the return page
//     says so).
//   - GET /install/woocommerce/return: where WooCommerce sends the browser
//     afterwards; the page says what happened and what comes next (the
//     storefront plugin in deploy/woocommerce/).
//
// REST calls authenticate with HTTP Basic over https and OAuth 1.0a
// (HMAC-SHA256, keys in the query) over plain http, as WooCommerce requires,
// and never follow redirects, so the keys never leave the site. No key,
// secret or token is logged.
package woocommerce
