// Package bigcommerce installs Boomerang as a BigCommerce single-click app
// (docs/platforms/bigcommerce-install.md). Mount registers the app's
// callbacks:
//
//   - GET /install/bigcommerce/auth?code=…&scope=…&context=stores/{hash}:
//     the browser arrives from the control panel. The code is exchanged at
//     {LoginURL}/oauth2/token (JSON: client_id, client_secret, code, scope,
//     context, grant_type=authorization_code, redirect_uri) for the store's
//     access token; the shop is handed to the Saver (ID bc-{hash}, Domain the
//     store hash, APIToken the access token, WebhookSecret the app's client
//     secret, HeaderSecret a new random value); then a hook is made sure to
//     exist for every scope the BigCommerce adapter uses
//     (bigcommerce.Scopes), pointing at {PublicURL}/webhooks/bigcommerce and
//     carrying the header secret in X-Boomerang-Secret. Existing hooks are
//     listed first: one that matches is left alone, an inactive one or one
//     with another header is updated, a missing one is created. The answer
//     is a small HTML page, which BigCommerce shows in the control panel's
//     iframe.
//   - GET /install/bigcommerce/load, /uninstall and /remove_user with
//     signed_payload_jwt: the JWT is verified (HS256 keyed with the client
//     secret, aud the client id, iss "bc", exp, nbf and iat within Leeway,
//     sub "stores/{hash}"); any failure is 401. load answers the app's page,
//     uninstall calls the Uninstaller with the shop id, remove_user only
//     acknowledges (Boomerang keeps no per-user data).
//
// The JWT check is written here on the standard library: only HS256 is
// accepted (never "none" nor an asymmetric algorithm), the signature is
// checked before the claims are read, and base64url must be canonical.
//
// No access token, code, client secret or header secret is ever logged or
// shown; error pages say what went wrong in plain words only.
package bigcommerce
