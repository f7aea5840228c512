package twilio

import (
	"net/url"

	"go.uber.org/zap"

	"github.com/boomerang-dev/boomerang/flows/event"
)

// ProviderName is the provider recorded in message events.
const ProviderName = "twilio"

// Source topics of the events the Webhook makes.
const (
	TopicStatus  = "twilio/status"
	TopicInbound = "twilio/inbound"
)

// statusTypes maps Twilio's MessageStatus values to event types. sent is
// Twilio handing the message to the carrier; queued, accepted, scheduled
// and sending come before that and are not events (Send's Result already
// reports them); canceled, read, partially_delivered and the inbound
// statuses have no canonical counterpart and are ignored.
var statusTypes = map[string]event.Type{
	"sent":        event.MessageSent,
	"delivered":   event.MessageDelivered,
	"undelivered": event.MessageFailed,
	"failed":      event.MessageFailed,
}

// status turns a status callback into at most one message.* event. The
// shop and Boomerang's ids come from the callback URL's query (see SMS).
// On a shop's path (sh) the event is that shop's, and a query naming
// another shop gets the callback ignored: a shop's own token signs only its
// own messages' callbacks. On WebhookPath without a shop in the query, the
// shop owning the sending number, else the Messaging Service, is used.
func (h *Webhook) status(sh *Shop, sid, status string, query, form url.Values) *reply {
	log := h.cfg.Logger.With(zap.String("sid", sid), zap.String("message_status", status))
	typ, ok := statusTypes[status]
	if !ok {
		log.Debug("twilio status ignored")
		return &reply{}
	}
	shop := query.Get(paramShop)
	switch {
	case sh != nil && shop != "" && shop != sh.ID:
		log.Warn("twilio status callback on a shop's path names another shop; ignored", zap.String("shop", sh.ID))
		return &reply{}
	case sh != nil:
		shop = sh.ID
	case !event.ValidShopID(shop):
		s, found := h.cfg.Shops.ShopBySender(form.Get(formFrom), form.Get(formMessagingService))
		if !found {
			log.Warn("twilio status callback names no known shop; ignored")
			return &reply{}
		}
		shop = s.ID
	}
	mid := query.Get(paramMessageID)
	resource := mid
	if resource == "" {
		resource = ProviderName + ":" + sid
	}
	data := &event.Message{
		MessageID:  mid,
		Channel:    event.ChannelSMS,
		Flow:       query.Get(paramFlow),
		Run:        query.Get(paramRun),
		Step:       query.Get(paramStep),
		To:         form.Get(formTo),
		Provider:   ProviderName,
		ProviderID: sid,
	}
	if typ == event.MessageFailed {
		data.Code = form.Get(formErrorCode)
		data.Reason = form.Get(formErrorMessage)
		if data.Reason == "" {
			data.Reason = status
		}
	}
	now := h.cfg.Now().UTC()
	delivery := sid + "/" + status
	ev := &event.Event{
		SchemaVersion: event.SchemaVersion,
		ID:            event.DeliveryID(ProviderName, shop, delivery, typ),
		Key:           event.SemanticKey(typ, shop, resource, zeroTime),
		Type:          typ,
		Shop:          shop,
		Platform:      event.PlatformBoomerang,
		OccurredAt:    now,
		ReceivedAt:    now,
		Data:          data,
		Source:        event.Source{Topic: TopicStatus, DeliveryID: delivery},
	}
	if to := form.Get(formTo); to != "" {
		ev.Customer = &event.Customer{Phone: to}
	}
	return &reply{events: []*event.Event{ev}}
}
