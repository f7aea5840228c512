package cli

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/adapters/redis/redistest"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/flows/event"
	"github.com/boomerang-dev/boomerang/processor"
	"github.com/boomerang-dev/boomerang/processor/redisstore"
)

type exportTestBundle struct {
	env    *redistest.Env
	keys   redis.Keys
	timers *redis.Timers
	job    *exportJob
	clock  *atomic.Int64 // unix ms
}

func setupExportJob(t *testing.T) *exportTestBundle {
	t.Helper()
	env := redistest.Start(t)
	b := &exportTestBundle{env: env, keys: redis.Keys{Prefix: env.Prefix}, clock: &atomic.Int64{}}
	var err error
	b.timers, err = redis.NewTimers(redis.TimerConfig{Client: env.Client, Keys: b.keys})
	require.NoError(t, err)
	b.clock.Store(time.Now().Truncate(time.Millisecond).UnixMilli())
	b.job = newExportJob(env.Client, b.keys, b.timers, func() time.Time { return time.UnixMilli(b.clock.Load()) }, zap.NewNop())
	return b
}

// dataRequest is the canonical event of a Shopify customers/data_request
// delivery (delivery names one delivery; the key is the request's).
func dataRequest(delivery string, at time.Time) *event.Event {
	d := &event.Redact{CustomerID: "191167", Email: "Ann@Example.com", Phone: "+1 555-625-1199", OrderIDs: []string{"299938"}, RequestID: "9999"}
	return &event.Event{
		SchemaVersion: event.SchemaVersion, Type: event.CustomerDataRequest, Shop: "demo", Platform: event.PlatformShopify,
		ID:         event.DeliveryID(event.PlatformShopify, "demo", delivery, event.CustomerDataRequest),
		Key:        event.SemanticKey(event.CustomerDataRequest, "demo", "191167/requests/9999", time.Time{}),
		OccurredAt: at, ReceivedAt: at,
		Customer: &event.Customer{ID: d.CustomerID, Email: d.Email, Phone: d.Phone},
		Data:     d,
	}
}

// The export holds what the stores hold on the customer, under each of
// their keys; a second delivery writes nothing; a customer.redact deletes
// it.
func TestExportJobGathersOnceAndRedactDeletes(t *testing.T) {
	t.Parallel()
	b := setupExportJob(t)
	ctx := context.Background()
	now := time.UnixMilli(b.clock.Load()).UTC()
	store := redisstore.New(redis.NewCustomerStore(b.env.Client, b.keys, b.timers))
	lastOrder := now.AddDate(0, 0, -200)
	waiting := &processor.Run{
		ID: "run-wait", Flow: "abandoned-checkout", Version: 1, Key: "ck-2", Shop: "demo", Customer: "e:ann@example.com",
		Status: processor.RunActive, StartedAt: now.Add(-time.Hour),
		Wait: &processor.RunWait{TimerID: "t-wait", Due: now.Add(time.Hour)},
	}
	gone := &processor.Run{ // its timer fired already: not pending
		ID: "run-gone", Flow: "browse-abandonment", Version: 1, Key: "p1", Shop: "demo", Customer: "e:ann@example.com",
		Status: processor.RunActive, StartedAt: now.Add(-2 * time.Hour),
		Wait: &processor.RunWait{TimerID: "t-gone", Due: now.Add(-time.Minute)},
	}
	done := &processor.Run{
		ID: "run-done", Flow: "abandoned-checkout", Version: 1, Key: "ck-1", Shop: "demo", Customer: "e:ann@example.com",
		Status: processor.RunDone, StartedAt: now.Add(-48 * time.Hour), EndedAt: now.Add(-47 * time.Hour),
	}
	require.NoError(t, store.Commit(ctx, &processor.Commit{
		Shop: "demo", Customer: "e:ann@example.com", EventKey: "k1",
		Profile: &processor.Profile{
			Key: "e:ann@example.com", Emails: []string{"ann@example.com", "ann.work@example.com"}, OrdersCount: 2,
			LastOrderAt: &lastOrder, CreatedAt: now.AddDate(-1, 0, 0),
			Consent:     map[string]processor.ConsentRecord{event.ChannelEmail: {State: event.ConsentSubscribed, Source: "checkout", At: now}},
			Predictions: &processor.Predictions{ChurnBand: "high", PAlive: 0.2},
		},
		Runs: []*processor.Run{waiting, gone, done}, Effects: &processor.Effects{}, SeenTTL: time.Hour,
	}))
	require.NoError(t, store.Commit(ctx, &processor.Commit{
		Shop: "demo", Customer: "e:ann@example.com", EventKey: "k2", Version: 1,
		Finished: []*processor.Run{done}, Effects: &processor.Effects{}, SeenTTL: time.Hour,
	}))
	require.NoError(t, store.Commit(ctx, &processor.Commit{ // an SMS-only profile, keyed by phone
		Shop: "demo", Customer: "p:+15556251199", EventKey: "k3",
		Profile: &processor.Profile{Key: "p:+15556251199", Phones: []string{"+15556251199"}},
		Effects: &processor.Effects{}, SeenTTL: time.Hour,
	}))
	require.NoError(t, store.Commit(ctx, &processor.Commit{ // someone else
		Shop: "demo", Customer: "e:bo@example.com", EventKey: "k4",
		Profile: &processor.Profile{Key: "e:bo@example.com", Emails: []string{"bo@example.com"}},
		Effects: &processor.Effects{}, SeenTTL: time.Hour,
	}))
	require.NoError(t, b.timers.Schedule(ctx, "t-wait", waiting.Wait.Due, []byte(processor.TimerPayload("demo", "e:ann@example.com", "run-wait"))))
	outbox := redis.NewOutboxStore(b.env.Client, b.keys)
	for id, msg := range map[string]string{
		"run-done:reminder": `{"id":"run-done:reminder","run":"run-done","to":"ann@example.com","status":"outbox","created_at":"2026-01-01T00:00:00Z","html":"<p>Your cart</p>"}`,
		"run-old:welcome":   `{"id":"run-old:welcome","run":"run-old","to":"ANN.WORK@example.com","status":"sent","created_at":"2025-01-01T00:00:00Z"}`,
		"run-x:sms":         `{"id":"run-x:sms","run":"run-x","to":"+15556251199","status":"skipped","reason":"quiet_hours","created_at":"2026-02-01T00:00:00Z"}`,
		"run-bo:reminder":   `{"id":"run-bo:reminder","run":"run-bo","to":"bo@example.com","status":"outbox","created_at":"2026-01-01T00:00:00Z"}`,
	} {
		_, err := outbox.Add(ctx, "demo", id, now, []byte(msg))
		require.NoError(t, err)
	}
	supp := redis.NewSuppressions(b.env.Client, b.keys)
	require.NoError(t, supp.Add(ctx, "demo", event.ChannelEmail, "ann.work@example.com", "unsubscribed"))
	require.NoError(t, supp.Add(ctx, "demo", event.ChannelSMS, "+15556251199", "stop"))
	require.NoError(t, supp.Add(ctx, "demo", event.ChannelEmail, "bo@example.com", "bounce"))
	require.NoError(t, redis.NewRecentSends(b.env.Client, b.keys).Record(ctx, "demo", "e:ann@example.com", event.ChannelEmail, 40, now.Add(-time.Hour)))

	ev := dataRequest("w-1", now.Add(-time.Minute))
	require.NoError(t, b.job.run(ctx, ev))
	id := exportID(ev.Key)
	list, err := b.job.exports.List(ctx, "demo")
	require.NoError(t, err)
	require.Len(t, list, 1)
	var sum exportSummary
	require.NoError(t, json.Unmarshal(list[0], &sum))
	require.Equal(t, id, sum.ID)
	require.Equal(t, "9999", sum.RequestID)
	require.Equal(t, "Ann@Example.com", sum.Customer.Email)
	require.Equal(t, now.Add(-time.Minute), sum.RequestedAt)
	require.Equal(t, now, sum.ReadyAt)
	require.Equal(t, now.Add(30*24*time.Hour), sum.ExpiresAt)

	raw, err := b.job.exports.Get(ctx, "demo", id)
	require.NoError(t, err)
	var doc exportDocument
	require.NoError(t, json.Unmarshal(raw, &doc))
	require.Equal(t, []string{"299938"}, doc.OrdersRequested)
	require.Len(t, doc.Profiles, 2, "by email and by phone; none by platform id")
	require.Equal(t, "e:ann@example.com", doc.Profiles[0].Key)
	require.Equal(t, event.ConsentSubscribed, doc.Profiles[0].Profile.Consent[event.ChannelEmail].State)
	require.Equal(t, "high", doc.Profiles[0].Profile.Predictions.ChurnBand)
	require.Equal(t, []string{processor.SegmentRepeat, processor.SegmentLapsed, processor.SegmentChurnRisk}, doc.Profiles[0].Segments)
	require.Equal(t, []exportRecentSend{{Channel: event.ChannelEmail, Priority: 40, At: now.Add(-time.Hour)}}, doc.Profiles[0].RecentMarketing)
	require.Equal(t, "p:+15556251199", doc.Profiles[1].Key)
	runs := map[string]string{}
	for _, r := range doc.Runs {
		runs[r.ID] = r.Status
	}
	require.Equal(t, map[string]string{"run-wait": "active", "run-gone": "active", "run-done": "done"}, runs, "active and finished runs")
	require.Equal(t, []exportTimer{{ID: "t-wait", Run: "run-wait", Flow: "abandoned-checkout", Customer: "e:ann@example.com", Due: waiting.Wait.Due}},
		doc.PendingTimers, "only the timer still scheduled")
	var msgIDs []string
	for _, m := range doc.Messages {
		var head struct {
			ID   string `json:"id"`
			HTML string `json:"html"`
		}
		require.NoError(t, json.Unmarshal(m, &head))
		msgIDs = append(msgIDs, head.ID)
		if head.ID == "run-done:reminder" {
			require.Equal(t, "<p>Your cart</p>", head.HTML, "the rendered content")
		}
	}
	require.Equal(t, []string{"run-old:welcome", "run-done:reminder", "run-x:sms"}, msgIDs,
		"hers, by run and by every address of her profiles, oldest first")
	require.ElementsMatch(t, []exportSuppression{
		{Channel: event.ChannelEmail, Address: "ann.work@example.com", Reason: "unsubscribed"},
		{Channel: event.ChannelSMS, Address: "+15556251199", Reason: "stop"},
	}, doc.Suppressions)
	require.NotContains(t, string(raw), "bo@example.com", "nothing of another customer")

	// A second delivery of the request, a day later: the same export.
	b.clock.Add((24 * time.Hour).Milliseconds())
	require.NoError(t, b.job.run(ctx, dataRequest("w-2", now.Add(-time.Minute))))
	list, err = b.job.exports.List(ctx, "demo")
	require.NoError(t, err)
	require.Len(t, list, 1)
	again, err := b.job.exports.Get(ctx, "demo", id)
	require.NoError(t, err)
	require.Equal(t, raw, again, "the first export, untouched")

	// customer.redact, by her platform id alone, deletes it with her data.
	reg, err := shop.NewRegistry(shop.Demo("s"))
	require.NoError(t, err)
	redact := redactJob{eraser: redis.NewEraser(b.env.Client, b.keys, b.timers), shops: reg, exports: b.job, log: zap.NewNop()}
	rev := &event.Event{
		SchemaVersion: event.SchemaVersion, Type: event.CustomerRedact, Shop: "demo", Platform: event.PlatformShopify,
		ID: "r1", Key: "customer.redact:demo:191167", OccurredAt: now, ReceivedAt: now,
		Data: &event.Redact{CustomerID: "191167"},
	}
	require.True(t, redact.handles(rev))
	require.NoError(t, redact.run(ctx, rev))
	got, err := b.job.exports.Get(ctx, "demo", id)
	require.NoError(t, err)
	require.Empty(t, string(got), "the customer's export is deleted on redact")
}

func TestExportJobAnswersARequestNamingNoOneWithAnEmptyExport(t *testing.T) {
	t.Parallel()
	b := setupExportJob(t)
	ctx := context.Background()
	now := time.UnixMilli(b.clock.Load()).UTC()
	ev := &event.Event{
		SchemaVersion: event.SchemaVersion, Type: event.CustomerDataRequest, Shop: "demo", Platform: event.PlatformShopify,
		ID: "d1", Key: "customer.data_request:demo:d1", OccurredAt: now, ReceivedAt: now, Data: &event.Redact{},
	}
	require.True(t, b.job.handles(ev))
	require.NoError(t, b.job.run(ctx, ev))
	raw, err := b.job.exports.Get(ctx, "demo", exportID(ev.Key))
	require.NoError(t, err)
	require.JSONEq(t, `{"id":"`+exportID(ev.Key)+`","shop":"demo","customer":{},"requested_at":"`+now.Format(time.RFC3339Nano)+`",
		"ready_at":"`+now.Format(time.RFC3339Nano)+`","expires_at":"`+now.Add(exportTTL).Format(time.RFC3339Nano)+`",
		"profiles":[],"runs":[],"pending_timers":[],"messages":[],"suppressions":[]}`, string(raw))
}

func TestRedactKeysNameEveryIdentity(t *testing.T) {
	t.Parallel()
	require.Equal(t, []string{"e:ann@example.com", "p:+15556251199", "i:191167"},
		redactKeys(&event.Redact{CustomerID: "191167", Email: " Ann@Example.com", Phone: "+1 (555) 625-1199"}))
	require.Empty(t, redactKeys(&event.Redact{}))
	require.NotEqual(t, exportID("customer.data_request:demo:1/requests/2"), exportID("customer.data_request:demo:1/requests/3"))
	require.Len(t, exportID("x"), 32)
}
