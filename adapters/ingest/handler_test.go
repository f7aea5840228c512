package ingest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/adapters/jetstream"
	"github.com/boomerang-dev/boomerang/adapters/jetstream/jetstreamtest"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/flows/event"
)

func post(t *testing.T, h http.Handler, req *ingest.Request) int {
	t.Helper()
	r := httptest.NewRequestWithContext(context.Background(), http.MethodPost, "/webhooks/testplat", bytes.NewReader(req.Body))
	r.Header = req.Header.Clone()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Code
}

func TestJetStreamOutageAnswers503ThenLandsOnce(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	emb, err := jetstream.StartEmbedded(jetstream.EmbeddedConfig{StoreDir: dir})
	require.NoError(t, err)
	u, err := url.Parse(emb.URL())
	require.NoError(t, err)
	port, err := strconv.Atoi(u.Port())
	require.NoError(t, err)
	conn, err := jetstream.Connect(emb.URL(), t.Name(), nil)
	require.NoError(t, err)
	t.Cleanup(func() { conn.NC.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, jetstream.EnsureStreams(ctx, conn.JS, jetstream.StreamsConfig{MaxBytes: 64 << 20}))

	s := newTestShop("outage")
	reg, err := shop.NewRegistry(s)
	require.NoError(t, err)
	h, err := ingest.New(ingest.Config{
		Shops: reg, Publisher: jetstream.NewPublisher(conn.JS),
		Platforms: []ingest.Platform{testPlatform{}}, PublishTimeout: time.Second,
	})
	require.NoError(t, err)
	handler := h.For(testPlatform{})

	first := deliverTest(s, "thing/create", []byte(`{"id": 1}`), "before", s.WebhookSecret, time.Time{})
	require.Equal(t, http.StatusOK, post(t, handler, first))

	emb.Shutdown()
	req := deliverTest(s, "thing/create", []byte(`{"id": 2}`), "during", s.WebhookSecret, time.Time{})
	require.Equal(t, http.StatusServiceUnavailable, post(t, handler, req))

	emb2, err := jetstream.StartEmbedded(jetstream.EmbeddedConfig{StoreDir: dir, Port: port})
	require.NoError(t, err)
	t.Cleanup(emb2.Shutdown)
	require.Eventually(t, conn.Connected, 10*time.Second, 20*time.Millisecond)

	require.Equal(t, http.StatusOK, post(t, handler, req))
	require.Equal(t, http.StatusOK, post(t, handler, req)) // the platform's retry
	js := &jetstreamtest.Server{Conn: conn}
	msgs := js.Messages(t, jetstream.StreamEvents, "events.outage.>")
	require.Len(t, msgs, 2, "the event before the outage and the retried one, once")
}

func TestHandlerPublishesExact64BitIDsAndCountsOutcomes(t *testing.T) {
	t.Parallel()
	js := jetstreamtest.Start(t)
	s := newTestShop("bigids")
	reg, err := shop.NewRegistry(s)
	require.NoError(t, err)
	promReg := prometheus.NewRegistry()
	h, err := ingest.New(ingest.Config{
		Shops: reg, Publisher: jetstream.NewPublisher(js.Conn.JS),
		Platforms: []ingest.Platform{testPlatform{}}, Registerer: promReg,
	})
	require.NoError(t, err)
	mux := http.NewServeMux()
	h.Mount(mux)

	req := deliverTest(s, "thing/create", []byte(`{"id": 820982911946154508}`), "ids", s.WebhookSecret, time.Time{})
	require.Equal(t, http.StatusOK, post(t, mux, req))
	require.Equal(t, http.StatusOK, post(t, mux, req))
	ping := deliverTest(s, "thing/ping", []byte(`webhook_id=1`), "", "", time.Time{})
	require.Equal(t, http.StatusOK, post(t, mux, ping))

	msgs := js.Messages(t, jetstream.StreamEvents, "events.bigids.>")
	require.Len(t, msgs, 1)
	var ev event.Event
	require.NoError(t, json.Unmarshal(msgs[0].Data, &ev))
	require.Equal(t, "820982911946154508", ev.Data.(*event.CustomerData).ID)
	require.Equal(t, ev.ID, msgs[0].Header.Get("Nats-Msg-Id"))

	counter := func(topic, outcome string) float64 {
		return testutil.ToFloat64(h.Metrics().WithLabelValues("testplat", topic, outcome))
	}
	require.InDelta(t, 1, counter("thing/create", "accepted"), 0)
	require.InDelta(t, 1, counter("thing/create", "duplicate"), 0)
	require.InDelta(t, 1, counter("", "ping"), 0)
}

func TestNewRejectsIncompleteConfig(t *testing.T) {
	t.Parallel()
	_, err := ingest.New(ingest.Config{})
	require.Error(t, err)
}

func TestMalformedBodyIsLoggedWithDeliveryIDButNoBody(t *testing.T) {
	t.Parallel()
	js := jetstreamtest.Start(t)
	s := newTestShop("logs")
	reg, err := shop.NewRegistry(s)
	require.NoError(t, err)
	core, logs := observer.New(zap.InfoLevel)
	h, err := ingest.New(ingest.Config{
		Shops: reg, Publisher: jetstream.NewPublisher(js.Conn.JS),
		Platforms: []ingest.Platform{testPlatform{}}, Logger: zap.New(core),
	})
	require.NoError(t, err)
	body := []byte(`{"id": 1, "email": "secret-person@example.com", "broken`)
	req := deliverTest(s, "thing/create", body, "delivery-42", s.WebhookSecret, time.Time{})
	require.Equal(t, http.StatusBadRequest, post(t, h.For(testPlatform{}), req))
	entries := logs.FilterMessage("malformed webhook body").All()
	require.Len(t, entries, 1)
	fields := entries[0].ContextMap()
	require.Equal(t, "delivery-42", fields["delivery_id"])
	require.Equal(t, "logs", fields["shop"])
	for _, v := range fields {
		require.NotContains(t, fmt.Sprint(v), "secret-person")
	}
}
