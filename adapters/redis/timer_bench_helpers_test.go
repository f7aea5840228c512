package redis_test

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/boomerang-dev/boomerang/adapters/jetstream"
	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// benchTimer is a timer shaped like the processor's: the id is a run id and
// the wait's position (42 bytes, "abandoned-checkout-<12 hex>-<8 base36>:3"),
// the payload "shop|customer|run" padded to 60 bytes.
func benchTimer(i int, due time.Time) redis.Timer {
	run := fmt.Sprintf("abandoned-checkout-%012x-%8s", i, strconv.FormatInt(int64(1_790_000_000_000+i), 36))
	payload := "demo|c" + strconv.Itoa(i) + "@example.com|" + run
	if len(payload) < 60 {
		payload += strings.Repeat("x", 60-len(payload))
	}
	return redis.Timer{ID: run + ":3", Due: due, Payload: []byte(payload[:60])}
}

// firedEvent is the timer.fired event the processor publishes for c
// (processor.TimerFired, which adapters may not import).
func firedEvent(c redis.Claimed, now time.Time) *event.Event {
	parts := strings.SplitN(string(c.Payload), "|", 3)
	shop, customer, run := parts[0], parts[1], parts[2]
	key := c.ID + "@" + strconv.FormatInt(c.Due.UnixMilli(), 10)
	return &event.Event{
		SchemaVersion: event.SchemaVersion,
		ID:            event.DeliveryID(event.PlatformBoomerang, shop, key, event.TimerFired),
		Key:           "timer.fired:" + shop + ":" + key,
		Type:          event.TimerFired,
		Shop:          shop,
		Platform:      event.PlatformBoomerang,
		OccurredAt:    c.Due.UTC(),
		ReceivedAt:    now.UTC(),
		Data:          &event.Timer{TimerID: c.ID, Run: run, Customer: customer, DueAt: c.Due.UTC()},
		Source:        event.Source{Topic: "timer", DeliveryID: key},
	}
}

// encodeJSON is the real Encode: the timer.fired event as JSON.
func encodeJSON(c redis.Claimed) (jetstream.BatchMsg, error) {
	ev := firedEvent(c, c.Due)
	data, err := json.Marshal(ev)
	if err != nil {
		return jetstream.BatchMsg{}, err
	}
	return jetstream.BatchMsg{Subject: ev.Subject(), MsgID: c.MsgID(), Data: data}, nil
}

// firedSize is the size of one timer.fired event of a benchTimer.
var firedSize = func() int {
	tm := benchTimer(123456, time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC))
	m, err := encodeJSON(redis.Claimed{ID: tm.ID, Due: tm.Due, Payload: tm.Payload})
	if err != nil {
		panic(err)
	}
	return len(m.Data)
}()

// encodeSized is an Encode that costs next to nothing: a body of a
// timer.fired event's size, so the figure is the poller's own.
func encodeSized(c redis.Claimed) (jetstream.BatchMsg, error) {
	data := make([]byte, firedSize)
	copy(data, c.MsgID())
	return jetstream.BatchMsg{Subject: "events.demo.timer.fired", MsgID: c.MsgID(), Data: data}, nil
}
