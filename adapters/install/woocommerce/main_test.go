package woocommerce_test

import (
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/boomerang-dev/boomerang/adapters/redis/redistest"
)

// TestMain fails the package's tests when any goroutine outlives them, then
// stops the shared redis-server child.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.Cleanup(func(code int) {
		redistest.Stop()
		os.Exit(code)
	}))
}
