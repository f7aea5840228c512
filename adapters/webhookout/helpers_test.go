package webhookout_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/boomerang-dev/boomerang/adapters/webhookout"
)

const (
	testSecret = "whsec_s3cr3t-value"
	testID     = "run-7f3a:notify-zap"
	testBody   = `{"event":"checkout.updated","checkout":{"token":"c1","total":"12.50"}}`
	// hookPath stands in for a Zapier Catch Hook path, which is a
	// credential: it must never show in errors or logs.
	hookPath = "/hooks/catch/123456/tok-abcdef/"
)

// testNow is the fake clock's time.
var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// reply is one canned answer of the fake receiver.
type reply func(w http.ResponseWriter, r *http.Request)

// hit is one request the fake receiver saw.
type hit struct {
	method string
	path   string
	header http.Header
	body   []byte
}

// testBundle is a Client talking to a fake receiver.
type testBundle struct {
	client *webhookout.Client
	srv    *httptest.Server
	logs   *observer.ObservedLogs

	mu      sync.Mutex
	hits    []hit
	replies []reply
	sleeps  []time.Duration
}

func (b *testBundle) requests() []hit {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]hit(nil), b.hits...)
}

func (b *testBundle) waits() []time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]time.Duration(nil), b.sleeps...)
}

// delivery is a valid Delivery to the fake receiver.
func (b *testBundle) delivery() webhookout.Delivery {
	return webhookout.Delivery{
		ID: testID, Shop: "demo", URL: b.srv.URL + hookPath, Body: []byte(testBody), Secret: testSecret,
	}
}

// host is the fake receiver's host:port, as errors name it.
func (b *testBundle) host() string { return strings.TrimPrefix(b.srv.URL, "http://") }

// setup starts a fake receiver answering with replies in turn (200 once
// they run out) and a Client pointed at it with a fixed clock, a recording
// Sleep that never waits, and an observed logger; mutate adjusts the Config.
func setup(t *testing.T, mutate func(*webhookout.Config), replies ...reply) *testBundle {
	t.Helper()
	b := &testBundle{replies: replies}
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			http.Error(w, "body", http.StatusBadRequest)
			return
		}
		b.mu.Lock()
		b.hits = append(b.hits, hit{method: r.Method, path: r.URL.Path, header: r.Header.Clone(), body: body})
		var next reply
		if len(b.replies) > 0 {
			next, b.replies = b.replies[0], b.replies[1:]
		}
		b.mu.Unlock()
		if next == nil {
			next = status(http.StatusOK)
		}
		next(w, r)
	}))
	t.Cleanup(b.srv.Close)
	core, logs := observer.New(zap.DebugLevel)
	b.logs = logs
	cfg := webhookout.Config{
		Now: func() time.Time { return testNow },
		Sleep: func(ctx context.Context, d time.Duration) error {
			b.mu.Lock()
			b.sleeps = append(b.sleeps, d)
			b.mu.Unlock()
			return ctx.Err()
		},
		Logger: zap.New(core),
	}
	if mutate != nil {
		mutate(&cfg)
	}
	b.client = webhookout.New(cfg)
	return b
}

// status answers code with the given header pairs and a short body.
func status(code int, header ...string) reply {
	return func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(code)
		_, _ = io.WriteString(w, http.StatusText(code))
	}
}

// requireKind checks err is an *Error of the given kind with attempts
// requests made, and returns its details.
func requireKind(t *testing.T, err error, kind error, attempts int) errorDetails {
	t.Helper()
	require.ErrorIs(t, err, kind)
	e, ok := errors.AsType[*webhookout.Error](err)
	require.True(t, ok, "error %v is not *webhookout.Error", err)
	require.Equal(t, attempts, e.Attempts)
	return errorDetails{Host: e.Host, Status: e.Status}
}

// errorDetails are the fields of an *Error the tests look at.
type errorDetails struct {
	Host   string
	Status int
}
