package redis_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/adapters/redis/redistest"
)

type exportBundle struct {
	env     *redistest.Env
	keys    redis.Keys
	exports *redis.Exports
	clock   *atomic.Int64 // unix ms
	t0      time.Time
}

func setupExports(t *testing.T) *exportBundle {
	t.Helper()
	env := redistest.Start(t)
	b := &exportBundle{env: env, keys: redis.Keys{Prefix: env.Prefix}, clock: &atomic.Int64{}}
	// Redis expires the documents by its own clock: the test's clock starts
	// at the real time.
	b.t0 = time.Now().Truncate(time.Millisecond)
	b.clock.Store(b.t0.UnixMilli())
	b.exports = redis.NewExports(env.Client, b.keys, func() time.Time { return time.UnixMilli(b.clock.Load()) })
	return b
}

func (b *exportBundle) export(id, shop string, customers []string, ttl time.Duration) *redis.Export {
	return &redis.Export{
		ID: id, Shop: shop, Customers: customers,
		Summary:   []byte(`{"id":"` + id + `"}`),
		Document:  []byte(`{"id":"` + id + `","profiles":[]}`),
		ExpiresAt: time.UnixMilli(b.clock.Load()).Add(ttl),
	}
}

func TestExportsSaveOnceListGetAndExpire(t *testing.T) {
	t.Parallel()
	b := setupExports(t)
	ctx := context.Background()

	stored, err := b.exports.Save(ctx, b.export("aa01", "demo", []string{"e:ann@example.com"}, 30*24*time.Hour))
	require.NoError(t, err)
	require.True(t, stored)
	again := b.export("aa01", "demo", []string{"e:ann@example.com"}, 30*24*time.Hour)
	again.Document = []byte(`{"second":true}`)
	stored, err = b.exports.Save(ctx, again)
	require.NoError(t, err)
	require.False(t, stored, "a second save of one id stores nothing")

	b.clock.Add(1000)
	stored, err = b.exports.Save(ctx, b.export("bb02", "demo", []string{"e:bo@example.com"}, 30*24*time.Hour))
	require.NoError(t, err)
	require.True(t, stored)
	_, err = b.exports.Save(ctx, b.export("cc03", "other", []string{"e:ann@example.com"}, 30*24*time.Hour))
	require.NoError(t, err)

	list, err := b.exports.List(ctx, "demo")
	require.NoError(t, err)
	require.Equal(t, []string{`{"id":"bb02"}`, `{"id":"aa01"}`}, strs(list), "the shop's exports, newest first")
	doc, err := b.exports.Get(ctx, "demo", "aa01")
	require.NoError(t, err)
	require.JSONEq(t, `{"id":"aa01","profiles":[]}`, string(doc), "the first save's document")
	ok, err := b.exports.Exists(ctx, "demo", "aa01")
	require.NoError(t, err)
	require.True(t, ok)
	doc, err = b.exports.Get(ctx, "demo", "cc03")
	require.NoError(t, err)
	require.Nil(t, doc, "another shop's export is not this shop's")
	doc, err = b.exports.Get(ctx, "demo", "ffff")
	require.NoError(t, err)
	require.Nil(t, doc, "unknown")

	// The document and the shop's export keys expire in Redis too.
	pttl, err := b.env.Client.PTTL(ctx, b.keys.ExportDocument("demo", "aa01")).Result()
	require.NoError(t, err)
	require.InDelta(t, (30 * 24 * time.Hour).Seconds(), pttl.Seconds(), 60)
	for _, k := range []string{b.keys.ExportIndex("demo"), b.keys.ExportSummaries("demo"), b.keys.ExportSubjects("demo")} {
		pttl, err := b.env.Client.PTTL(ctx, k).Result()
		require.NoError(t, err)
		require.Greater(t, pttl, 30*24*time.Hour-time.Minute, "%s lives as long as its newest export", k)
	}

	// 30 days and half a second on: the first export has expired, the
	// second has not.
	b.clock.Store(b.t0.Add(30*24*time.Hour + 500*time.Millisecond).UnixMilli())
	doc, err = b.exports.Get(ctx, "demo", "aa01")
	require.NoError(t, err)
	require.Nil(t, doc, "expired")
	ok, err = b.exports.Exists(ctx, "demo", "aa01")
	require.NoError(t, err)
	require.False(t, ok)
	list, err = b.exports.List(ctx, "demo")
	require.NoError(t, err)
	require.Equal(t, []string{`{"id":"bb02"}`}, strs(list))
	n, err := b.env.Client.HLen(ctx, b.keys.ExportSummaries("demo")).Result()
	require.NoError(t, err)
	require.Equal(t, int64(1), n, "listing forgot the expired export")
	n, err = b.env.Client.HLen(ctx, b.keys.ExportSubjects("demo")).Result()
	require.NoError(t, err)
	require.Equal(t, int64(1), n)
}

func TestExportsDocumentExpiresInRedis(t *testing.T) {
	t.Parallel()
	b := setupExports(t)
	ctx := context.Background()
	// An export whose expiry has passed by the time it is stored (a clock
	// behind Redis's): Redis drops the document at once.
	_, err := b.exports.Save(ctx, b.export("dd04", "demo", nil, -time.Second))
	require.NoError(t, err)
	n, err := b.env.Client.Exists(ctx, b.keys.ExportDocument("demo", "dd04")).Result()
	require.NoError(t, err)
	require.Zero(t, n)
	doc, err := b.exports.Get(ctx, "demo", "dd04")
	require.NoError(t, err)
	require.Nil(t, doc)
}

func TestExportsDeleteCustomers(t *testing.T) {
	t.Parallel()
	b := setupExports(t)
	ctx := context.Background()
	for id, who := range map[string][]string{
		"01": {"e:ann@example.com", "i:191167"},
		"02": {"p:+15556251199"},
		"03": {"e:bo@example.com"},
	} {
		_, err := b.exports.Save(ctx, b.export(id, "demo", who, time.Hour))
		require.NoError(t, err)
	}
	n, err := b.exports.DeleteCustomers(ctx, "demo", nil)
	require.NoError(t, err)
	require.Zero(t, n, "naming no one deletes nothing")
	n, err = b.exports.DeleteCustomers(ctx, "demo", []string{"i:191167", "p:+15556251199", ""})
	require.NoError(t, err)
	require.Equal(t, 2, n)
	list, err := b.exports.List(ctx, "demo")
	require.NoError(t, err)
	require.Equal(t, []string{`{"id":"03"}`}, strs(list))
	for _, id := range []string{"01", "02"} {
		n, err := b.env.Client.Exists(ctx, b.keys.ExportDocument("demo", id)).Result()
		require.NoError(t, err)
		require.Zero(t, n, "export %s's document is gone", id)
	}
}

func TestShopEraseRemovesExports(t *testing.T) {
	t.Parallel()
	b := setupExports(t)
	ctx := context.Background()
	timers, err := redis.NewTimers(redis.TimerConfig{Client: b.env.Client, Keys: b.keys})
	require.NoError(t, err)
	for _, shop := range []string{"demo", "demo-2"} {
		_, err := b.exports.Save(ctx, b.export("01", shop, []string{"e:ann@example.com"}, time.Hour))
		require.NoError(t, err)
	}
	require.NoError(t, redis.NewEraser(b.env.Client, b.keys, timers).EraseShop(ctx, "demo"))
	n, err := b.env.Client.Exists(ctx, b.keys.ExportIndex("demo"), b.keys.ExportSummaries("demo"),
		b.keys.ExportSubjects("demo"), b.keys.ExportDocument("demo", "01")).Result()
	require.NoError(t, err)
	require.Zero(t, n, "the shop's exports are erased")
	doc, err := b.exports.Get(ctx, "demo-2", "01")
	require.NoError(t, err)
	require.NotNil(t, doc, "another shop's stay")
}

func TestExportKeysShareASlot(t *testing.T) {
	t.Parallel()
	for _, k := range []redis.Keys{{}, {Prefix: "rtabc-1"}} {
		s := slot(k.ExportIndex("demo"))
		for _, key := range []string{k.ExportSummaries("demo"), k.ExportSubjects("demo"), k.ExportDocument("demo", "0a1b")} {
			require.Equal(t, s, slot(key), key)
		}
		require.NotEqual(t, s, slot(k.ExportIndex("demo-2")), "shops spread over slots")
	}
}

func TestExportSourceTimersAndMessages(t *testing.T) {
	t.Parallel()
	b := setupExports(t)
	ctx := context.Background()
	timers, err := redis.NewTimers(redis.TimerConfig{Client: b.env.Client, Keys: b.keys})
	require.NoError(t, err)
	src := redis.NewExportSource(b.env.Client, b.keys, timers)
	require.NoError(t, timers.Schedule(ctx, "t-1", b.t0.Add(time.Hour), []byte("demo|e:ann@example.com|run-1")))
	pending, err := src.PendingTimers(ctx, []string{"t-1", "t-2"})
	require.NoError(t, err)
	require.Equal(t, map[string]bool{"t-1": true}, pending)

	outbox := redis.NewOutboxStore(b.env.Client, b.keys)
	for id, msg := range map[string]string{
		"run-1:reminder": `{"run":"run-1","to":"someone@else.example"}`,
		"run-9:reminder": `{"run":"run-9","to":"Ann@Example.com"}`,
		"run-8:sms":      `{"run":"run-8","to":"+15556251199"}`,
		"run-7:reminder": `{"run":"run-7","to":"bo@example.com"}`,
		"broken":         `not json`,
	} {
		_, err := outbox.Add(ctx, "demo", id, b.t0, []byte(msg))
		require.NoError(t, err)
	}
	msgs, err := src.Messages(ctx, "demo", map[string]bool{"run-1": true}, []string{"ann@example.com", "+15556251199"})
	require.NoError(t, err)
	require.ElementsMatch(t, []string{
		`{"run":"run-1","to":"someone@else.example"}`, `{"run":"run-9","to":"Ann@Example.com"}`, `{"run":"run-8","to":"+15556251199"}`,
	}, strs(msgs), "by run, and by address without case")
}

func strs(bs [][]byte) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = string(b)
	}
	return out
}
