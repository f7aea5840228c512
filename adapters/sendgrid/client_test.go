package sendgrid_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/sendgrid"
)

const testKey = "SG.test-key"

// fakeNow is the clock every client test runs on.
var fakeNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// recorded is one request the fake Mail Send endpoint received.
type recorded struct {
	method, path string
	header       http.Header
	body         []byte
}

// clientBundle is a Client pointed at a local server that answers as
// /v3/mail/send does, with answers scripted per test.
type clientBundle struct {
	srv    *httptest.Server
	client *sendgrid.Client

	mu       sync.Mutex
	requests []recorded
	sleeps   []time.Duration
}

// answer scripts the fake server's answer to the n-th request (from 1).
type answer func(w http.ResponseWriter, r *http.Request, n int)

func setupClient(t *testing.T, answerFn answer, mutate ...func(*sendgrid.Config)) *clientBundle {
	t.Helper()
	b := &clientBundle{}
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		b.mu.Lock()
		b.requests = append(b.requests, recorded{method: r.Method, path: r.URL.Path, header: r.Header.Clone(), body: body})
		n := len(b.requests)
		b.mu.Unlock()
		answerFn(w, r, n)
	}))
	t.Cleanup(b.srv.Close)
	cfg := sendgrid.Config{
		APIKey:     testKey,
		BaseURL:    b.srv.URL,
		HTTPClient: &http.Client{Timeout: 5 * time.Second},
		Now:        func() time.Time { return fakeNow },
		Sleep: func(ctx context.Context, d time.Duration) error {
			b.mu.Lock()
			defer b.mu.Unlock()
			b.sleeps = append(b.sleeps, d)
			return ctx.Err()
		},
	}
	for _, m := range mutate {
		m(&cfg)
	}
	c, err := sendgrid.New(cfg)
	require.NoError(t, err)
	b.client = c
	return b
}

func (b *clientBundle) recorded() ([]recorded, []time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]recorded(nil), b.requests...), append([]time.Duration(nil), b.sleeps...)
}

func accepted(id string) answer {
	return func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.Header().Set(sendgrid.HeaderMessageID, id)
		w.WriteHeader(http.StatusAccepted)
	}
}

func sgError(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// sample is a marketing email with every field set.
func sample() *sendgrid.Email {
	return &sendgrid.Email{
		MessageID: "run-1/reminder",
		From:      sendgrid.Address{Name: "Demo Store", Address: "hello@demo.example"},
		ReplyTo:   sendgrid.Address{Address: "help@demo.example"},
		To:        "ann@example.com",
		ToName:    "Ann",
		Subject:   "You left something behind",
		HTML:      "<p>Your cart</p>",
		Text:      "Your cart",
		Headers: map[string]string{
			"List-Unsubscribe":      "<https://b.example/u/tok>, <mailto:u@b.example?subject=tok>",
			"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		},
		Categories: []string{"abandoned_checkout", "marketing"},
		CustomArgs: map[string]string{"boomerang_shop": "demo", "boomerang_flow": "abandoned-checkout", "boomerang_message_id": "ignored"},
	}
}

func decode(t *testing.T, body []byte) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(body, &m))
	return m
}

func TestSendAccepted(t *testing.T) {
	t.Parallel()
	b := setupClient(t, accepted("14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0"))
	res, err := b.client.Send(t.Context(), sample())
	require.NoError(t, err)
	require.Equal(t, &sendgrid.Result{ProviderID: "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0", Attempts: 1}, res)

	reqs, sleeps := b.recorded()
	require.Len(t, reqs, 1)
	require.Empty(t, sleeps)
	req := reqs[0]
	require.Equal(t, http.MethodPost, req.method)
	require.Equal(t, "/v3/mail/send", req.path)
	require.Equal(t, "Bearer "+testKey, req.header.Get("Authorization"))
	require.Equal(t, "application/json", req.header.Get("Content-Type"))

	want := `{
		"from": {"name": "Demo Store", "email": "hello@demo.example"},
		"reply_to": {"email": "help@demo.example"},
		"subject": "You left something behind",
		"personalizations": [{
			"to": [{"name": "Ann", "email": "ann@example.com"}],
			"custom_args": {"boomerang_message_id": "run-1/reminder", "boomerang_shop": "demo", "boomerang_flow": "abandoned-checkout"}
		}],
		"content": [{"type": "text/plain", "value": "Your cart"}, {"type": "text/html", "value": "<p>Your cart</p>"}],
		"headers": {
			"List-Unsubscribe": "<https://b.example/u/tok>, <mailto:u@b.example?subject=tok>",
			"List-Unsubscribe-Post": "List-Unsubscribe=One-Click"
		},
		"categories": ["abandoned_checkout", "marketing"]
	}`
	require.JSONEq(t, want, string(req.body))
}

func TestSendTemplate(t *testing.T) {
	t.Parallel()
	b := setupClient(t, accepted("abc"))
	e := &sendgrid.Email{
		MessageID:    "m-2",
		From:         sendgrid.Address{Address: "hello@demo.example"},
		To:           "bob@example.com",
		TemplateID:   "d-0123456789abcdef",
		TemplateData: map[string]any{"first_name": "Bob", "cart": []any{map[string]any{"title": "Mug", "quantity": 1}}},
	}
	res, err := b.client.Send(t.Context(), e)
	require.NoError(t, err)
	require.Equal(t, "abc", res.ProviderID)
	reqs, _ := b.recorded()
	require.JSONEq(t, `{
		"from": {"email": "hello@demo.example"},
		"template_id": "d-0123456789abcdef",
		"personalizations": [{
			"to": [{"email": "bob@example.com"}],
			"custom_args": {"boomerang_message_id": "m-2"},
			"dynamic_template_data": {"first_name": "Bob", "cart": [{"title": "Mug", "quantity": 1}]}
		}]
	}`, string(reqs[0].body))
}

func TestSendTextOnly(t *testing.T) {
	t.Parallel()
	b := setupClient(t, accepted("x"))
	e := sample()
	e.HTML = ""
	_, err := b.client.Send(t.Context(), e)
	require.NoError(t, err)
	reqs, _ := b.recorded()
	got := decode(t, reqs[0].body)
	require.Equal(t, []any{map[string]any{"type": "text/plain", "value": "Your cart"}}, got["content"])
}

func TestSendSandboxOK(t *testing.T) {
	t.Parallel()
	b := setupClient(t, func(w http.ResponseWriter, _ *http.Request, _ int) { w.WriteHeader(http.StatusOK) })
	res, err := b.client.Send(t.Context(), sample())
	require.NoError(t, err)
	require.Equal(t, &sendgrid.Result{Attempts: 1}, res)
}

func TestSendBadRequestIsPermanent(t *testing.T) {
	t.Parallel()
	b := setupClient(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		sgError(w, http.StatusBadRequest, `{"errors":[{"message":"Does not contain a valid address.","field":"personalizations.0.to.0.email","help":"http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html#message.personalizations.to"},{"message":"The from email does not contain a valid address.","field":null,"help":null}]}`)
	})
	res, err := b.client.Send(t.Context(), sample())
	require.Nil(t, res)
	require.ErrorIs(t, err, sendgrid.ErrPermanent)
	require.NotErrorIs(t, err, sendgrid.ErrTemporary)
	var se *sendgrid.SendError
	require.ErrorAs(t, err, &se)
	require.Equal(t, http.StatusBadRequest, se.StatusCode)
	require.Equal(t, 1, se.Attempts)
	require.Equal(t, []string{
		"personalizations.0.to.0.email: Does not contain a valid address.",
		"The from email does not contain a valid address.",
	}, se.Messages)
	require.Contains(t, err.Error(), "status 400")
	require.Contains(t, err.Error(), "Does not contain a valid address.")
	reqs, sleeps := b.recorded()
	require.Len(t, reqs, 1)
	require.Empty(t, sleeps)
}

func TestSendOtherClientErrorsArePermanent(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusRequestEntityTooLarge} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			t.Parallel()
			b := setupClient(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
				sgError(w, status, `{"errors":[{"field":null,"message":"nope"}]}`)
			})
			_, err := b.client.Send(t.Context(), sample())
			require.ErrorIs(t, err, sendgrid.ErrPermanent)
			reqs, _ := b.recorded()
			require.Len(t, reqs, 1)
		})
	}
}

func TestSendRateLimitedHonoursReset(t *testing.T) {
	t.Parallel()
	b := setupClient(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			// SendGrid's own spelling, kept verbatim on the wire.
			w.Header()["X-RateLimit-Reset"] = []string{strconv.FormatInt(fakeNow.Add(3*time.Second).Unix(), 10)}
			sgError(w, http.StatusTooManyRequests, `{"errors":[{"field":null,"message":"too many requests"}]}`)
			return
		}
		accepted("after-reset")(w, r, n)
	})
	res, err := b.client.Send(t.Context(), sample())
	require.NoError(t, err)
	require.Equal(t, &sendgrid.Result{ProviderID: "after-reset", Attempts: 2}, res)
	reqs, sleeps := b.recorded()
	require.Len(t, reqs, 2)
	require.Equal(t, []time.Duration{3 * time.Second}, sleeps)
	require.Equal(t, reqs[0].body, reqs[1].body, "a retry sends the same body")
}

func TestSendRateLimitedWithoutResetBacksOff(t *testing.T) {
	t.Parallel()
	b := setupClient(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			sgError(w, http.StatusTooManyRequests, `{"errors":[{"field":null,"message":"too many requests"}]}`)
			return
		}
		accepted("ok")(w, r, n)
	})
	res, err := b.client.Send(t.Context(), sample())
	require.NoError(t, err)
	require.Equal(t, 2, res.Attempts)
	_, sleeps := b.recorded()
	require.Len(t, sleeps, 1)
	require.GreaterOrEqual(t, sleeps[0], 250*time.Millisecond)
	require.LessOrEqual(t, sleeps[0], 500*time.Millisecond)
}

func TestSendRateLimitResetBeyondMaxWait(t *testing.T) {
	t.Parallel()
	b := setupClient(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.Header().Set(sendgrid.HeaderRateLimitReset, strconv.FormatInt(fakeNow.Add(time.Minute).Unix(), 10))
		sgError(w, http.StatusTooManyRequests, `{"errors":[{"field":null,"message":"too many requests"}]}`)
	})
	_, err := b.client.Send(t.Context(), sample())
	require.ErrorIs(t, err, sendgrid.ErrTemporary)
	var se *sendgrid.SendError
	require.ErrorAs(t, err, &se)
	require.Equal(t, time.Minute, se.RetryAfter)
	require.Equal(t, http.StatusTooManyRequests, se.StatusCode)
	require.Equal(t, []string{"too many requests"}, se.Messages)
	reqs, sleeps := b.recorded()
	require.Len(t, reqs, 1)
	require.Empty(t, sleeps)
}

func TestSendServerErrorThenAccepted(t *testing.T) {
	t.Parallel()
	b := setupClient(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			sgError(w, http.StatusInternalServerError, `{"errors":[{"field":null,"message":"internal error"}]}`)
			return
		}
		accepted("second")(w, r, n)
	})
	res, err := b.client.Send(t.Context(), sample())
	require.NoError(t, err)
	require.Equal(t, &sendgrid.Result{ProviderID: "second", Attempts: 2}, res)
}

func TestSendServerErrorForever(t *testing.T) {
	t.Parallel()
	b := setupClient(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		sgError(w, http.StatusServiceUnavailable, "upstream unavailable")
	})
	_, err := b.client.Send(t.Context(), sample())
	require.ErrorIs(t, err, sendgrid.ErrTemporary)
	require.NotErrorIs(t, err, sendgrid.ErrAmbiguous)
	var se *sendgrid.SendError
	require.ErrorAs(t, err, &se)
	require.Equal(t, 4, se.Attempts)
	require.Equal(t, http.StatusServiceUnavailable, se.StatusCode)
	require.Equal(t, []string{"upstream unavailable"}, se.Messages)
	reqs, sleeps := b.recorded()
	require.Len(t, reqs, 4)
	require.Len(t, sleeps, 3)
	for i, d := range sleeps {
		full := 500 * time.Millisecond << i
		require.GreaterOrEqual(t, d, full/2, "sleep %d", i)
		require.LessOrEqual(t, d, full, "sleep %d", i)
	}
}

func TestSendMaxWaitBoundsBackoff(t *testing.T) {
	t.Parallel()
	b := setupClient(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.WriteHeader(http.StatusBadGateway)
	}, func(c *sendgrid.Config) {
		c.MaxAttempts = 10
		c.Backoff = time.Second
		c.MaxWait = 2 * time.Second
	})
	_, err := b.client.Send(t.Context(), sample())
	require.ErrorIs(t, err, sendgrid.ErrTemporary)
	_, sleeps := b.recorded()
	var total time.Duration
	for _, d := range sleeps {
		total += d
	}
	require.LessOrEqual(t, total, 2*time.Second)
	require.NotEmpty(t, sleeps)
}

func TestSendTimeoutIsAmbiguous(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	b := setupClient(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}, func(c *sendgrid.Config) {
		c.HTTPClient = &http.Client{Timeout: 100 * time.Millisecond}
	})
	t.Cleanup(func() { close(release) })
	_, err := b.client.Send(t.Context(), sample())
	require.ErrorIs(t, err, sendgrid.ErrAmbiguous)
	require.NotErrorIs(t, err, sendgrid.ErrTemporary)
	var se *sendgrid.SendError
	require.ErrorAs(t, err, &se)
	require.Equal(t, 1, se.Attempts)
	reqs, sleeps := b.recorded()
	require.Len(t, reqs, 1, "an ambiguous send is not retried")
	require.Empty(t, sleeps)
}

func TestSendConnectionDroppedAfterRequestIsAmbiguous(t *testing.T) {
	t.Parallel()
	b := setupClient(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			_ = conn.Close()
		}
	})
	_, err := b.client.Send(t.Context(), sample())
	require.ErrorIs(t, err, sendgrid.ErrAmbiguous)
	reqs, _ := b.recorded()
	require.Len(t, reqs, 1)
}

func TestSendConnectionRefusedIsTemporary(t *testing.T) {
	t.Parallel()
	b := setupClient(t, accepted("never"))
	b.srv.Close()
	_, err := b.client.Send(t.Context(), sample())
	require.ErrorIs(t, err, sendgrid.ErrTemporary)
	require.NotErrorIs(t, err, sendgrid.ErrAmbiguous)
	var se *sendgrid.SendError
	require.ErrorAs(t, err, &se)
	require.Equal(t, 4, se.Attempts)
	require.Zero(t, se.StatusCode)
}

func TestSendCancelledWhileWaiting(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	b := setupClient(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.WriteHeader(http.StatusInternalServerError)
	}, func(c *sendgrid.Config) {
		c.Sleep = func(ctx context.Context, _ time.Duration) error {
			cancel()
			return ctx.Err()
		}
	})
	_, err := b.client.Send(ctx, sample())
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorIs(t, err, sendgrid.ErrTemporary, "nothing was sent: the caller may retry")
	reqs, _ := b.recorded()
	require.Len(t, reqs, 1)
}

func TestSendCancelledInFlightIsAmbiguous(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	b := setupClient(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		cancel()
		<-r.Context().Done()
	})
	_, err := b.client.Send(ctx, sample())
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorIs(t, err, sendgrid.ErrAmbiguous)
}

func TestSendInvalidEmail(t *testing.T) {
	t.Parallel()
	b := setupClient(t, accepted("never"))
	cases := map[string]func(e *sendgrid.Email){
		"no message id":     func(e *sendgrid.Email) { e.MessageID = "" },
		"no from":           func(e *sendgrid.Email) { e.From = sendgrid.Address{} },
		"no to":             func(e *sendgrid.Email) { e.To = " " },
		"no subject":        func(e *sendgrid.Email) { e.Subject = "" },
		"no content":        func(e *sendgrid.Email) { e.HTML, e.Text = "", "" },
		"template and html": func(e *sendgrid.Email) { e.TemplateID = "d-1" },
		"data, no template": func(e *sendgrid.Email) { e.TemplateData = map[string]any{"a": 1} },
		"unencodable data": func(e *sendgrid.Email) {
			*e = sendgrid.Email{MessageID: "m", From: e.From, To: e.To, TemplateID: "d-1", TemplateData: map[string]any{"c": make(chan int)}}
		},
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := sample()
			mutate(e)
			_, err := b.client.Send(t.Context(), e)
			require.ErrorIs(t, err, sendgrid.ErrPermanent)
		})
	}
	_, err := b.client.Send(t.Context(), nil)
	require.ErrorIs(t, err, sendgrid.ErrPermanent)
	reqs, _ := b.recorded()
	require.Empty(t, reqs)
}

func TestNewValidatesConfig(t *testing.T) {
	t.Parallel()
	_, err := sendgrid.New(sendgrid.Config{})
	require.Error(t, err)
	_, err = sendgrid.New(sendgrid.Config{APIKey: "k", BaseURL: "api.sendgrid.com"})
	require.Error(t, err)
	_, err = sendgrid.New(sendgrid.Config{APIKey: "k", MaxAttempts: -1})
	require.Error(t, err)
	_, err = sendgrid.New(sendgrid.Config{APIKey: "k", Backoff: -1})
	require.Error(t, err)
	_, err = sendgrid.New(sendgrid.Config{APIKey: "k", MaxWait: -1})
	require.Error(t, err)
	c, err := sendgrid.New(sendgrid.Config{APIKey: "k"})
	require.NoError(t, err)
	require.NotNil(t, c)
}

func TestSendErrorMessage(t *testing.T) {
	t.Parallel()
	err := &sendgrid.SendError{Kind: sendgrid.ErrTemporary, StatusCode: 429, Messages: []string{"too many requests"}, Attempts: 2, RetryAfter: time.Minute, Err: errors.New("x")}
	require.Equal(t, "sendgrid: temporary failure: status 429: too many requests (after 2 attempts), retry after 1m0s: x", err.Error())
	require.ErrorIs(t, err, sendgrid.ErrTemporary)
}
