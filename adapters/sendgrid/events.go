package sendgrid

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/boomerang-dev/boomerang/flows/event"
)

// SourceTopic is Source.Topic of the events ParseEvents builds; their
// platform is event.PlatformBoomerang.
const SourceTopic = "sendgrid"

// SendGrid event names (the "event" field).
const (
	sgProcessed        = "processed"
	sgDelivered        = "delivered"
	sgDeferred         = "deferred"
	sgOpen             = "open"
	sgClick            = "click"
	sgBounce           = "bounce"
	sgBlocked          = "blocked"
	sgDropped          = "dropped"
	sgSpamReport       = "spamreport"
	sgUnsubscribe      = "unsubscribe"
	sgGroupUnsubscribe = "group_unsubscribe"
)

// eventTypes maps SendGrid event names to canonical types. Names not here
// (deferred, group_resubscribe, account events) are ignored.
var eventTypes = map[string]event.Type{
	sgProcessed:        event.MessageSent,
	sgDelivered:        event.MessageDelivered,
	sgOpen:             event.MessageOpened,
	sgClick:            event.MessageClicked,
	sgBounce:           event.MessageBounced,
	sgBlocked:          event.MessageBounced,
	sgDropped:          event.MessageDropped,
	sgSpamReport:       event.MessageComplained,
	sgUnsubscribe:      event.MessageUnsubscribed,
	sgGroupUnsubscribe: event.MessageUnsubscribed,
}

// sgEvent is one Event Webhook event: the fields Boomerang reads, custom
// args included (SendGrid lifts each to a top-level key).
type sgEvent struct {
	Event       lenientString `json:"event"`
	Email       lenientString `json:"email"`
	Timestamp   lenientString `json:"timestamp"`
	SGEventID   lenientString `json:"sg_event_id"`
	SGMessageID lenientString `json:"sg_message_id"`
	Reason      lenientString `json:"reason"`
	Type        lenientString `json:"type"`
	URL         lenientString `json:"url"`
	AsmGroupID  lenientString `json:"asm_group_id"`
	Shop        lenientString `json:"boomerang_shop"`
	MessageID   lenientString `json:"boomerang_message_id"`
	Flow        lenientString `json:"boomerang_flow"`
	Run         lenientString `json:"boomerang_run"`
	Step        lenientString `json:"boomerang_step"`
}

// lenientString takes a JSON string, or a number's text; any other value
// (null, bool, object, array) leaves it empty. One odd field must not make
// SendGrid retry a whole batch for a day.
type lenientString string

// UnmarshalJSON implements json.Unmarshaler.
func (s *lenientString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) > 0 && b[0] == '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = lenientString(v)
	case len(b) > 0 && (b[0] == '-' || b[0] >= '0' && b[0] <= '9'):
		*s = lenientString(b)
	default:
		*s = ""
	}
	return nil
}

// ParseEvents maps an Event Webhook body, a JSON array of SendGrid events, to
// canonical events, in the body's order:
//
//	processed → message.sent          delivered → message.delivered
//	open → message.opened             click → message.clicked (url)
//	bounce, blocked → message.bounced (code: bounce type, reason)
//	dropped → message.dropped (reason)   spamreport → message.complained
//	unsubscribe, group_unsubscribe → message.unsubscribed (code: the event;
//	reason: the unsubscribe group's id for group_unsubscribe)
//
// deferred and other events are ignored, and so are events without a valid
// boomerang_shop custom arg (mail Boomerang did not send). Shop, message,
// flow, run and step come from the boomerang_* custom args; the customer is
// the event's email. The event ID derives from sg_event_id (the delivery
// identity; from the fields below when it is absent) and the semantic key
// from message, recipient, type, URL and SendGrid's timestamp, because
// sg_event_id is reported to change between retries (senders.md §1.7).
// A body that is not a JSON array of objects is an error wrapping
// ErrMalformed.
func ParseEvents(body []byte, receivedAt time.Time) ([]*event.Event, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '[' {
		return nil, fmt.Errorf("%w: body is not a JSON array", ErrMalformed)
	}
	var raw []sgEvent
	if err := json.Unmarshal(trimmed, &raw); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	receivedAt = receivedAt.UTC()
	out := make([]*event.Event, 0, len(raw))
	for i := range raw {
		if ev := convert(&raw[i], receivedAt); ev != nil {
			out = append(out, ev)
		}
	}
	return out, nil
}

// maxUnix is 9999-12-31T23:59:59Z: later timestamps do not encode as RFC 3339.
const maxUnix = 253402300799

// convert maps one SendGrid event, or returns nil when it is ignored.
func convert(e *sgEvent, receivedAt time.Time) *event.Event {
	shop := string(e.Shop)
	t, ok := eventTypes[string(e.Event)]
	if !ok || !event.ValidShopID(shop) {
		return nil
	}
	occurredAt := receivedAt
	if ts, err := strconv.ParseFloat(string(e.Timestamp), 64); err == nil && ts >= 1 && ts <= maxUnix && !math.IsNaN(ts) {
		occurredAt = time.Unix(int64(ts), 0).UTC()
	}
	providerID, _, _ := strings.Cut(string(e.SGMessageID), ".")
	msg := &event.Message{
		MessageID:  string(e.MessageID),
		Channel:    event.ChannelEmail,
		Flow:       string(e.Flow),
		Run:        string(e.Run),
		Step:       string(e.Step),
		To:         string(e.Email),
		Provider:   Provider,
		ProviderID: providerID,
	}
	switch string(e.Event) {
	case sgBounce, sgBlocked:
		msg.Code = string(e.Type)
		if msg.Code == "" {
			msg.Code = string(e.Event)
		}
		msg.Reason = string(e.Reason)
	case sgDropped:
		msg.Reason = string(e.Reason)
	case sgClick:
		msg.URL = string(e.URL)
	case sgUnsubscribe:
		msg.Code = sgUnsubscribe
	case sgGroupUnsubscribe:
		msg.Code = sgGroupUnsubscribe
		msg.Reason = string(e.AsmGroupID)
	}
	ref := msg.MessageID
	if ref == "" {
		ref = providerID
	}
	resource := ref + "/" + strings.ToLower(string(e.Email))
	if msg.URL != "" {
		resource += "/" + msg.URL
	}
	delivery := string(e.SGEventID)
	if delivery == "" {
		delivery = strings.Join([]string{"t", string(e.SGMessageID), string(e.Event), string(e.Timestamp), string(e.Email), msg.URL}, "|")
	}
	ev := &event.Event{
		SchemaVersion: event.SchemaVersion,
		ID:            event.DeliveryID(event.PlatformBoomerang, shop, SourceTopic+":"+delivery, t),
		Key:           event.SemanticKey(t, shop, resource, occurredAt),
		Type:          t,
		Shop:          shop,
		Platform:      event.PlatformBoomerang,
		OccurredAt:    occurredAt,
		ReceivedAt:    receivedAt,
		Data:          msg,
		Source:        event.Source{Topic: SourceTopic, DeliveryID: string(e.SGEventID)},
	}
	if e.Email != "" {
		ev.Customer = &event.Customer{Email: string(e.Email)}
	}
	return ev
}
