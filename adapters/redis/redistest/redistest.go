package redistest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// EnvURL is the environment variable naming the Redis to test against.
const EnvURL = "REDIS_URL"

// Env is one test's view of Redis.
type Env struct {
	// Client talks to the server; closed when the test ends.
	Client *goredis.Client
	// Prefix is unique to the test (and this process): build every key
	// under it, e.g. redis.Keys{Prefix: env.Prefix}. It holds no glob or
	// hash-tag characters.
	Prefix string
	// URL is the server's URL.
	URL string
}

var (
	sharedMu  sync.Mutex
	shared    *server // the package process's child, when REDIS_URL is unset
	errShared error
	seq       atomic.Uint64
	runID     = randomHex(4) // tells processes sharing one REDIS_URL apart
)

// Start returns a client and a fresh key prefix on the Redis named by
// $REDIS_URL, else on this process's shared redis-server child (started on
// first use). It fails the test with a clear message when neither is
// possible. The test's keys are deleted and the client closed when the test
// ends.
func Start(tb testing.TB) *Env {
	tb.Helper()
	url := os.Getenv(EnvURL)
	if url == "" {
		var err error
		if url, err = sharedURL(); err != nil {
			tb.Fatal(err)
		}
	}
	return connect(tb, url, true)
}

// StartPrivate starts a redis-server child for this test alone, whatever
// $REDIS_URL says: for measurements that need a quiet server (INFO memory)
// and for tests that stop or restart it. The server is stopped when the
// test ends.
func StartPrivate(tb testing.TB) *Env {
	tb.Helper()
	srv, err := startServer(tb.TempDir(), false)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(srv.stop)
	return connect(tb, srv.url, false)
}

// Stop stops the shared child, if one was started. Call it from TestMain
// after the tests; a later Start starts a new one.
func Stop() {
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if shared != nil {
		shared.stop()
		shared = nil
	}
	errShared = nil
}

func sharedURL() (string, error) {
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if shared == nil && errShared == nil {
		dir, err := os.MkdirTemp("", "redistest-")
		if err != nil {
			errShared = fmt.Errorf("redistest: %w", err)
			return "", errShared
		}
		if shared, errShared = startServer(dir, true); errShared != nil {
			_ = os.RemoveAll(dir)
		}
	}
	if errShared != nil {
		return "", errShared
	}
	return shared.url, nil
}

// connect opens a client with a fresh prefix. clean deletes the prefix's
// keys at the end (not needed on a private server, which goes away, and
// which the test may have stopped).
func connect(tb testing.TB, url string, clean bool) *Env {
	tb.Helper()
	opt, err := goredis.ParseURL(url)
	if err != nil {
		tb.Fatalf("redistest: %s=%q: %v", EnvURL, url, err)
	}
	client := goredis.NewClient(opt)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		_ = client.Close()
		tb.Fatalf("redistest: Redis at %s does not answer: %v", url, err)
	}
	env := &Env{
		Client: client,
		Prefix: "rt" + runID + "-" + strconv.FormatUint(seq.Add(1), 10),
		URL:    url,
	}
	tb.Cleanup(func() {
		defer client.Close()
		if !clean {
			return
		}
		if err := env.deleteKeys(); err != nil {
			tb.Errorf("redistest: deleting the test's keys: %v", err)
		}
	})
	return env
}

// deleteKeys removes every key under the prefix.
func (e *Env) deleteKeys() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	iter := e.Client.Scan(ctx, 0, e.Prefix+":*", 1000).Iterator()
	batch := make([]string, 0, 1000)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := e.Client.Unlink(ctx, batch...).Err()
		batch = batch[:0]
		return err
	}
	for iter.Next(ctx) {
		batch = append(batch, iter.Val())
		if len(batch) == cap(batch) {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := iter.Err(); err != nil {
		return err
	}
	return flush()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
