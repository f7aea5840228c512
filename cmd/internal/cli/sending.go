package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/adapters/sendgrid"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/flows/event"
	"github.com/boomerang-dev/boomerang/processor"
	"github.com/boomerang-dev/boomerang/processor/redisstore"
	"github.com/boomerang-dev/boomerang/processor/send"
)

// sendgridProvider delivers email through one SendGrid account (its
// client's key) with the shop's sender identity. A 429 comes back as a
// *send.RateLimitError carrying SendGrid's reset, read from the answer's
// headers when the client's HTTP transport is an observingTransport.
type sendgridProvider struct {
	client *sendgrid.Client
	shops  *shop.Registry
	// now reads reset headers. Default time.Now.
	now func() time.Time
}

func (p sendgridProvider) Deliver(ctx context.Context, d *send.Delivery) (string, error) {
	s, ok := p.shops.Get(d.Cmd.Shop)
	if !ok {
		return "", fmt.Errorf("%w: shop %q is not configured", send.ErrPermanent, d.Cmd.Shop)
	}
	from, err := mail.ParseAddress(s.Email.From)
	if err != nil {
		return "", fmt.Errorf("%w: shop %s email.from %q: %w", send.ErrPermanent, s.ID, s.Email.From, err)
	}
	if dom := s.Email.SendingDomain; dom != "" && !strings.EqualFold(shop.AddressDomain(from.Address), dom) {
		return "", fmt.Errorf("%w: shop %s email.from %q is not at its sending domain %q", send.ErrPermanent, s.ID, from.Address, dom)
	}
	e := &sendgrid.Email{
		MessageID: d.Cmd.ID, From: sendgrid.Address{Name: from.Name, Address: from.Address},
		To: d.Cmd.To, Subject: d.Rendered.Subject, HTML: d.Rendered.HTML, Text: d.Rendered.Text,
		Headers: d.Rendered.Headers, Categories: []string{d.Cmd.Flow},
		TemplateID: d.Rendered.TemplateID, TemplateData: d.Rendered.TemplateData,
		CustomArgs: map[string]string{
			sendgrid.ArgShop: d.Cmd.Shop, sendgrid.ArgFlow: d.Cmd.Flow, sendgrid.ArgRun: d.Cmd.Run,
			sendgrid.ArgStep: d.Cmd.Step, sendgrid.ArgCustomer: d.Cmd.Customer,
		},
	}
	if s.Email.ReplyTo != "" {
		if rt, err := mail.ParseAddress(s.Email.ReplyTo); err == nil {
			e.ReplyTo = sendgrid.Address{Name: rt.Name, Address: rt.Address}
		}
	}
	ctx, obs := observe(ctx)
	res, err := p.client.Send(ctx, e)
	switch {
	case err == nil:
		return res.ProviderID, nil
	case errors.Is(err, sendgrid.ErrAmbiguous):
		return "", &providerError{send.ErrAmbiguous, sendgridCode(err), err}
	case errors.Is(err, sendgrid.ErrTemporary):
		pe := &providerError{send.ErrTemporary, sendgridCode(err), err}
		if se, ok := errors.AsType[*sendgrid.SendError](err); ok && se.StatusCode == http.StatusTooManyRequests {
			return "", &send.RateLimitError{Until: retryAt(obs.headers(), nowOr(p.now)()), Err: pe}
		}
		return "", pe
	default:
		return "", &providerError{send.ErrPermanent, sendgridCode(err), err}
	}
}

// nowOr returns now, or time.Now when it is nil.
func nowOr(now func() time.Time) func() time.Time {
	if now == nil {
		return time.Now
	}
	return now
}

// providerError carries a provider's code through the sender's sentinel
// errors.
type providerError struct {
	kind error
	code string
	err  error
}

func (e *providerError) Error() string        { return e.err.Error() }
func (e *providerError) Unwrap() []error      { return []error{e.kind, e.err} }
func (e *providerError) ProviderCode() string { return e.code }

var _ send.CodedError = (*providerError)(nil)

// sendgridCode is SendGrid's HTTP status of a failed send.
func sendgridCode(err error) string {
	var se *sendgrid.SendError
	if errors.As(err, &se) && se.StatusCode != 0 {
		return strconv.Itoa(se.StatusCode)
	}
	return ""
}

// profilesSeam reads profiles from the processor's customer state.
type profilesSeam struct{ store *redisstore.Store }

func (p profilesSeam) Profile(ctx context.Context, shopID, customer string) (*processor.Profile, error) {
	return p.store.Profile(ctx, shopID, customer)
}

// outboxRecord is an outbox entry; the field names are the admin API's
// contract (ARCHITECTURE.md).
type outboxRecord struct {
	ID         string            `json:"id"`
	Shop       string            `json:"shop"`
	Flow       string            `json:"flow"`
	Run        string            `json:"run"`
	Step       string            `json:"step"`
	Channel    string            `json:"channel"`
	To         string            `json:"to"`
	Template   string            `json:"template"`
	Category   string            `json:"category"`
	Status     string            `json:"status"`
	Reason     string            `json:"reason"`
	CreatedAt  time.Time         `json:"created_at"`
	UpdatedAt  time.Time         `json:"updated_at"`
	DueAt      time.Time         `json:"due_at"`
	Priority   int               `json:"priority"`
	ProviderID string            `json:"provider_id,omitempty"`
	Subject    string            `json:"subject,omitempty"`
	Text       string            `json:"text,omitempty"`
	HTML       string            `json:"html,omitempty"`
	Headers    map[string]string `json:"headers,omitempty"`
	URL        string            `json:"url,omitempty"`
}

// outboxRecorder keeps every send's outcome in the outbox the admin API
// lists (sent, skipped, failed, and in the dev outbox never sent).
type outboxRecorder struct{ store *redis.OutboxStore }

func (o outboxRecorder) Record(ctx context.Context, r *send.Record) error {
	c := r.Cmd
	rec := outboxRecord{
		ID: c.ID, Shop: c.Shop, Flow: c.Flow, Run: c.Run, Step: c.Step, Channel: c.Channel, To: c.To,
		Template: c.Template, Category: c.Category, Status: r.Status, Reason: r.Reason, CreatedAt: c.CreatedAt,
		UpdatedAt: r.At, DueAt: c.DueAt, Priority: c.Priority, ProviderID: r.ProviderID, URL: hookHost(c.URL),
	}
	if rr := r.Rendered; rr != nil {
		rec.Subject, rec.Text, rec.HTML, rec.Headers = rr.Subject, rr.Text, rr.HTML, rr.Headers
		if c.Channel == event.ChannelSMS {
			rec.Text = rr.Body
		}
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	added, err := o.store.Add(ctx, c.Shop, c.ID, c.CreatedAt, b)
	if err != nil || added {
		return err
	}
	return o.store.Put(ctx, c.Shop, c.ID, b)
}

// outcomes publishes message.sent and message.failed to EVENTS.
type outcomes struct{ pub eventPublisher }

// eventPublisher stores one message and returns after its PubAck.
type eventPublisher interface {
	Publish(ctx context.Context, subject, msgID string, data []byte) (bool, error)
}

func (o outcomes) Outcome(ctx context.Context, r *send.Record) error {
	var t event.Type
	switch r.Status {
	case send.StatusSent:
		t = event.MessageSent
	case send.StatusFailed:
		t = event.MessageFailed
	default:
		return nil // skipped and dev-outbox messages are in the outbox only
	}
	c := r.Cmd
	cust := &event.Customer{}
	if c.Channel == event.ChannelSMS {
		cust.Phone = c.To
	} else {
		cust.Email = c.To
	}
	ev := &event.Event{
		SchemaVersion: event.SchemaVersion,
		ID:            event.DeliveryID(event.PlatformBoomerang, c.Shop, c.ID, t),
		Key:           string(t) + ":" + c.Shop + ":" + c.ID,
		Type:          t, Shop: c.Shop, Platform: event.PlatformBoomerang,
		OccurredAt: r.At, ReceivedAt: r.At, Customer: cust,
		Data: &event.Message{
			MessageID: c.ID, Channel: c.Channel, Flow: c.Flow, Run: c.Run, Step: c.Step, Split: c.Split, To: c.To,
			ProviderID: r.ProviderID, Reason: r.Reason, Code: r.Code,
		},
		Source: event.Source{Topic: "sender"},
	}
	b, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	_, err = o.pub.Publish(ctx, ev.Subject(), ev.ID, b)
	return err
}

// sendPolicy is a shop's sending policy from its record.
func sendPolicy(shops *shop.Registry) func(string) send.Policy {
	return func(id string) send.Policy {
		s, ok := shops.Get(id)
		if !ok {
			return send.Policy{}
		}
		drafts := map[string]bool{}
		for id, f := range s.Flows {
			if f.Draft {
				drafts[id] = true
			}
		}
		return send.Policy{
			SmartSending: map[string]time.Duration{event.ChannelEmail: s.SmartSending.Email, event.ChannelSMS: s.SmartSending.SMS},
			Zone:         s.Location(), Drafts: drafts,
		}
	}
}

// lookupsSeam adapts redis.SendLookup to the sender's Lookups.
type lookupsSeam struct{ l *redis.SendLookup }

func (s lookupsSeam) Lookup(ctx context.Context, c *processor.SendCommand, now time.Time) (*send.Lookup, error) {
	f, err := s.l.Lookup(ctx, c.ID, c.Shop, c.Customer, c.Channel, c.To, c.Category == "marketing", now)
	if err != nil {
		return nil, err
	}
	out := &send.Lookup{Claimed: f.Claimed, State: f.State, Suppressed: f.Suppressed, Recent: f.Recent}
	if len(f.Profile) > 0 {
		var p processor.Profile
		if err := json.Unmarshal(f.Profile, &p); err != nil {
			return nil, fmt.Errorf("decoding profile of %s: %w", c.Customer, err)
		}
		out.Profile = &p
	}
	return out, nil
}

// hookHost is the scheme and host of a webhook step's URL: its path often
// is the receiver's credential (Zapier's catch hooks), so the outbox does not
// keep it.
func hookHost(u string) string {
	if u == "" {
		return ""
	}
	p, err := url.Parse(u)
	if err != nil || p.Host == "" {
		return ""
	}
	return p.Scheme + "://" + p.Host
}
