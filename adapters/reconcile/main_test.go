package reconcile_test

import (
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/boomerang-dev/boomerang/adapters/redis/redistest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.Cleanup(func(code int) {
		redistest.Stop()
		os.Exit(code)
	}))
}
