// Package event defines Boomerang's canonical events: the one envelope every
// platform adapter produces, the processor consumes and flows read.
//
// It is a leaf package: it imports only the standard library, so adapters,
// the processor and the flow language can all depend on it without depending
// on each other.
//
// Conventions, each a contract that outside tests rely on (see docs/events.md):
//   - Money is a decimal string ("19.99") beside an ISO 4217 currency code,
//     never a float.
//   - Platform ids are strings: Shopify ids exceed 2^53.
//   - Times are UTC.
//   - Field names are snake_case in JSON.
package event
