package cli

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/sendgrid"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/adapters/twilio"
	"github.com/boomerang-dev/boomerang/flows/event"
	"github.com/boomerang-dev/boomerang/processor"
	"github.com/boomerang-dev/boomerang/processor/send"
)

var rlNow = time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)

func header(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

func TestRetryAtReadsTheProvidersHints(t *testing.T) {
	t.Parallel()
	reset := strconv.FormatInt(rlNow.Add(90*time.Second).Unix(), 10)
	for name, tc := range map[string]struct {
		h    http.Header
		want time.Time
	}{
		"retry-after seconds":         {header("Retry-After", "30"), rlNow.Add(30 * time.Second)},
		"retry-after http date":       {header("Retry-After", rlNow.Add(time.Minute).Format(http.TimeFormat)), rlNow.Add(time.Minute)},
		"sendgrid reset":              {header("X-RateLimit-Reset", reset), rlNow.Add(90 * time.Second)},
		"the later of the two":        {header("Retry-After", "5", "X-RateLimit-Reset", reset), rlNow.Add(90 * time.Second)},
		"a reset already past":        {header("X-RateLimit-Reset", strconv.FormatInt(rlNow.Unix()-5, 10)), time.Time{}},
		"zero seconds":                {header("Retry-After", "0"), time.Time{}},
		"negative seconds":            {header("Retry-After", "-3"), time.Time{}},
		"garbage":                     {header("Retry-After", "soon", "X-RateLimit-Reset", "tomorrow"), time.Time{}},
		"nothing":                     {http.Header{}, time.Time{}},
		"absurdly far, capped to 24h": {header("Retry-After", "999999999999"), rlNow.Add(24 * time.Hour)},
		"far reset, capped to 24h":    {header("X-RateLimit-Reset", "99999999999"), rlNow.Add(24 * time.Hour)},
	} {
		require.True(t, tc.want.Equal(retryAt(tc.h, rlNow)), "%s: got %v", name, retryAt(tc.h, rlNow))
	}
}

func FuzzRetryAt(f *testing.F) {
	f.Add("30", "")
	f.Add("", "1782907290")
	f.Add("Wed, 01 Jul 2026 12:01:00 GMT", "1782907290")
	f.Add("-1", "-1")
	f.Add("9223372036854775807", "9223372036854775807")
	f.Fuzz(func(t *testing.T, retryAfter, reset string) {
		at := retryAt(header("Retry-After", retryAfter, "X-RateLimit-Reset", reset), rlNow)
		if at.IsZero() {
			return
		}
		if !at.After(rlNow) || at.Sub(rlNow) > maxRetryHint {
			t.Fatalf("retryAt(%q, %q) = %v: outside (now, now+24h]", retryAfter, reset, at)
		}
	})
}

func TestProvidersReport429WithTheirReset(t *testing.T) {
	t.Parallel()
	shops, err := shop.NewRegistry(shop.Demo("x"))
	require.NoError(t, err)
	hc := &http.Client{Transport: observingTransport{next: http.DefaultTransport}}

	sg := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set(sendgrid.HeaderRateLimitReset, strconv.FormatInt(rlNow.Add(42*time.Second).Unix(), 10))
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte(`{"errors":[{"field":null,"message":"too many requests"}]}`))
	}))
	t.Cleanup(sg.Close)
	client, err := sendgrid.New(sendgrid.Config{APIKey: "SG.x", BaseURL: sg.URL, HTTPClient: hc, MaxAttempts: 1})
	require.NoError(t, err)
	c := &processor.SendCommand{ID: "r:s", Shop: "demo", Channel: event.ChannelEmail, To: "a@example.com"}
	_, err = sendgridProvider{client: client, shops: shops, now: func() time.Time { return rlNow }}.Deliver(
		context.Background(), &send.Delivery{Cmd: c, Rendered: &send.Rendered{Subject: "s", Text: "t"}})
	rl, ok := errors.AsType[*send.RateLimitError](err)
	require.True(t, ok, "%v", err)
	require.True(t, rlNow.Add(42*time.Second).Equal(rl.Until), "%v", rl.Until)
	require.ErrorIs(t, err, send.ErrTemporary)
	var coded send.CodedError
	require.ErrorAs(t, err, &coded)
	require.Equal(t, "429", coded.ProviderCode())

	tw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "7")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte(`{"code":20429,"message":"Too Many Requests","status":429}`))
	}))
	t.Cleanup(tw.Close)
	tc, err := twilio.New(twilio.Config{AccountSID: "ACtest", AuthToken: "token", BaseURL: tw.URL, HTTPClient: hc, MaxAttempts: 1})
	require.NoError(t, err)
	c = &processor.SendCommand{ID: "r:n", Shop: "demo", Channel: event.ChannelSMS, To: "+447700900000"}
	_, err = twilioProvider{client: tc, shops: shops, now: func() time.Time { return rlNow }}.Deliver(
		context.Background(), &send.Delivery{Cmd: c, Rendered: &send.Rendered{Body: "hi"}})
	rl, ok = errors.AsType[*send.RateLimitError](err)
	require.True(t, ok, "%v", err)
	require.True(t, rlNow.Add(7*time.Second).Equal(rl.Until), "%v", rl.Until)
	require.ErrorAs(t, err, &coded)
	require.Equal(t, "20429", coded.ProviderCode())
}
