package webhookout_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/boomerang-dev/boomerang/adapters/webhookout"
)

func TestDeliverSignedRequest(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	require.NoError(t, b.client.Deliver(t.Context(), b.delivery()))

	reqs := b.requests()
	require.Len(t, reqs, 1)
	r := reqs[0]
	require.Equal(t, http.MethodPost, r.method)
	require.Equal(t, hookPath, r.path)
	require.True(t, bytes.Equal([]byte(testBody), r.body), "the body is sent byte for byte: %s", r.body)
	require.Equal(t, "application/json", r.header.Get("Content-Type"))
	require.Equal(t, webhookout.DefaultUserAgent, r.header.Get("User-Agent"))
	require.Equal(t, testID, r.header.Get(webhookout.HeaderID))
	require.Equal(t, strconv.FormatInt(testNow.Unix(), 10), r.header.Get(webhookout.HeaderTimestamp))

	sig := r.header.Get(webhookout.HeaderSignature)
	require.Equal(t, webhookout.Sign(testSecret, testNow, []byte(testBody)), sig)
	require.True(t, strings.HasPrefix(sig, "t="+r.header.Get(webhookout.HeaderTimestamp)+",v1="), sig)
	require.NoError(t, webhookout.Verify(testSecret, sig, r.body, testNow, 0))
	require.ErrorIs(t, webhookout.Verify("whsec_other", sig, r.body, testNow, 0), webhookout.ErrSignature)
	require.Empty(t, b.waits())
}

func TestDeliverUserAgentAndBasicAuth(t *testing.T) {
	t.Parallel()
	b := setup(t, func(c *webhookout.Config) { c.UserAgent = "Boomerang-Webhooks/1 (staging)" })
	d := b.delivery()
	d.URL = "http://n8n:hunter2@" + b.host() + "/webhook/boomerang"
	require.NoError(t, b.client.Deliver(t.Context(), d))
	h := b.requests()[0].header
	require.Equal(t, "Boomerang-Webhooks/1 (staging)", h.Get("User-Agent"))
	req := &http.Request{Header: h}
	user, pass, ok := req.BasicAuth()
	require.True(t, ok)
	require.Equal(t, "n8n", user)
	require.Equal(t, "hunter2", pass)
}

func TestDeliverSecretRotation(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	d := b.delivery()
	d.PreviousSecret = "whsec_previous"
	require.NoError(t, b.client.Deliver(t.Context(), d))
	sig := b.requests()[0].header.Get(webhookout.HeaderSignature)
	require.Equal(t, 2, strings.Count(sig, "v1="), sig)
	require.NoError(t, webhookout.Verify(testSecret, sig, []byte(testBody), testNow, 0))
	require.NoError(t, webhookout.Verify("whsec_previous", sig, []byte(testBody), testNow, 0))
	require.ErrorIs(t, webhookout.Verify("whsec_other", sig, []byte(testBody), testNow, 0), webhookout.ErrSignature)

	// The same secret twice signs once.
	d.PreviousSecret = testSecret
	require.NoError(t, b.client.Deliver(t.Context(), d))
	require.Equal(t, 1, strings.Count(b.requests()[1].header.Get(webhookout.HeaderSignature), "v1="))
}

func TestDeliverRetriesWithSameID(t *testing.T) {
	t.Parallel()
	// The clock moves between attempts: each attempt is signed afresh.
	var ticks atomic.Int64
	b := setup(t, func(c *webhookout.Config) {
		c.Now = func() time.Time { return testNow.Add(time.Duration(ticks.Add(1)) * time.Second) }
	}, status(http.StatusInternalServerError), status(http.StatusBadGateway))
	require.NoError(t, b.client.Deliver(t.Context(), b.delivery()))

	reqs := b.requests()
	require.Len(t, reqs, 3, "two failures, then success")
	stamps := map[string]bool{}
	for _, r := range reqs {
		require.Equal(t, testID, r.header.Get(webhookout.HeaderID))
		require.True(t, bytes.Equal([]byte(testBody), r.body), "%s", r.body)
		ts := r.header.Get(webhookout.HeaderTimestamp)
		stamps[ts] = true
		sec, err := strconv.ParseInt(ts, 10, 64)
		require.NoError(t, err)
		require.NoError(t, webhookout.Verify(testSecret, r.header.Get(webhookout.HeaderSignature), r.body, time.Unix(sec, 0), time.Second))
	}
	require.Len(t, stamps, 3, "every attempt carries its own timestamp")
	require.Len(t, b.waits(), 2)
}

func TestDeliverBackoff(t *testing.T) {
	t.Parallel()
	b := setup(t, func(c *webhookout.Config) { c.MaxAttempts = 5 },
		status(500), status(500), status(500), status(500), status(500))
	err := b.client.Deliver(t.Context(), b.delivery())
	requireKind(t, err, webhookout.ErrTemporary, 5)
	waits := b.waits()
	require.Len(t, waits, 4)
	for i, base := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second} {
		require.GreaterOrEqual(t, waits[i], base, "wait %d", i)
		require.Less(t, waits[i], base+base/4, "wait %d: jitter is at most a quarter", i)
	}
}

func TestDeliverBackoffCappedAtMaxWait(t *testing.T) {
	t.Parallel()
	b := setup(t, func(c *webhookout.Config) { c.MaxAttempts = 4; c.MaxWait = 1500 * time.Millisecond },
		status(500), status(500), status(500), status(500))
	requireKind(t, b.client.Deliver(t.Context(), b.delivery()), webhookout.ErrTemporary, 4)
	waits := b.waits()
	require.Len(t, waits, 3)
	require.Equal(t, []time.Duration{1500 * time.Millisecond, 1500 * time.Millisecond}, waits[1:])
}

func TestDeliverStatuses(t *testing.T) {
	t.Parallel()
	cases := []struct {
		code     int
		kind     error // nil for success
		attempts int
	}{
		{200, nil, 1},
		{201, nil, 1},
		{202, nil, 1},
		{204, nil, 1},
		{400, webhookout.ErrPermanent, 1},
		{401, webhookout.ErrPermanent, 1},
		{403, webhookout.ErrPermanent, 1},
		{404, webhookout.ErrPermanent, 1},
		{410, webhookout.ErrPermanent, 1},
		{413, webhookout.ErrPermanent, 1},
		{422, webhookout.ErrPermanent, 1},
		{408, webhookout.ErrTemporary, 3},
		{429, webhookout.ErrTemporary, 3},
		{500, webhookout.ErrTemporary, 3},
		{502, webhookout.ErrTemporary, 3},
		{503, webhookout.ErrTemporary, 3},
		{504, webhookout.ErrTemporary, 3},
	}
	for _, tc := range cases {
		t.Run(strconv.Itoa(tc.code), func(t *testing.T) {
			t.Parallel()
			b := setup(t, nil, status(tc.code), status(tc.code), status(tc.code))
			err := b.client.Deliver(t.Context(), b.delivery())
			require.Len(t, b.requests(), tc.attempts)
			require.Len(t, b.waits(), tc.attempts-1)
			if tc.kind == nil {
				require.NoError(t, err)
				return
			}
			e := requireKind(t, err, tc.kind, tc.attempts)
			require.Equal(t, tc.code, e.Status)
			require.Equal(t, b.host(), e.Host)
			other := webhookout.ErrTemporary
			if errors.Is(tc.kind, webhookout.ErrTemporary) {
				other = webhookout.ErrPermanent
			}
			require.NotErrorIs(t, err, other)
			want := fmt.Sprintf("webhook to %s: %d %s", b.host(), tc.code, http.StatusText(tc.code))
			require.True(t, strings.HasPrefix(err.Error(), want), "%q does not start with %q", err, want)
			_, ok := webhookout.RetryAfter(err)
			require.False(t, ok, "no Retry-After was sent")
		})
	}
}

func TestErrorMessage(t *testing.T) {
	t.Parallel()
	b := setup(t, nil, status(503), status(503), status(503))
	err := b.client.Deliver(t.Context(), b.delivery())
	require.EqualError(t, err, "webhook to "+b.host()+": 503 Service Unavailable (temporary failure, 3 attempts)")

	b = setup(t, nil, status(400))
	err = b.client.Deliver(t.Context(), b.delivery())
	require.EqualError(t, err, "webhook to "+b.host()+": 400 Bad Request (permanent failure, 1 attempt)")
}

func TestDeliverRetryAfter(t *testing.T) {
	t.Parallel()
	t.Run("seconds on 429", func(t *testing.T) {
		t.Parallel()
		b := setup(t, nil, status(429, "Retry-After", "7"))
		require.NoError(t, b.client.Deliver(t.Context(), b.delivery()))
		require.Len(t, b.requests(), 2)
		require.Equal(t, []time.Duration{7 * time.Second}, b.waits())
	})
	t.Run("HTTP date on 503", func(t *testing.T) {
		t.Parallel()
		when := testNow.Add(20 * time.Second).Format(http.TimeFormat)
		b := setup(t, nil, status(503, "Retry-After", when))
		require.NoError(t, b.client.Deliver(t.Context(), b.delivery()))
		require.Equal(t, []time.Duration{20 * time.Second}, b.waits())
	})
	t.Run("shorter than the backoff", func(t *testing.T) {
		t.Parallel()
		b := setup(t, nil, status(429, "Retry-After", "0"), status(429, "Retry-After", "1"))
		require.NoError(t, b.client.Deliver(t.Context(), b.delivery()))
		waits := b.waits()
		require.Len(t, waits, 2)
		require.GreaterOrEqual(t, waits[0], time.Second)
		require.GreaterOrEqual(t, waits[1], 2*time.Second)
	})
	t.Run("ignored on 500", func(t *testing.T) {
		t.Parallel()
		b := setup(t, nil, status(500, "Retry-After", "9"))
		require.NoError(t, b.client.Deliver(t.Context(), b.delivery()))
		require.Less(t, b.waits()[0], 2*time.Second)
	})
	t.Run("reported when attempts run out", func(t *testing.T) {
		t.Parallel()
		b := setup(t, nil, status(429, "Retry-After", "3"), status(429, "Retry-After", "3"), status(429, "Retry-After", "3"))
		err := b.client.Deliver(t.Context(), b.delivery())
		requireKind(t, err, webhookout.ErrTemporary, 3)
		d, ok := webhookout.RetryAfter(err)
		require.True(t, ok)
		require.Equal(t, 3*time.Second, d)
		require.Equal(t, []time.Duration{3 * time.Second, 3 * time.Second}, b.waits())
		require.ErrorContains(t, err, "429 Too Many Requests")
		require.ErrorContains(t, err, "retry after 3s")
	})
	t.Run("longer than MaxWait ends the call", func(t *testing.T) {
		t.Parallel()
		b := setup(t, nil, status(429, "Retry-After", "120"))
		err := b.client.Deliver(t.Context(), b.delivery())
		requireKind(t, err, webhookout.ErrTemporary, 1)
		d, ok := webhookout.RetryAfter(err)
		require.True(t, ok)
		require.Equal(t, 2*time.Minute, d)
		require.Empty(t, b.waits(), "no waiting inside Deliver")
		require.Len(t, b.requests(), 1)
	})
	t.Run("other errors", func(t *testing.T) {
		t.Parallel()
		_, ok := webhookout.RetryAfter(errors.New("x"))
		require.False(t, ok)
		_, ok = webhookout.RetryAfter(nil)
		require.False(t, ok)
	})
}

func TestDeliverRedirectNotFollowed(t *testing.T) {
	t.Parallel()
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		elsewhere.Add(1)
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(other.Close)
	otherHost := strings.TrimPrefix(other.URL, "http://")

	for _, code := range []int{301, 302, 303, 307, 308} {
		for _, custom := range []bool{false, true} {
			t.Run(fmt.Sprintf("%d custom=%v", code, custom), func(t *testing.T) {
				t.Parallel()
				b := setup(t, func(c *webhookout.Config) {
					if custom {
						// A caller's client that would follow redirects.
						c.HTTPClient = &http.Client{Timeout: 5 * time.Second}
					}
				}, status(code, "Location", other.URL+"/moved/secret-path"))
				err := b.client.Deliver(t.Context(), b.delivery())
				e := requireKind(t, err, webhookout.ErrPermanent, 1)
				require.Equal(t, code, e.Status)
				require.Len(t, b.requests(), 1)
				require.Empty(t, b.waits())
				require.ErrorContains(t, err, fmt.Sprintf("%d %s", code, http.StatusText(code)))
				require.ErrorContains(t, err, "redirect to http://"+otherHost+" not followed")
				require.NotContains(t, err.Error(), "secret-path")
			})
		}
	}
	t.Run("relative location", func(t *testing.T) {
		t.Parallel()
		b := setup(t, nil, status(308, "Location", "/elsewhere"))
		err := b.client.Deliver(t.Context(), b.delivery())
		requireKind(t, err, webhookout.ErrPermanent, 1)
		require.ErrorContains(t, err, "redirect to http://"+b.host()+" not followed")
	})
	require.Zero(t, elsewhere.Load(), "the redirect target was never called")
}

func TestDeliverContextCancelStopsRetries(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var sleeps atomic.Int32
	b := setup(t, func(c *webhookout.Config) {
		c.MaxAttempts = 5
		c.Sleep = func(ctx context.Context, _ time.Duration) error {
			sleeps.Add(1)
			cancel() // shutdown arrives during the wait
			<-ctx.Done()
			return ctx.Err()
		}
	}, status(500), status(500), status(500), status(500), status(500))
	err := b.client.Deliver(ctx, b.delivery())
	e := requireKind(t, err, webhookout.ErrTemporary, 1)
	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, 500, e.Status)
	require.Len(t, b.requests(), 1)
	require.Equal(t, int32(1), sleeps.Load())
	require.ErrorContains(t, err, "500 Internal Server Error")
}

func TestDeliverContextCancelDefaultSleep(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	// The receiver fails and then the context ends: the real 1 s backoff
	// must return at once instead of waiting it out.
	b := setup(t, func(c *webhookout.Config) { c.Sleep = nil; c.MaxAttempts = 5 },
		func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusServiceUnavailable)
			cancel()
		})
	done := make(chan error, 1)
	go func() { done <- b.client.Deliver(ctx, b.delivery()) }()
	select {
	case err := <-done:
		require.ErrorIs(t, err, webhookout.ErrTemporary)
		require.ErrorIs(t, err, context.Canceled)
		require.Len(t, b.requests(), 1)
	case <-time.After(900 * time.Millisecond):
		t.Fatal("Deliver kept waiting after ctx was cancelled")
	}
}

func TestDeliverContextAlreadyDone(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := b.client.Deliver(ctx, b.delivery())
	requireKind(t, err, webhookout.ErrTemporary, 0)
	require.ErrorIs(t, err, context.Canceled)
	require.Empty(t, b.requests())
}

func TestDeliverTimeout(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	hang := func(_ http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}
	b := setup(t, func(c *webhookout.Config) {
		c.HTTPClient = &http.Client{Timeout: 100 * time.Millisecond}
	}, hang, hang, hang)
	t.Cleanup(func() { close(release) }) // runs before the server closes
	err := b.client.Deliver(t.Context(), b.delivery())
	e := requireKind(t, err, webhookout.ErrTemporary, 3)
	require.Zero(t, e.Status)
	require.Len(t, b.requests(), 3)
	require.Len(t, b.waits(), 2)
	require.ErrorContains(t, err, "Client.Timeout exceeded")
	require.True(t, strings.HasPrefix(err.Error(), "webhook to "+b.host()+": request failed: "), err.Error())
	require.NotContains(t, err.Error(), hookPath)
}

func TestDeliverConnectionRefused(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	d := b.delivery()
	b.srv.Close() // nothing listens any more
	err := b.client.Deliver(t.Context(), d)
	e := requireKind(t, err, webhookout.ErrTemporary, 3)
	require.Zero(t, e.Status)
	require.Equal(t, b.host(), e.Host)
	require.ErrorContains(t, err, "connection refused")
	require.NotContains(t, err.Error(), hookPath, "the URL's path is a credential")
}

func TestDeliverRefusesWhatCannotBeSent(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	cases := []struct {
		name   string
		mutate func(*webhookout.Delivery)
		want   string
	}{
		{"ftp", func(d *webhookout.Delivery) { d.URL = "ftp://files.example/hook" }, `scheme "ftp" is not http or https`},
		{"no scheme", func(d *webhookout.Delivery) { d.URL = "hooks.zapier.com/hooks/catch/1/2/" }, `scheme "" is not http`},
		{"empty", func(d *webhookout.Delivery) { d.URL = "" }, "invalid URL"},
		{"javascript", func(d *webhookout.Delivery) { d.URL = "javascript:alert(1)" }, `scheme "javascript"`},
		{"no host", func(d *webhookout.Delivery) { d.URL = "https:///path" }, "no host"},
		{"port only", func(d *webhookout.Delivery) { d.URL = "https://:443/x" }, "no host"},
		{"opaque", func(d *webhookout.Delivery) { d.URL = "http:hooks.example" }, "no host"},
		{"unparsable", func(d *webhookout.Delivery) { d.URL = "http://[::1/x" }, "invalid URL"},
		{"control character", func(d *webhookout.Delivery) { d.URL = "https://hooks.example/\x7f" }, "invalid URL"},
		{"no id", func(d *webhookout.Delivery) { d.ID = "" }, "no delivery id"},
		{"no secret", func(d *webhookout.Delivery) { d.Secret = "" }, "no signing secret"},
		{"not JSON", func(d *webhookout.Delivery) { d.Body = []byte(`{"a":`) }, "not valid JSON"},
		{"no body", func(d *webhookout.Delivery) { d.Body = nil }, "not valid JSON"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := b.delivery()
			tc.mutate(&d)
			err := b.client.Deliver(t.Context(), d)
			requireKind(t, err, webhookout.ErrPermanent, 0)
			require.ErrorContains(t, err, tc.want)
			require.NotContains(t, err.Error(), testSecret)
		})
	}
	require.Empty(t, b.requests(), "nothing was sent")
}

func TestDeliverNeverLeaksSecrets(t *testing.T) {
	t.Parallel()
	const password = "pa55-in-url"
	b := setup(t, nil, status(500), status(500), status(500), status(302, "Location", "https://elsewhere.example/p?token=x"))
	d := b.delivery()
	d.URL = "http://user:" + password + "@" + b.host() + hookPath + "?token=q-tok"
	d.PreviousSecret = "whsec_previous-value"

	var errs []error
	errs = append(errs, b.client.Deliver(t.Context(), d)) // 500 × 3
	errs = append(errs, b.client.Deliver(t.Context(), d)) // 302
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	errs = append(errs, b.client.Deliver(ctx, d))
	bad := d
	bad.URL = "ftp://user:" + password + "@files.example" + hookPath
	errs = append(errs, b.client.Deliver(t.Context(), bad))
	bad.URL = "http://user:" + password + "@[::1" + hookPath
	errs = append(errs, b.client.Deliver(t.Context(), bad))

	var texts []string
	for _, err := range errs {
		require.Error(t, err)
		texts = append(texts, err.Error())
	}
	require.NotEmpty(t, b.logs.All())
	for _, e := range b.logs.All() {
		texts = append(texts, e.Message, fmt.Sprint(e.ContextMap()))
	}
	for _, text := range texts {
		for _, secret := range []string{testSecret, "whsec_previous-value", password, hookPath, "q-tok", "token=x"} {
			require.NotContains(t, text, secret)
		}
	}
}

func TestDeliverLogs(t *testing.T) {
	t.Parallel()
	b := setup(t, nil, status(500))
	require.NoError(t, b.client.Deliver(t.Context(), b.delivery()))
	retried := b.logs.FilterMessage("webhook attempt failed, retrying").All()
	require.Len(t, retried, 1)
	fields := retried[0].ContextMap()
	require.Equal(t, testID, fields["delivery_id"])
	require.Equal(t, "demo", fields["shop"])
	require.Equal(t, b.host(), fields["host"])
	require.Equal(t, int64(500), fields["status"])
	require.Len(t, b.logs.FilterMessage("webhook delivered").All(), 1)
}

// countingBody is a response body of size zero bytes that records how much
// was read and whether it was closed.
type countingBody struct {
	mu     sync.Mutex
	left   int
	read   int
	closed bool
}

func (c *countingBody) Read(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.left == 0 {
		return 0, io.EOF
	}
	n := min(len(p), c.left)
	clear(p[:n])
	c.left -= n
	c.read += n
	return n, nil
}

func (c *countingBody) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	return nil
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestDeliverReadsAtMost64KiBOfAnswer(t *testing.T) {
	t.Parallel()
	for _, code := range []int{200, 500} {
		t.Run(strconv.Itoa(code), func(t *testing.T) {
			t.Parallel()
			var bodies []*countingBody
			var mu sync.Mutex
			tr := roundTripFunc(func(r *http.Request) (*http.Response, error) {
				if r.Body != nil {
					_ = r.Body.Close()
				}
				body := &countingBody{left: 10 << 20}
				mu.Lock()
				bodies = append(bodies, body)
				mu.Unlock()
				return &http.Response{StatusCode: code, Header: http.Header{}, Body: body, Request: r}, nil
			})
			core, _ := observer.New(zap.DebugLevel)
			c := webhookout.New(webhookout.Config{
				HTTPClient:  &http.Client{Transport: tr},
				MaxAttempts: 2,
				Sleep:       func(context.Context, time.Duration) error { return nil },
				Logger:      zap.New(core),
			})
			err := c.Deliver(t.Context(), webhookout.Delivery{
				ID: testID, URL: "https://hooks.example/x", Body: []byte(testBody), Secret: testSecret,
			})
			if code == 200 {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, webhookout.ErrTemporary)
			}
			mu.Lock()
			defer mu.Unlock()
			require.NotEmpty(t, bodies)
			for _, body := range bodies {
				require.Equal(t, 64<<10, body.read)
				require.True(t, body.closed)
			}
		})
	}
}

func TestDeliverConcurrent(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			d := b.delivery()
			d.ID = fmt.Sprintf("run-%d:hook", i)
			require.NoError(t, b.client.Deliver(t.Context(), d))
		})
	}
	wg.Wait()
	ids := map[string]bool{}
	for _, r := range b.requests() {
		ids[r.header.Get(webhookout.HeaderID)] = true
	}
	require.Len(t, ids, 16)
}
