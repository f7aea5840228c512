package send_test

import (
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/boomerang-dev/boomerang/adapters/redis/redistest"
)

// TestMain stops the shared redis-server child and fails the tests when any
// goroutine outlives them.
func TestMain(m *testing.M) {
	code := m.Run()
	redistest.Stop()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}
