package ingesttest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/adapters/jetstream"
	"github.com/boomerang-dev/boomerang/adapters/jetstream/jetstreamtest"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// receivedAt is the fixed clock of the suite's handler.
var receivedAt = time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)

// bundle is what every subtest of one Run shares: one embedded JetStream
// server and one handler whose registry holds every subtest's shop.
type bundle struct {
	f        Fixture
	js       *jetstreamtest.Server
	registry *shop.Registry
	handler  *ingest.Handler
	next     atomic.Int64
}

// Run runs the conformance suite against f. Every platform adapter's tests
// call it.
func Run(t *testing.T, f Fixture) {
	t.Helper()
	require.NotNil(t, f.Platform, "Fixture.Platform")
	require.NotNil(t, f.NewShop, "Fixture.NewShop")
	require.NotNil(t, f.Deliver, "Fixture.Deliver")
	require.NotNil(t, f.Unsign, "Fixture.Unsign")
	b := &bundle{f: f, js: jetstreamtest.Start(t)}
	var err error
	b.registry, err = shop.NewRegistry()
	require.NoError(t, err)
	b.handler = b.newHandler(t, 0)

	t.Run("valid delivery is published and acknowledged", func(t *testing.T) {
		t.Parallel()
		s := b.shop(t)
		req := b.deliver(s, f.Topic, f.Body, "d-valid", s.WebhookSecret)
		res := b.normalize(t, s, req)
		require.Equal(t, http.StatusOK, b.post(t, b.handler, req))
		stored := b.stored(t, s)
		require.Len(t, stored, len(res.Messages))
		for _, m := range stored {
			b.checkMessage(t, s, m.Subject, m.Data)
		}
	})
	t.Run("normalize is deterministic", func(t *testing.T) {
		t.Parallel()
		s := b.shop(t)
		req := b.deliver(s, f.Topic, f.Body, "d-det", s.WebhookSecret)
		r1, r2 := b.normalize(t, s, req), b.normalize(t, s, req)
		require.Equal(t, ids(r1), ids(r2))
	})
	t.Run("duplicate delivery has one copy", func(t *testing.T) {
		t.Parallel()
		s := b.shop(t)
		req := b.deliver(s, f.Topic, f.Body, "d-dup", s.WebhookSecret)
		require.Equal(t, http.StatusOK, b.post(t, b.handler, req))
		first := len(b.stored(t, s))
		require.Equal(t, http.StatusOK, b.post(t, b.handler, req))
		require.Len(t, b.stored(t, s), first)
	})
	t.Run("previous secret accepted during rotation", func(t *testing.T) {
		t.Parallel()
		s := b.shop(t)
		require.NotEmpty(t, s.PreviousWebhookSecret)
		req := b.deliver(s, f.Topic, f.Body, "d-prev", s.PreviousWebhookSecret)
		require.NoError(t, f.Platform.Verify(s, req))
		require.Equal(t, http.StatusOK, b.post(t, b.handler, req))
	})
	t.Run("wrong secret is 401", func(t *testing.T) {
		t.Parallel()
		s := b.shop(t)
		req := b.deliver(s, f.Topic, f.Body, "d-bad", "not-the-secret")
		require.ErrorIs(t, f.Platform.Verify(s, req), ingest.ErrSignature)
		require.Equal(t, http.StatusUnauthorized, b.post(t, b.handler, req))
		require.Empty(t, b.stored(t, s))
	})
	t.Run("tampered body is 401", func(t *testing.T) {
		t.Parallel()
		s := b.shop(t)
		req := b.deliver(s, f.Topic, f.Body, "d-tamper", s.WebhookSecret)
		req.Body = bytes.Replace(req.Body, []byte("}"), []byte(` }`), 1)
		require.ErrorIs(t, f.Platform.Verify(s, req), ingest.ErrSignature)
		require.Equal(t, http.StatusUnauthorized, b.post(t, b.handler, req))
	})
	t.Run("missing signature is 401", func(t *testing.T) {
		t.Parallel()
		s := b.shop(t)
		req := b.deliver(s, f.Topic, f.Body, "d-unsigned", s.WebhookSecret)
		f.Unsign(req)
		require.ErrorIs(t, f.Platform.Verify(s, req), ingest.ErrSignature)
		require.Equal(t, http.StatusUnauthorized, b.post(t, b.handler, req))
		require.Empty(t, b.stored(t, s))
	})
	t.Run("another shop's secret is 401", func(t *testing.T) {
		t.Parallel()
		s, other := b.shop(t), b.shop(t)
		req := b.deliver(s, f.Topic, f.Body, "d-cross", other.WebhookSecret)
		require.Equal(t, http.StatusUnauthorized, b.post(t, b.handler, req))
	})
	t.Run("malformed body is 400", func(t *testing.T) {
		t.Parallel()
		s := b.shop(t)
		body := []byte(`{"id": 1, "broken`)
		req := b.deliver(s, f.Topic, body, "d-malformed", s.WebhookSecret)
		require.Equal(t, http.StatusBadRequest, b.post(t, b.handler, req))
		require.Empty(t, b.stored(t, s))
	})
	t.Run("wrong JSON shape is 400", func(t *testing.T) {
		t.Parallel()
		s := b.shop(t)
		req := b.deliver(s, f.Topic, []byte(`[1,2,3]`), "d-shape", s.WebhookSecret)
		require.Equal(t, http.StatusBadRequest, b.post(t, b.handler, req))
		require.Empty(t, b.stored(t, s))
	})
	t.Run("unknown topic is 200 and ignored", func(t *testing.T) {
		t.Parallel()
		s := b.shop(t)
		req := b.deliver(s, f.UnknownTopic, f.UnknownBody, "d-unknown", s.WebhookSecret)
		_, err := f.Platform.Normalize(s, req)
		require.ErrorIs(t, err, ingest.ErrUnknownTopic)
		require.Equal(t, http.StatusOK, b.post(t, b.handler, req))
		require.Empty(t, b.stored(t, s))
	})
	t.Run("unknown shop is 404 before the signature", func(t *testing.T) {
		t.Parallel()
		stranger := f.NewShop(fmt.Sprintf("stranger%d", b.next.Add(1)))
		req := b.deliver(stranger, f.Topic, f.Body, "d-stranger", "forged")
		require.Equal(t, http.StatusNotFound, b.post(t, b.handler, req))
	})
	t.Run("forged malformed body learns only 401", func(t *testing.T) {
		t.Parallel()
		s := b.shop(t)
		req := b.deliver(s, f.UnknownTopic, []byte(`{"id": 1, "broken`), "d-forged", "forged")
		code := b.post(t, b.handler, req)
		// A platform that identifies the shop from the body cannot read a
		// broken body, so it answers 400 before any signature check.
		require.Contains(t, []int{http.StatusUnauthorized, http.StatusBadRequest}, code)
		req = b.deliver(s, f.UnknownTopic, f.UnknownBody, "d-forged2", "forged")
		require.Equal(t, http.StatusUnauthorized, b.post(t, b.handler, req))
	})
	t.Run("oversized body is 413 first", func(t *testing.T) {
		t.Parallel()
		s := b.shop(t)
		req := b.deliver(s, f.Topic, f.Body, "d-large", "forged")
		small := b.newHandler(t, int64(len(req.Body)-1))
		require.Equal(t, http.StatusRequestEntityTooLarge, b.post(t, small, req))
		require.Empty(t, b.stored(t, s))
	})
}

func (b *bundle) newHandler(t *testing.T, maxBody int64) *ingest.Handler {
	t.Helper()
	h, err := ingest.New(ingest.Config{
		Shops:        b.registry,
		Publisher:    jetstream.NewPublisher(b.js.Conn.JS),
		Platforms:    []ingest.Platform{b.f.Platform},
		MaxBodyBytes: maxBody,
		Now:          func() time.Time { return receivedAt },
	})
	require.NoError(t, err)
	return h
}

// shop registers a fresh shop for one subtest.
func (b *bundle) shop(t *testing.T) *shop.Shop {
	t.Helper()
	s := b.f.NewShop(fmt.Sprintf("conf%d", b.next.Add(1)))
	require.Equal(t, b.f.Platform.Name(), s.Platform)
	require.NotEmpty(t, s.WebhookSecret)
	b.registry.Put(s)
	return s
}

func (b *bundle) deliver(s *shop.Shop, topic string, body []byte, delivery, secret string) *ingest.Request {
	return b.f.Deliver(s, topic, body, delivery, secret, receivedAt)
}

func (b *bundle) normalize(t *testing.T, s *shop.Shop, req *ingest.Request) *ingest.Result {
	t.Helper()
	require.NoError(t, b.f.Platform.Verify(s, req))
	res, err := b.f.Platform.Normalize(s, req)
	require.NoError(t, err)
	require.NotEmpty(t, res.Messages, "the fixture's valid delivery must produce messages")
	return res
}

// post sends req through the HTTP handler and returns the status.
func (b *bundle) post(t *testing.T, h *ingest.Handler, req *ingest.Request) int {
	t.Helper()
	r := httptest.NewRequestWithContext(context.Background(), http.MethodPost, "/webhooks/"+b.f.Platform.Name(), bytes.NewReader(req.Body))
	for k, vs := range req.Header {
		r.Header[k] = append([]string(nil), vs...)
	}
	w := httptest.NewRecorder()
	h.For(b.f.Platform).ServeHTTP(w, r)
	return w.Code
}

// stored returns the messages published for shop s on any stream.
func (b *bundle) stored(t *testing.T, s *shop.Shop) []storedMsg {
	t.Helper()
	var out []storedMsg
	for _, m := range b.js.Messages(t, jetstream.StreamEvents, "events."+s.ID+".>") {
		out = append(out, storedMsg{m.Subject, m.Data})
	}
	for _, m := range b.js.Messages(t, jetstream.StreamFetch, "fetch.*."+s.ID) {
		out = append(out, storedMsg{m.Subject, m.Data})
	}
	return out
}

type storedMsg struct {
	Subject string
	Data    []byte
}

// checkMessage checks a stored message: canonical events must decode and
// validate and belong to s; other messages must be JSON objects.
func (b *bundle) checkMessage(t *testing.T, s *shop.Shop, subject string, data []byte) {
	t.Helper()
	if !strings.HasPrefix(subject, "events.") {
		var v map[string]any
		require.NoError(t, json.Unmarshal(data, &v), "message on %s is not a JSON object", subject)
		return
	}
	var ev event.Event
	require.NoError(t, json.Unmarshal(data, &ev))
	require.NoError(t, ev.Validate())
	require.Equal(t, s.ID, ev.Shop)
	require.Equal(t, b.f.Platform.Name(), ev.Platform)
	require.Equal(t, event.SchemaVersion, ev.SchemaVersion)
	require.Equal(t, ev.Subject(), subject)
	require.Equal(t, receivedAt, ev.ReceivedAt)
	require.Equal(t, time.UTC, ev.OccurredAt.Location())
}

func ids(r *ingest.Result) []string {
	out := make([]string, 0, len(r.Messages))
	for _, m := range r.Messages {
		out = append(out, m.Subject+" "+m.MsgID)
	}
	return out
}
