package processor

import (
	"strconv"
	"time"

	"github.com/boomerang-dev/boomerang/flows/event"
)

// TimerFired builds the timer.fired event of a due timer from its id, due
// time and payload (see TimerPayload). Its id and key are the timer id and
// due time, so a timer fired twice (a lapsed lease) has one effect.
func TimerFired(id string, due time.Time, payload string, now time.Time) (*event.Event, error) {
	shop, customer, run, err := ParseTimerPayload(payload)
	if err != nil {
		return nil, err
	}
	key := id + "@" + strconv.FormatInt(due.UnixMilli(), 10)
	return &event.Event{
		SchemaVersion: event.SchemaVersion,
		ID:            event.DeliveryID(event.PlatformBoomerang, shop, key, event.TimerFired),
		Key:           "timer.fired:" + shop + ":" + key,
		Type:          event.TimerFired,
		Shop:          shop,
		Platform:      event.PlatformBoomerang,
		OccurredAt:    due.UTC(),
		ReceivedAt:    now.UTC(),
		Data:          &event.Timer{TimerID: id, Run: run, Customer: customer, DueAt: due.UTC()},
		Source:        event.Source{Topic: "timer", DeliveryID: key},
	}, nil
}
