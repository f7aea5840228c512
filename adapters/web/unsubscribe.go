package web

import (
	"context"
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"time"

	"go.uber.org/zap"

	"github.com/boomerang-dev/boomerang/flows/event"
)

// EventPublisher stores one canonical event and returns after its PubAck.
type EventPublisher interface {
	Publish(ctx context.Context, subject, msgID string, data []byte) (duplicate bool, err error)
}

// Suppressor adds an address to a shop's suppression list.
type Suppressor interface {
	Add(ctx context.Context, shop, channel, address, reason string) error
}

// UnsubscribeConfig configures the one-click unsubscribe pages.
type UnsubscribeConfig struct {
	// Signer verifies link tokens. Required.
	Signer *Signer
	// Publisher receives consent.updated and message.unsubscribed.
	// Required.
	Publisher EventPublisher
	// Suppressions stops sends at once, before the events are processed.
	// Required.
	Suppressions Suppressor
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// Logger. Default zap.NewNop().
	Logger *zap.Logger
}

// MountUnsubscribe registers GET /unsubscribe (a small page with a button)
// and POST /unsubscribe (RFC 8058 one-click: unsubscribes at once) on mux.
// Both take the signed token in the t query parameter.
func MountUnsubscribe(mux *http.ServeMux, cfg UnsubscribeConfig) error {
	if cfg.Signer == nil || cfg.Publisher == nil || cfg.Suppressions == nil {
		return errors.New("unsubscribe: Signer, Publisher and Suppressions are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = zap.NewNop()
	}
	mux.HandleFunc("GET /unsubscribe", func(w http.ResponseWriter, r *http.Request) {
		c, err := cfg.Signer.Verify(r.URL.Query().Get("t"))
		if err != nil {
			page(w, http.StatusBadRequest, "This link is not valid", "Please use the link from the latest message you received.", "")
			return
		}
		page(w, http.StatusOK, "Unsubscribe", "Stop "+kind(c.Channel)+" marketing to "+c.Address+"?", r.URL.RequestURI())
	})
	mux.HandleFunc("POST /unsubscribe", func(w http.ResponseWriter, r *http.Request) {
		c, err := cfg.Signer.Verify(r.URL.Query().Get("t"))
		if err != nil {
			page(w, http.StatusBadRequest, "This link is not valid", "Please use the link from the latest message you received.", "")
			return
		}
		if err := unsubscribe(r.Context(), cfg, c); err != nil {
			cfg.Logger.Error("unsubscribe failed", zap.String("shop", c.Shop), zap.Error(err))
			page(w, http.StatusServiceUnavailable, "Please try again", "We could not record your choice just now.", "")
			return
		}
		page(w, http.StatusOK, "You are unsubscribed", "You will get no more "+kind(c.Channel)+" marketing from us.", "")
	})
	return nil
}

func kind(channel string) string {
	if channel == event.ChannelSMS {
		return "SMS"
	}
	return "email"
}

// unsubscribe suppresses the address and publishes the consent change and
// the engagement event. Deterministic ids make a double click one change.
func unsubscribe(ctx context.Context, cfg UnsubscribeConfig, c LinkClaims) error {
	if err := cfg.Suppressions.Add(ctx, c.Shop, c.Channel, c.Address, "unsubscribed"); err != nil {
		return err
	}
	now := cfg.Now().UTC()
	identity := c.Channel + ":" + c.Address + ":" + c.Message
	cust := &event.Customer{}
	consent := &event.Consent{Channel: c.Channel, State: event.ConsentUnsubscribed, CollectedFrom: "unsubscribe_link", UpdatedAt: now}
	if c.Channel == event.ChannelSMS {
		cust.Phone, consent.Phone = c.Address, c.Address
	} else {
		cust.Email, consent.Email = c.Address, c.Address
	}
	evs := []*event.Event{
		{
			Type: event.ConsentUpdated, Data: consent,
			Key: event.SemanticKey(event.ConsentUpdated, c.Shop, c.Channel+":"+c.Address, now),
		},
		{
			Type: event.MessageUnsubscribed,
			Data: &event.Message{MessageID: c.Message, Channel: c.Channel, Flow: c.Flow, Run: c.Run, Step: c.Step, To: c.Address},
			Key:  event.SemanticKey(event.MessageUnsubscribed, c.Shop, identity, time.Time{}),
		},
	}
	for _, ev := range evs {
		ev.SchemaVersion = event.SchemaVersion
		ev.ID = event.DeliveryID(event.PlatformBoomerang, c.Shop, identity, ev.Type)
		ev.Shop, ev.Platform, ev.Customer = c.Shop, event.PlatformBoomerang, cust
		ev.OccurredAt, ev.ReceivedAt = now, now
		ev.Source = event.Source{Topic: "unsubscribe"}
		b, err := json.Marshal(ev)
		if err != nil {
			return err
		}
		if _, err := cfg.Publisher.Publish(ctx, ev.Subject(), ev.ID, b); err != nil {
			return err
		}
	}
	return nil
}

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{.Title}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}
button{font-size:1rem;padding:.6rem 1.2rem;border:0;border-radius:.3rem;background:#1a73e8;color:#fff;cursor:pointer}</style>
</head><body><h1>{{.Title}}</h1><p>{{.Text}}</p>
{{if .Action}}<form method="post" action="{{.Action}}"><button type="submit">Unsubscribe</button></form>{{end}}
</body></html>`))

func page(w http.ResponseWriter, status int, title, text, action string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = pageTmpl.Execute(w, struct{ Title, Text, Action string }{title, text, action})
}
