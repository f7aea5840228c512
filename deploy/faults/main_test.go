//go:build faults && linux

package faults_test

import (
	"context"
	"fmt"
	"os"
	"testing"

	goredis "github.com/redis/go-redis/v9"
	"go.uber.org/goleak"
)

// quiet drops go-redis's own log lines: the tests kill Redis nodes on
// purpose, and every refused dial would be printed.
type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

// TestMain removes the binary the tests built and fails the tests when any
// goroutine outlives them.
func TestMain(m *testing.M) {
	goredis.SetLogger(quiet{})
	code := m.Run()
	if binDir != "" {
		_ = os.RemoveAll(binDir)
	}
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}
