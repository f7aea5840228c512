package ingest_test

import (
	"testing"

	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/adapters/ingest/ingesttest"
)

// TestConformanceSuite runs the suite against the test platform, proving
// the suite and the handler agree before any real adapter uses them.
func TestConformanceSuite(t *testing.T) {
	t.Parallel()
	ingesttest.Run(t, ingesttest.Fixture{
		Platform:     testPlatform{},
		NewShop:      newTestShop,
		Deliver:      deliverTest,
		Unsign:       func(req *ingest.Request) { req.Header.Del("X-Test-Signature") },
		Topic:        "thing/create",
		Body:         []byte(`{"id": 820982911946154508}`),
		UnknownTopic: "thing/other",
		UnknownBody:  []byte(`{"id": 1}`),
	})
}
