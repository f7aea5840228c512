// Package ingesttest is the conformance suite every platform adapter passes:
// signatures good, bad, missing and rotated; malformed bodies; unknown topics;
// unknown shops; duplicate deliveries, through the real HTTP handler and an
// embedded JetStream server. It also holds the golden-file helper the
// adapters' normalisation tests share.
package ingesttest
