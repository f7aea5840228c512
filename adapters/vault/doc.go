// Package vault seals credentials at rest (shop API tokens, refresh tokens)
// with AES-256-GCM under keys derived from BOOMERANG_SECRET_KEY by
// HKDF-SHA256. Each sealed value starts with its key's id ("k1:"), so the
// secret can rotate: a Keyring seals with its current key and opens with
// every key it holds. A value is bound to a context (the shop id) as
// associated data, so it cannot be moved to another record.
package vault
