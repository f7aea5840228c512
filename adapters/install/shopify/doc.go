// Package shopify installs Boomerang on Shopify stores as a non-embedded
// public app, through OAuth's authorization-code grant with expiring offline
// tokens, and keeps the installation working afterwards.
//
// The pieces, and who calls them:
//
//   - Mount puts two handlers on the HTTP server. GET /install/shopify is the
//     app URL Shopify opens when a merchant installs the app: it checks the
//     query's HMAC, the shop domain and the timestamp, keeps a single-use
//     state for ten minutes (States) and redirects to the shop's authorize
//     page. GET /install/shopify/callback checks the same three things and
//     takes the state (a replayed callback finds none), exchanges the code for
//     an expiring offline token (expiring=1), refuses a grant missing a scope
//     Boomerang asked for, stores the token encrypted (TokenStore), saves the
//     shop (Saver), subscribes the shop's webhooks and says thank you.
//   - Client talks to one shop's host: the token endpoint
//     (/admin/oauth/access_token) and the GraphQL Admin API. EnsureWebhooks
//     lists the shop's webhook subscriptions and creates or repairs one per
//     topic adapters/shopify normalises; run it on every start.
//   - Refresher.RefreshDue exchanges a token's refresh token shortly before
//     the access token expires and persists the new pair at once: Shopify
//     rotates the refresh token on every use.
//   - RedisTokenStore keeps tokens in Redis sealed with AES-256-GCM under a
//     key derived from BOOMERANG_SECRET_KEY (Keyring); the key id prefix
//     ("k1:") lets keys rotate.
//   - Poller is the reconcile.Source of Shopify shops (the reconciler and
//     the history import): it pages through the GraphQL Admin API's orders
//     (sortKey UPDATED_AT), abandonedCheckouts and customers with an
//     updated_at search, rewrites each node as the REST body its webhook
//     would carry and runs the webhook normaliser (adapters/shopify) on it
//     under the topic it stands for and a delivery id
//     "poll:<topic>:<id>:<updated_at>", so a polled event has the very key
//     of its webhook's and counts once. An order gives orders/updated, and
//     orders/create, /paid, /fulfilled and /cancelled only when that
//     transition's own time lies in the window. It waits out Shopify's
//     cost-based throttling (THROTTLED answers and HTTP 429) for the time
//     the bucket needs at its restore rate, honouring the context, and
//     reports a shop that refuses the app (HTTP 401, 403, 404,
//     ACCESS_DENIED) with ErrNoAccess, permanent for that shop.
//
// The three compliance topics (customers/data_request, customers/redact,
// shop/redact) cannot be subscribed through the API: they are declared in
// deploy/shopify/shopify.app.toml. docs/platforms/shopify-install.md
// describes the flow, the scopes and the Partner Dashboard setup;
// docs/platforms/shopify.md ("Reconciler") the poller's queries and mapping.
//
// No token, secret or code is ever logged or put in an error.
package shopify
