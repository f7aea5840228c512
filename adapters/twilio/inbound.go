package twilio

import (
	"fmt"
	"net/url"
	"time"

	"go.uber.org/zap"

	"github.com/boomerang-dev/boomerang/flows/event"
)

// CollectedFromKeyword is consent.updated's collected_from for a STOP or
// START reply.
const CollectedFromKeyword = "sms_keyword"

// zeroTime is the version of one-time events' semantic keys.
var zeroTime time.Time

// inbound turns an incoming message into sms.inbound, plus consent.updated
// for STOP and START; HELP gets the shop's help text as the reply. The shop
// is sh, the path's; on WebhookPath (sh nil) the shop whose number the
// message was sent to, else whose Messaging Service received it. A message
// no shop owns is logged and ignored.
func (h *Webhook) inbound(sh *Shop, sid string, form url.Values) (*reply, error) {
	from, to := form.Get(formFrom), form.Get(formTo)
	if from == "" || to == "" {
		return nil, fmt.Errorf("%w: inbound message without %s or %s", errMalformed, formFrom, formTo)
	}
	if sh == nil {
		s, ok := h.cfg.Shops.ShopBySender(to, form.Get(formMessagingService))
		if !ok {
			h.cfg.Logger.Warn("twilio inbound message to a number no shop owns; ignored", zap.String("sid", sid))
			return &reply{}, nil
		}
		sh = &s
	}
	shop, help := sh.ID, sh.HelpText
	body := form.Get(formBody)
	kw := Keyword(body)
	now := h.cfg.Now().UTC()
	customer := &event.Customer{Phone: from}
	source := event.Source{Topic: TopicInbound, DeliveryID: sid}
	mk := func(typ event.Type, data any) *event.Event {
		return &event.Event{
			SchemaVersion: event.SchemaVersion,
			ID:            event.DeliveryID(ProviderName, shop, sid, typ),
			Key:           event.SemanticKey(typ, shop, sid, zeroTime),
			Type:          typ,
			Shop:          shop,
			Platform:      event.PlatformBoomerang,
			OccurredAt:    now,
			ReceivedAt:    now,
			Customer:      customer,
			Data:          data,
			Source:        source,
		}
	}
	rp := &reply{events: []*event.Event{
		mk(event.SMSInbound, &event.InboundSMS{From: from, To: to, Body: body, Keyword: kw}),
	}}
	switch kw {
	case KeywordStop, KeywordStart:
		state := event.ConsentUnsubscribed
		if kw == KeywordStart {
			state = event.ConsentSubscribed
		}
		rp.events = append(rp.events, mk(event.ConsentUpdated, &event.Consent{
			Channel:       event.ChannelSMS,
			Phone:         from,
			State:         state,
			CollectedFrom: CollectedFromKeyword,
			UpdatedAt:     now,
		}))
	case KeywordHelp:
		rp.message = help
	}
	return rp, nil
}
