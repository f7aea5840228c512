package cli

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/adapters/redis/redistest"
	"github.com/boomerang-dev/boomerang/flows/event"
)

func TestFeedbackKeepsSuppressionsAndLedgerInStep(t *testing.T) {
	t.Parallel()
	env := redistest.Start(t)
	keys := redis.Keys{Prefix: env.Prefix}
	sup := redis.NewSuppressions(env.Client, keys)
	ledger := redis.NewLedger(env.Client, keys, time.Hour)
	outbox := redis.NewOutboxStore(env.Client, keys)
	ctx := context.Background()
	apply := func(t event.Type, data any, topic string) error {
		return applyFeedback(ctx, &event.Event{Type: t, Shop: "demo", Data: data, Source: event.Source{Topic: topic}}, sup, ledger, outbox)
	}
	reason := func(channel, addr string) string {
		r, err := sup.Reason(ctx, "demo", channel, addr)
		require.NoError(t, err)
		return r
	}

	require.NoError(t, apply(event.MessageBounced, &event.Message{Channel: "email", To: "a@example.com", Code: "bounce"}, "sendgrid"))
	require.Equal(t, "hard bounce", reason("email", "a@example.com"))
	require.NoError(t, apply(event.ConsentUpdated, &event.Consent{Channel: "email", Email: "a@example.com", State: event.ConsentSubscribed}, "shopify"))
	require.Equal(t, "hard bounce", reason("email", "a@example.com"), "an opt-in does not lift a bounce")

	require.NoError(t, apply(event.ConsentUpdated, &event.Consent{Channel: "email", Email: "b@example.com", State: event.ConsentUnsubscribed}, "shopify"))
	require.Equal(t, "unsubscribed", reason("email", "b@example.com"))
	require.NoError(t, apply(event.ConsentUpdated, &event.Consent{Channel: "email", Email: "b@example.com", State: event.ConsentSubscribed}, "shopify"))
	require.Empty(t, reason("email", "b@example.com"), "a new opt-in lifts an opt-out")

	require.NoError(t, apply(event.SMSInbound, &event.InboundSMS{From: "+447700900000", Keyword: "STOP"}, "twilio"))
	require.Equal(t, "sms STOP", reason("sms", "+447700900000"))
	require.NoError(t, apply(event.SMSInbound, &event.InboundSMS{From: "+447700900000", Keyword: "START"}, "twilio"))
	require.Empty(t, reason("sms", "+447700900000"))

	require.NoError(t, apply(event.MessageComplained, &event.Message{Channel: "email", To: "c@example.com"}, "sendgrid"))
	require.Equal(t, "spam report", reason("email", "c@example.com"))

	// An ambiguous send is settled by the provider's own event.
	rec, err := json.Marshal(outboxRecord{ID: "r:reminder", Shop: "demo", Status: "failed", Reason: "ambiguous: timeout"})
	require.NoError(t, err)
	_, err = outbox.Add(ctx, "demo", "r:reminder", time.Now(), rec)
	require.NoError(t, err)
	require.NoError(t, ledger.Set(ctx, "r:reminder", redis.LedgerAmbiguous))
	require.NoError(t, apply(event.MessageSent, &event.Message{MessageID: "r:reminder", Channel: "email", ProviderID: "SG.1"}, "sendgrid"))
	st, err := ledger.Get(ctx, "r:reminder")
	require.NoError(t, err)
	require.Equal(t, "sent:SG.1", st)
	list, err := outbox.List(ctx, "demo", 10)
	require.NoError(t, err)
	require.Contains(t, string(list[0]), `"status":"sent"`)
}

func TestFeedbackSubjects(t *testing.T) {
	t.Parallel()
	require.True(t, feedbackSubject("events.demo.message.bounced"))
	require.True(t, feedbackSubject("events.demo.sms.inbound"))
	require.True(t, feedbackSubject("events.demo.consent.updated"))
	require.False(t, feedbackSubject("events.demo.order.placed"))
	require.False(t, feedbackSubject("events.demo"))
	require.False(t, feedbackSubject("events.message.x")) // shop "message", type "x"
}
