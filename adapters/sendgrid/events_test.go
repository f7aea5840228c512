package sendgrid_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/sendgrid"
	"github.com/boomerang-dev/boomerang/flows/event"
)

func readSample(tb testing.TB) []byte {
	tb.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", "events.json"))
	require.NoError(tb, err)
	return body
}

var receivedAt = time.Date(2026, 3, 1, 12, 30, 0, 0, time.FixedZone("x", 3600))

func TestParseEvents(t *testing.T) {
	t.Parallel()
	events, err := sendgrid.ParseEvents(readSample(t), receivedAt)
	require.NoError(t, err)

	type want struct {
		typ  event.Type
		shop string
		msg  event.Message
		at   int64
	}
	base := event.Message{MessageID: "run-1/reminder", Channel: "email", To: "ann@example.com", Provider: "sendgrid", ProviderID: "14c5d75ce93"}
	with := func(f func(m *event.Message)) event.Message { m := base; f(&m); return m }
	wants := []want{
		{event.MessageSent, "demo", with(func(m *event.Message) { m.Flow, m.Run, m.Step = "abandoned-checkout", "run-1", "reminder" }), 1772366400},
		{event.MessageDelivered, "demo", with(func(m *event.Message) { m.Flow, m.Run, m.Step = "abandoned-checkout", "run-1", "reminder" }), 1772366410},
		{event.MessageOpened, "demo", base, 1772366500},
		{event.MessageClicked, "demo", with(func(m *event.Message) { m.URL = "https://demo.example/cart?x=1" }), 1772366600},
		{event.MessageBounced, "demo", event.Message{
			MessageID: "run-2/reminder", Channel: "email", To: "bob@example.com", Provider: "sendgrid", ProviderID: "aaa",
			Code: "bounce", Reason: "550 5.1.1 The email account that you tried to reach does not exist.",
		}, 1772366700},
		{event.MessageBounced, "demo", event.Message{
			MessageID: "run-3/reminder", Channel: "email", To: "cid@example.com", Provider: "sendgrid", ProviderID: "bbb",
			Code: "blocked", Reason: "blocked by recipient server",
		}, 1772366701},
		{event.MessageDropped, "other-shop", event.Message{
			MessageID: "run-4/welcome", Channel: "email", To: "dee@example.com", Provider: "sendgrid", ProviderID: "ccc",
			Reason: "Unsubscribed Address",
		}, 1772366702},
		{event.MessageComplained, "demo", base, 1772366800},
		{event.MessageUnsubscribed, "demo", with(func(m *event.Message) { m.Code = "unsubscribe" }), 1772366900},
		{event.MessageUnsubscribed, "demo", with(func(m *event.Message) { m.Code, m.Reason = "group_unsubscribe", "42" }), 1772366901},
	}
	require.Len(t, events, len(wants), "deferred, group_resubscribe and events without a valid shop are skipped")
	ids := map[string]bool{}
	for i, w := range wants {
		ev := events[i]
		require.NoError(t, ev.Validate(), "event %d", i)
		require.Equal(t, w.typ, ev.Type, "event %d", i)
		require.Equal(t, w.shop, ev.Shop, "event %d", i)
		require.Equal(t, event.PlatformBoomerang, ev.Platform)
		require.Equal(t, &w.msg, ev.Data, "event %d", i)
		require.Equal(t, time.Unix(w.at, 0).UTC(), ev.OccurredAt, "event %d", i)
		require.Equal(t, receivedAt.UTC(), ev.ReceivedAt)
		require.Equal(t, &event.Customer{Email: w.msg.To}, ev.Customer)
		require.Equal(t, "sendgrid", ev.Source.Topic)
		require.NotEmpty(t, ev.Source.DeliveryID)
		require.Equal(t, event.DeliveryID(event.PlatformBoomerang, ev.Shop, "sendgrid:"+ev.Source.DeliveryID, ev.Type), ev.ID)
		require.False(t, ids[ev.ID], "ids are unique")
		ids[ev.ID] = true
		require.Equal(t, "events."+w.shop+"."+string(w.typ), ev.Subject())

		// The envelope survives the trip through JetStream.
		data, err := json.Marshal(ev)
		require.NoError(t, err)
		var back event.Event
		require.NoError(t, json.Unmarshal(data, &back))
		require.Equal(t, ev, &back)
	}
	require.Equal(t, "message.clicked:demo:run-1/reminder/ann@example.com/https://demo.example/cart?x=1@2026-03-01T12:03:20Z", events[3].Key)
}

func TestParseEventsKeyIgnoresChangedEventID(t *testing.T) {
	t.Parallel()
	a := `[{"email":"Ann@Example.com","timestamp":1772366410,"event":"delivered","sg_event_id":"first","sg_message_id":"x.y","boomerang_shop":"demo","boomerang_message_id":"m"}]`
	b := `[{"email":"Ann@Example.com","timestamp":1772366410,"event":"delivered","sg_event_id":"second","sg_message_id":"x.y","boomerang_shop":"demo","boomerang_message_id":"m"}]`
	ea, err := sendgrid.ParseEvents([]byte(a), receivedAt)
	require.NoError(t, err)
	eb, err := sendgrid.ParseEvents([]byte(b), receivedAt.Add(time.Hour))
	require.NoError(t, err)
	require.NotEqual(t, ea[0].ID, eb[0].ID)
	require.Equal(t, ea[0].Key, eb[0].Key, "a retry with a new sg_event_id has the same semantic key")
	again, err := sendgrid.ParseEvents([]byte(a), receivedAt.Add(time.Minute))
	require.NoError(t, err)
	require.Equal(t, ea[0].ID, again[0].ID, "a redelivery has the same id")
}

func TestParseEventsLenient(t *testing.T) {
	t.Parallel()
	// No sg_event_id, no timestamp, odd field types: still an event.
	body := `[{"email":42,"event":"open","boomerang_shop":"demo","boomerang_message_id":null,"boomerang_run":7,"sg_message_id":{"x":1}}]`
	events, err := sendgrid.ParseEvents([]byte(body), receivedAt)
	require.NoError(t, err)
	require.Len(t, events, 1)
	ev := events[0]
	require.NoError(t, ev.Validate())
	require.Equal(t, receivedAt.UTC(), ev.OccurredAt)
	require.Equal(t, "7", ev.Data.(*event.Message).Run)
	require.Empty(t, ev.Source.DeliveryID)
	require.NotEmpty(t, ev.ID)

	events, err = sendgrid.ParseEvents([]byte(" [] \r\n"), receivedAt)
	require.NoError(t, err)
	require.Empty(t, events)
}

func TestParseEventsMalformed(t *testing.T) {
	t.Parallel()
	for _, body := range []string{``, `null`, `{}`, `{"event":"open"}`, `[`, `[1]`, `["open"]`, `[{"event":"open"}`, `[{"event":"open"}] x`} {
		_, err := sendgrid.ParseEvents([]byte(body), receivedAt)
		require.ErrorIs(t, err, sendgrid.ErrMalformed, "body %q", body)
	}
}
