// Package shop holds the shops Boomerang serves: their identity on each
// platform, their webhook secrets and API credentials, sender identity and
// per-flow settings. Self-hosters list them in the shops file
// (BOOMERANG_SHOPS); app install later writes the same records to Redis.
package shop
