package sendgrid_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	bjs "github.com/boomerang-dev/boomerang/adapters/jetstream"
	"github.com/boomerang-dev/boomerang/adapters/jetstream/jetstreamtest"
	"github.com/boomerang-dev/boomerang/adapters/sendgrid"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// adapters/jetstream's Publisher is what production wires in.
var _ sendgrid.Publisher = (*bjs.Publisher)(nil)

// published is one message the fake publisher stored.
type published struct {
	subject, msgID string
	data           []byte
}

// fakePublisher records publishes and fails when told to.
type fakePublisher struct {
	mu   sync.Mutex
	msgs []published
	fail error
}

func (p *fakePublisher) Publish(_ context.Context, subject, msgID string, data []byte) (bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fail != nil {
		return false, p.fail
	}
	p.msgs = append(p.msgs, published{subject, msgID, data})
	return false, nil
}

func (p *fakePublisher) published() []published {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]published(nil), p.msgs...)
}

// webhookBundle is a Webhook with a signer's key, a fake publisher and a
// fixed clock.
type webhookBundle struct {
	signer  *signer
	pub     *fakePublisher
	reg     *prometheus.Registry
	webhook *sendgrid.Webhook
	now     time.Time
}

func setupWebhook(t *testing.T, mutate ...func(*sendgrid.WebhookConfig)) *webhookBundle {
	t.Helper()
	b := &webhookBundle{signer: newSigner(t), pub: &fakePublisher{}, reg: prometheus.NewRegistry(), now: time.Unix(1772366950, 0)}
	cfg := sendgrid.WebhookConfig{
		PublicKey:  b.signer.publicKey,
		Publisher:  b.pub,
		Now:        func() time.Time { return b.now },
		Registerer: b.reg,
	}
	for _, m := range mutate {
		m(&cfg)
	}
	w, err := sendgrid.NewWebhook(cfg)
	require.NoError(t, err)
	b.webhook = w
	return b
}

// post sends body signed at the bundle's now (unless headers override).
func (b *webhookBundle) post(t *testing.T, body []byte, header http.Header) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, sendgrid.WebhookPath, bytes.NewReader(body))
	ts := strconv.FormatInt(b.now.Unix(), 10)
	req.Header.Set(sendgrid.HeaderTimestamp, ts)
	req.Header.Set(sendgrid.HeaderSignature, b.signer.sign(t, ts, body))
	maps.Copy(req.Header, header)
	rec := httptest.NewRecorder()
	b.webhook.ServeHTTP(rec, req)
	return rec
}

// count is boomerang_sendgrid_webhooks_total for outcome.
func (b *webhookBundle) count(t *testing.T, outcome string) float64 {
	t.Helper()
	mfs, err := b.reg.Gather()
	require.NoError(t, err)
	for _, mf := range mfs {
		if mf.GetName() != "boomerang_sendgrid_webhooks_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			if m.GetLabel()[0].GetValue() == outcome {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

func TestWebhookPublishesEvents(t *testing.T) {
	t.Parallel()
	b := setupWebhook(t)
	body := readSample(t)
	rec := b.post(t, body, nil)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())

	want, err := sendgrid.ParseEvents(body, b.now)
	require.NoError(t, err)
	got := b.pub.published()
	require.Len(t, got, len(want))
	for i, m := range got {
		require.Equal(t, want[i].Subject(), m.subject)
		require.Equal(t, want[i].ID, m.msgID)
		var ev event.Event
		require.NoError(t, json.Unmarshal(m.data, &ev))
		require.Equal(t, want[i], &ev)
	}
	require.InDelta(t, 1.0, b.count(t, "accepted"), 0)
}

func TestWebhookAnswers(t *testing.T) {
	t.Parallel()
	body := readSample(t)
	cases := map[string]struct {
		mutate  func(*sendgrid.WebhookConfig)
		body    []byte
		header  http.Header
		status  int
		outcome string
	}{
		"too large, even unsigned": {
			mutate: func(c *sendgrid.WebhookConfig) { c.MaxBodyBytes = 100 },
			body:   body, header: http.Header{sendgrid.HeaderSignature: {"bogus"}},
			status: http.StatusRequestEntityTooLarge, outcome: "too_large",
		},
		"bad signature": {
			body: body, header: http.Header{sendgrid.HeaderSignature: {vectorSignature}},
			status: http.StatusUnauthorized, outcome: "bad_signature",
		},
		"missing signature": {
			body: body, header: http.Header{sendgrid.HeaderSignature: nil},
			status: http.StatusUnauthorized, outcome: "bad_signature",
		},
		"stale timestamp": {
			body: body, header: http.Header{sendgrid.HeaderTimestamp: {"1600112502"}},
			status: http.StatusUnauthorized, outcome: "bad_signature",
		},
		"malformed but signed": {
			body: []byte(`{"event":"open"}`), status: http.StatusBadRequest, outcome: "malformed",
		},
		"publisher down": {
			mutate: func(c *sendgrid.WebhookConfig) { c.Publisher = &fakePublisher{fail: errors.New("no responders")} },
			body:   body, status: http.StatusServiceUnavailable, outcome: "unavailable",
		},
		"no key": {
			mutate: func(c *sendgrid.WebhookConfig) { c.PublicKey = "" },
			body:   body, status: http.StatusUnauthorized, outcome: "no_key",
		},
		"nothing of ours": {
			body: []byte(`[{"event":"delivered","email":"a@b.c"}]`), status: http.StatusOK, outcome: "accepted",
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var mutate []func(*sendgrid.WebhookConfig)
			if c.mutate != nil {
				mutate = append(mutate, c.mutate)
			}
			b := setupWebhook(t, mutate...)
			rec := b.post(t, c.body, c.header)
			require.Equal(t, c.status, rec.Code, rec.Body.String())
			require.InDelta(t, 1.0, b.count(t, c.outcome), 0)
			require.Empty(t, b.pub.published())
			if c.status == http.StatusUnauthorized {
				require.Equal(t, "invalid signature\n", rec.Body.String(), "a forged request learns nothing more")
			}
		})
	}
}

func TestWebhookRejectsOtherMethods(t *testing.T) {
	t.Parallel()
	b := setupWebhook(t)
	rec := httptest.NewRecorder()
	b.webhook.ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), http.MethodGet, sendgrid.WebhookPath, http.NoBody))
	require.Equal(t, http.StatusMethodNotAllowed, rec.Code)
	require.Equal(t, http.MethodPost, rec.Header().Get("Allow"))
}

func TestNewWebhookValidatesConfig(t *testing.T) {
	t.Parallel()
	_, err := sendgrid.NewWebhook(sendgrid.WebhookConfig{})
	require.Error(t, err)
	_, err = sendgrid.NewWebhook(sendgrid.WebhookConfig{Publisher: &fakePublisher{}, PublicKey: "nope"})
	require.ErrorIs(t, err, sendgrid.ErrSignature)
	_, err = sendgrid.NewWebhook(sendgrid.WebhookConfig{Publisher: &fakePublisher{}, MaxBodyBytes: -1})
	require.Error(t, err)
	_, err = sendgrid.NewWebhook(sendgrid.WebhookConfig{Publisher: &fakePublisher{}, PublicKey: vectorKey})
	require.NoError(t, err)
}

// TestWebhookIntoJetStream stores the events in a real embedded JetStream
// and shows a SendGrid retry of the same batch changes nothing.
func TestWebhookIntoJetStream(t *testing.T) {
	t.Parallel()
	srv := jetstreamtest.Start(t)
	b := setupWebhook(t, func(c *sendgrid.WebhookConfig) { c.Publisher = bjs.NewPublisher(srv.Conn.JS) })
	body := readSample(t)
	require.Equal(t, http.StatusOK, b.post(t, body, nil).Code)
	require.Equal(t, http.StatusOK, b.post(t, body, nil).Code)
	msgs := srv.Messages(t, bjs.StreamEvents, "events.>")
	require.Len(t, msgs, 10)
	for _, m := range msgs {
		require.True(t, strings.HasPrefix(m.Subject, "events.demo.message.") || strings.HasPrefix(m.Subject, "events.other-shop.message."), m.Subject)
	}
}
