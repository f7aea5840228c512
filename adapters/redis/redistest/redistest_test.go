package redistest_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/redis/redistest"
)

// TestMissingRedisServerFailsClearly cannot be parallel: it empties PATH.
func TestMissingRedisServerFailsClearly(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	t.Setenv(redistest.EnvURL, "")
	redistest.Stop() // forget any shared child, so Start looks for the binary
	t.Cleanup(redistest.Stop)

	ftb := &fatalTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		redistest.Start(ftb)
	}()
	<-done
	require.Contains(t, ftb.msg, "no redis-server binary")
	require.Contains(t, ftb.msg, "apt-get install")
}

// fatalTB records Fatal instead of failing the real test.
type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Helper() {}

func (f *fatalTB) Fatal(args ...any) {
	f.msg = fmt.Sprint(args...)
	runtime.Goexit()
}

func TestStartSharesOneServerWithIsolatedPrefixes(t *testing.T) {
	t.Parallel()
	a, b := redistest.Start(t), redistest.Start(t)
	require.Equal(t, a.URL, b.URL, "one server per package process")
	require.NotEqual(t, a.Prefix, b.Prefix)
	require.NotContains(t, a.Prefix, "{")
	require.NotContains(t, a.Prefix, "*")
	require.NoError(t, a.Client.Ping(context.Background()).Err())
}

func TestKeysAreDeletedWhenTheTestEnds(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	observer := redistest.Start(t)
	var prefix string
	// Cleanups run last-registered first: the writer's deletes its keys,
	// then this check runs, then the observer closes.
	t.Cleanup(func() {
		keys, err := observer.Client.Keys(ctx, prefix+":*").Result()
		require.NoError(t, err)
		require.Empty(t, keys)
	})
	writer := redistest.Start(t)
	prefix = writer.Prefix
	for i := range 2500 { // more than one SCAN and UNLINK batch
		require.NoError(t, writer.Client.Set(ctx, fmt.Sprintf("%s:k%d", writer.Prefix, i), "v", 0).Err())
	}
}

func TestStartPrivateIsItsOwnServer(t *testing.T) {
	t.Parallel()
	shared, private := redistest.Start(t), redistest.StartPrivate(t)
	require.NotEqual(t, shared.URL, private.URL)
	require.True(t, strings.HasPrefix(private.URL, "redis://127.0.0.1:"))
	require.NoError(t, private.Client.Set(context.Background(), private.Prefix+":x", "1", 0).Err())
}
