package twilio_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/twilio"
)

const (
	testSID   = "ACtest0123456789"
	testToken = "secrettoken42"
)

// reply is one canned answer of the fake Twilio API. A nil write means
// "answer 201 with a message".
type reply func(w http.ResponseWriter, r *http.Request)

// received is one request the fake saw.
type received struct {
	path       string
	user, pass string
	form       url.Values
}

// clientBundle is a Client talking to a fake Twilio API.
type clientBundle struct {
	client *twilio.Client
	srv    *httptest.Server

	mu      sync.Mutex
	reqs    []received
	replies []reply
	sleeps  []time.Duration
}

func (b *clientBundle) requests() []received {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]received(nil), b.reqs...)
}

func (b *clientBundle) waits() []time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]time.Duration(nil), b.sleeps...)
}

// setupClient starts a fake API answering with replies in turn (201 once
// they run out) and a Client pointed at it; mutate adjusts the Config.
func setupClient(t *testing.T, mutate func(*twilio.Config), replies ...reply) *clientBundle {
	t.Helper()
	b := &clientBundle{replies: replies}
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "method", http.StatusMethodNotAllowed)
			return
		}
		if err := r.ParseForm(); err != nil {
			http.Error(w, "form", http.StatusBadRequest)
			return
		}
		user, pass, _ := r.BasicAuth()
		b.mu.Lock()
		b.reqs = append(b.reqs, received{path: r.URL.Path, user: user, pass: pass, form: r.PostForm})
		var next reply
		if len(b.replies) > 0 {
			next, b.replies = b.replies[0], b.replies[1:]
		}
		b.mu.Unlock()
		if next == nil {
			next = created("SM00000000000000000000000000000001")
		}
		next(w, r)
	}))
	t.Cleanup(b.srv.Close)
	cfg := twilio.Config{
		AccountSID: testSID,
		AuthToken:  testToken,
		BaseURL:    b.srv.URL,
		HTTPClient: &http.Client{Timeout: 5 * time.Second},
		Sleep: func(ctx context.Context, d time.Duration) error {
			b.mu.Lock()
			b.sleeps = append(b.sleeps, d)
			b.mu.Unlock()
			return ctx.Err()
		},
	}
	if mutate != nil {
		mutate(&cfg)
	}
	c, err := twilio.New(cfg)
	require.NoError(t, err)
	b.client = c
	return b
}

// created answers 201 with a Message resource, as Twilio does.
func created(sid string) reply {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = fmt.Fprintf(w, `{"sid":%q,"status":"queued","to":%q,"from":%q,"body":%q,"num_segments":"1",`+
			`"direction":"outbound-api","error_code":null,"error_message":null,"account_sid":%q,`+
			`"messaging_service_sid":%q,"uri":"/2010-04-01/Accounts/%s/Messages/%s.json"}`,
			sid, r.PostForm.Get("To"), r.PostForm.Get("From"), r.PostForm.Get("Body"), testSID,
			r.PostForm.Get("MessagingServiceSid"), testSID, sid)
	}
}

// apiError answers status with Twilio's error body.
func apiError(status, code int, header ...string) reply {
	return func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = fmt.Fprintf(w, `{"code":%d,"message":"error %d","more_info":"https://www.twilio.com/docs/errors/%d","status":%d}`,
			code, code, code, status)
	}
}

// htmlError answers status with a body that is not JSON (a proxy's page).
func htmlError(status int) reply {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(status)
		_, _ = w.Write([]byte("<html><body>Bad Gateway</body></html>"))
	}
}

func sms() *twilio.SMS {
	return &twilio.SMS{MessageID: "m-1", From: "+15005550006", To: "+14155550100", Body: "Your cart misses you"}
}

func TestSendSuccess(t *testing.T) {
	t.Parallel()
	b := setupClient(t, nil, created("SMabc"))
	res, err := b.client.Send(t.Context(), sms())
	require.NoError(t, err)
	require.Equal(t, &twilio.Result{SID: "SMabc", Status: "queued", Attempts: 1}, res)

	reqs := b.requests()
	require.Len(t, reqs, 1)
	require.Equal(t, "/2010-04-01/Accounts/"+testSID+"/Messages.json", reqs[0].path)
	require.Equal(t, testSID, reqs[0].user)
	require.Equal(t, testToken, reqs[0].pass)
	require.Equal(t, url.Values{
		"To":   {"+14155550100"},
		"From": {"+15005550006"},
		"Body": {"Your cart misses you"},
	}, reqs[0].form)
	require.Empty(t, b.waits())
}

func TestSendMessagingServiceAndCallback(t *testing.T) {
	t.Parallel()
	b := setupClient(t, func(c *twilio.Config) {
		c.StatusCallback = "https://app.example/webhooks/twilio"
	})
	m := &twilio.SMS{
		MessageID: "m-2", Shop: "demo", Flow: "abandoned-checkout", Run: "r-1", Step: "nudge",
		MessagingServiceSID: "MG0123456789abcdef0123456789abcdef", To: "+14155550100", Body: "Hi",
	}
	_, err := b.client.Send(t.Context(), m)
	require.NoError(t, err)
	f := b.requests()[0].form
	require.Empty(t, f.Get("From"))
	require.Equal(t, "MG0123456789abcdef0123456789abcdef", f.Get("MessagingServiceSid"))
	require.Equal(t, "https://app.example/webhooks/twilio?flow=abandoned-checkout&mid=m-2&run=r-1&shop=demo&step=nudge",
		f.Get("StatusCallback"))

	// An override is sent verbatim.
	m.StatusCallback = "https://elsewhere.example/cb?x=1"
	_, err = b.client.Send(t.Context(), m)
	require.NoError(t, err)
	require.Equal(t, "https://elsewhere.example/cb?x=1", b.requests()[1].form.Get("StatusCallback"))
}

func TestSendBaseURLPathPrefix(t *testing.T) {
	t.Parallel()
	b := setupClient(t, func(c *twilio.Config) { c.BaseURL += "/twilio/" })
	_, err := b.client.Send(t.Context(), sms())
	require.NoError(t, err)
	require.Equal(t, "/twilio/2010-04-01/Accounts/"+testSID+"/Messages.json", b.requests()[0].path)
}

func TestSendPermanentErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		status   int
		code     int
		sentinel error
	}{
		{"unsubscribed", 400, 21610, twilio.ErrUnsubscribed},
		{"invalid to", 400, 21211, twilio.ErrInvalidNumber},
		{"not mobile", 400, 21614, twilio.ErrInvalidNumber},
		{"geo permission", 400, 21408, twilio.ErrPermanent},
		{"auth", 401, 20003, twilio.ErrPermanent},
		{"not found", 404, 20404, twilio.ErrPermanent},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setupClient(t, nil, apiError(tc.status, tc.code))
			res, err := b.client.Send(t.Context(), sms())
			require.Nil(t, res)
			require.ErrorIs(t, err, tc.sentinel)
			require.ErrorIs(t, err, twilio.ErrPermanent)
			require.NotErrorIs(t, err, twilio.ErrTemporary)
			var te *twilio.Error
			require.ErrorAs(t, err, &te)
			require.Equal(t, tc.status, te.Status)
			require.Equal(t, tc.code, te.Code)
			require.Equal(t, fmt.Sprintf("error %d", tc.code), te.Message)
			require.Len(t, b.requests(), 1, "permanent errors are not retried")
			require.NotContains(t, err.Error(), testToken)
		})
	}
	require.NotErrorIs(t, twilio.ErrPermanent, twilio.ErrUnsubscribed)
	require.NotErrorIs(t, twilio.ErrUnsubscribed, twilio.ErrInvalidNumber)
}

func TestSendRetries(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		first reply
	}{
		{"429", apiError(429, 20429)},
		{"429 without code", apiError(429, 0)},
		{"20429 under another status", apiError(503, 20429)},
		{"500", apiError(500, 20500)},
		{"502 html", htmlError(502)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setupClient(t, nil, tc.first, created("SMretry"))
			res, err := b.client.Send(t.Context(), sms())
			require.NoError(t, err)
			require.Equal(t, &twilio.Result{SID: "SMretry", Status: "queued", Attempts: 2}, res)
			require.Len(t, b.requests(), 2)
			waits := b.waits()
			require.Len(t, waits, 1)
			require.GreaterOrEqual(t, waits[0], 250*time.Millisecond)
			require.Less(t, waits[0], 500*time.Millisecond)
		})
	}
}

func TestSendRetryAfter(t *testing.T) {
	t.Parallel()
	b := setupClient(t, nil, apiError(429, 20429, "Retry-After", "3"))
	_, err := b.client.Send(t.Context(), sms())
	require.NoError(t, err)
	require.Equal(t, []time.Duration{3 * time.Second}, b.waits())
}

func TestSendRetriesExhausted(t *testing.T) {
	t.Parallel()
	b := setupClient(t, func(c *twilio.Config) { c.Rand = func() float64 { return 0.999999 } },
		apiError(500, 0), apiError(503, 0), apiError(500, 0), apiError(429, 20429), created("SMlate"))
	res, err := b.client.Send(t.Context(), sms())
	require.Nil(t, res)
	require.ErrorIs(t, err, twilio.ErrTemporary)
	require.NotErrorIs(t, err, twilio.ErrPermanent)
	var te *twilio.Error
	require.ErrorAs(t, err, &te)
	require.Equal(t, 429, te.Status)
	require.Equal(t, 20429, te.Code)
	require.Len(t, b.requests(), 4, "default MaxAttempts")
	waits := b.waits()
	require.Len(t, waits, 3)
	// Exponential from 500 ms, jittered into [d/2, d).
	for i, d := range []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second} {
		require.InDelta(t, float64(d), float64(waits[i]), float64(time.Millisecond), "wait %d", i)
	}
}

func TestSendHangIsAmbiguous(t *testing.T) {
	t.Parallel()
	b := setupClient(t, func(c *twilio.Config) { c.HTTPClient = &http.Client{Timeout: 100 * time.Millisecond} },
		func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	res, err := b.client.Send(t.Context(), sms())
	require.Nil(t, res)
	require.ErrorIs(t, err, twilio.ErrAmbiguous)
	require.NotErrorIs(t, err, twilio.ErrTemporary)
	require.Len(t, b.requests(), 1, "an ambiguous send is never repeated")
}

func TestSendCancelledMidRequestIsAmbiguous(t *testing.T) {
	t.Parallel()
	arrived := make(chan struct{})
	b := setupClient(t, nil, func(_ http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-r.Context().Done()
	})
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		<-arrived
		cancel()
	}()
	_, err := b.client.Send(ctx, sms())
	require.ErrorIs(t, err, twilio.ErrAmbiguous)
	require.ErrorIs(t, err, context.Canceled)
}

func TestSendCancelledBeforeOrBetweenAttempts(t *testing.T) {
	t.Parallel()
	b := setupClient(t, nil)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := b.client.Send(ctx, sms())
	require.ErrorIs(t, err, twilio.ErrTemporary)
	require.ErrorIs(t, err, context.Canceled)
	require.Empty(t, b.requests())

	// Cancelled during the backoff wait after a 500.
	ctx2, cancel2 := context.WithCancel(t.Context())
	b2 := setupClient(t, func(c *twilio.Config) {
		c.Sleep = func(context.Context, time.Duration) error {
			cancel2()
			return ctx2.Err()
		}
	}, apiError(500, 0))
	_, err = b2.client.Send(ctx2, sms())
	require.ErrorIs(t, err, twilio.ErrTemporary)
	require.ErrorIs(t, err, context.Canceled)
	require.Len(t, b2.requests(), 1)
}

func TestSendConnectionRefusedIsRetriedThenTemporary(t *testing.T) {
	t.Parallel()
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	b := setupClient(t, func(c *twilio.Config) { c.BaseURL = deadURL; c.MaxAttempts = 2 })
	_, err := b.client.Send(t.Context(), sms())
	require.ErrorIs(t, err, twilio.ErrTemporary)
	require.NotErrorIs(t, err, twilio.ErrAmbiguous)
	require.Len(t, b.waits(), 1)
}

func TestSendCreatedWithUnreadableBody(t *testing.T) {
	t.Parallel()
	b := setupClient(t, nil, func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte("{not json"))
	})
	res, err := b.client.Send(t.Context(), sms())
	require.NoError(t, err, "the message exists; sending it again would duplicate it")
	require.Equal(t, &twilio.Result{Attempts: 1}, res)
}

func TestSendInvalidSMS(t *testing.T) {
	t.Parallel()
	b := setupClient(t, nil)
	for _, m := range []*twilio.SMS{
		nil,
		{From: "+15005550006", Body: "x"},
		{To: "+14155550100", Body: "x"},
		{From: "+15005550006", To: "+14155550100"},
	} {
		_, err := b.client.Send(t.Context(), m)
		require.ErrorIs(t, err, twilio.ErrPermanent)
	}
	require.Empty(t, b.requests())
}

func TestNewValidatesConfig(t *testing.T) {
	t.Parallel()
	ok := twilio.Config{AccountSID: testSID, AuthToken: testToken}
	_, err := twilio.New(ok)
	require.NoError(t, err)
	for name, mutate := range map[string]func(*twilio.Config){
		"no sid":            func(c *twilio.Config) { c.AccountSID = "" },
		"no token":          func(c *twilio.Config) { c.AuthToken = "" },
		"token not alnum":   func(c *twilio.Config) { c.AuthToken = "abc-def" },
		"sid not alnum":     func(c *twilio.Config) { c.AccountSID = "AC/../x" },
		"base url scheme":   func(c *twilio.Config) { c.BaseURL = "ftp://x" },
		"base url no host":  func(c *twilio.Config) { c.BaseURL = "https://" },
		"relative callback": func(c *twilio.Config) { c.StatusCallback = "/webhooks/twilio" },
		"negative attempts": func(c *twilio.Config) { c.MaxAttempts = -1 },
		"negative backoff":  func(c *twilio.Config) { c.Backoff = -time.Second },
	} {
		cfg := ok
		mutate(&cfg)
		_, err := twilio.New(cfg)
		require.Error(t, err, name)
	}
}

func TestErrorMessage(t *testing.T) {
	t.Parallel()
	e := &twilio.Error{Status: 400, Code: 21610, Message: "unsubscribed"}
	require.Equal(t, "twilio: HTTP 400, error 21610: unsubscribed", e.Error())
	require.Equal(t, "twilio: HTTP 502: bad gateway", (&twilio.Error{Status: 502, Message: "bad gateway"}).Error())
	require.ErrorIs(t, fmt.Errorf("x: %w", twilio.ErrInvalidNumber), twilio.ErrPermanent)
}
