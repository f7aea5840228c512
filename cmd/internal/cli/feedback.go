package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	goredis "github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/boomerang-dev/boomerang/adapters/jetstream"
	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// feedbackDurable is the senders' consumer of delivery feedback on EVENTS.
const feedbackDurable = "sender-feedback"

// newFeedbackWorker keeps the suppression list and the send ledger in step
// with what providers and recipients report: hard bounces, spam reports,
// unsubscribes and SMS STOP suppress the address, START lifts an SMS
// suppression, and a provider's own "sent" settles a send whose outcome was
// ambiguous (a timeout after the request left).
func newFeedbackWorker(conn *jetstream.Conn, rdb goredis.UniversalClient, log *zap.Logger) (*jetstream.Worker, error) {
	keys := redis.Keys{}
	sup := redis.NewSuppressions(rdb, keys)
	ledger := redis.NewLedger(rdb, keys, 0)
	outbox := redis.NewOutboxStore(rdb, keys)
	return jetstream.NewWorker(conn.JS, jetstream.WorkerConfig{
		// One filter, not several: servers before NATS 2.10 refuse multiple
		// filter subjects. Other events are acknowledged unread.
		Stream: jetstream.StreamEvents, Durable: feedbackDurable, Workers: 4, Logger: log.Named("feedback"),
		FilterSubject: jetstream.SubjectsEvents,
		Handler: func(ctx context.Context, subject string, data []byte) error {
			if !feedbackSubject(subject) {
				return nil
			}
			var ev event.Event
			if err := json.Unmarshal(data, &ev); err != nil {
				return fmt.Errorf("%w: decoding event: %w", jetstream.ErrPermanent, err)
			}
			return applyFeedback(ctx, &ev, sup, ledger, outbox)
		},
	})
}

// feedbackSubject reports whether an EVENTS subject (events.<shop>.<type>)
// carries a type the feedback worker reads.
func feedbackSubject(subject string) bool {
	i := strings.IndexByte(strings.TrimPrefix(subject, "events."), '.')
	if i < 0 {
		return false
	}
	t := strings.TrimPrefix(subject, "events.")[i+1:]
	return strings.HasPrefix(t, "message.") || t == string(event.SMSInbound) || t == string(event.ConsentUpdated)
}

func applyFeedback(ctx context.Context, ev *event.Event, sup *redis.Suppressions, ledger *redis.Ledger, outbox *redis.OutboxStore) error {
	switch d := ev.Data.(type) {
	case *event.Message:
		switch ev.Type { //nolint:exhaustive // only these change what may be sent
		case event.MessageBounced:
			if d.Code == "bounce" || d.Code == "" {
				return sup.Add(ctx, ev.Shop, d.Channel, d.To, "hard bounce")
			}
		case event.MessageComplained:
			return sup.Add(ctx, ev.Shop, d.Channel, d.To, "spam report")
		case event.MessageUnsubscribed:
			return sup.Add(ctx, ev.Shop, d.Channel, d.To, "unsubscribed")
		case event.MessageSent:
			if ev.Source.Topic == "sender" || d.MessageID == "" {
				return nil // our own record of the send
			}
			st, err := ledger.Get(ctx, d.MessageID)
			if err != nil || redis.StateOf(st) != redis.LedgerAmbiguous {
				return err
			}
			if err := ledger.Set(ctx, d.MessageID, redis.LedgerSent+":"+d.ProviderID); err != nil {
				return err
			}
			return settleOutbox(ctx, outbox, ev.Shop, d.MessageID, d.ProviderID)
		}
	case *event.InboundSMS:
		switch d.Keyword {
		case "STOP":
			return sup.Add(ctx, ev.Shop, event.ChannelSMS, d.From, "sms STOP")
		case "START":
			return sup.Remove(ctx, ev.Shop, event.ChannelSMS, d.From)
		}
	case *event.Consent:
		addr := d.Email
		if d.Channel == event.ChannelSMS {
			addr = d.Phone
		}
		switch {
		case addr == "":
		case d.State == event.ConsentUnsubscribed:
			return sup.Add(ctx, ev.Shop, d.Channel, addr, "unsubscribed")
		case d.State == event.ConsentSubscribed:
			// A new opt-in lifts an opt-out, never a bounce or a spam report.
			reason, err := sup.Reason(ctx, ev.Shop, d.Channel, addr)
			if err != nil || (reason != "unsubscribed" && reason != "sms STOP") {
				return err
			}
			return sup.Remove(ctx, ev.Shop, d.Channel, addr)
		}
	}
	return nil
}

// settleOutbox marks an ambiguous send as sent in the outbox.
func settleOutbox(ctx context.Context, outbox *redis.OutboxStore, shop, id, providerID string) error {
	list, err := outbox.List(ctx, shop, 1000)
	if err != nil {
		return err
	}
	for _, b := range list {
		var rec outboxRecord
		if json.Unmarshal(b, &rec) != nil || rec.ID != id {
			continue
		}
		rec.Status, rec.ProviderID = "sent", providerID
		rec.Reason = strings.TrimSpace(rec.Reason + " (settled by the provider's event)")
		nb, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		return outbox.Put(ctx, shop, id, nb)
	}
	return nil
}
