package send

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/boomerang-dev/boomerang/flows/event"
	"github.com/boomerang-dev/boomerang/processor"
)

// Provider errors the sender acts on; provider adapters' errors are mapped
// onto them where the sender is wired.
var (
	// ErrTemporary: the provider did not accept the message and a later
	// attempt may succeed. The claim is released and the command retried.
	ErrTemporary = errors.New("temporary provider failure")
	// ErrPermanent: the provider refused the message for good.
	ErrPermanent = errors.New("permanent provider failure")
	// ErrAmbiguous: the request may have reached the provider (a timeout
	// after it left). The message is not retried: at most once wins over at
	// least once, and the provider's own event (SendGrid's processed,
	// Twilio's status callback) settles it when it arrives.
	ErrAmbiguous = errors.New("provider outcome unknown")
	// ErrUnsubscribed: the recipient opted out at the provider (Twilio
	// 21610). The address is suppressed.
	ErrUnsubscribed = errors.New("recipient unsubscribed at the provider")
	// ErrInvalidAddress: the address cannot receive messages (Twilio
	// 21211, 21614). The address is suppressed.
	ErrInvalidAddress = errors.New("invalid recipient")
)

// Statuses of an outbox record (ARCHITECTURE.md's admin API).
const (
	StatusSent    = "sent"
	StatusSkipped = "skipped"
	StatusFailed  = "failed"
	StatusOutbox  = "outbox"
)

// CodedError is implemented by provider errors that carry the provider's
// own code (Twilio's 21610, SendGrid's HTTP status); the code travels in
// message.failed.
type CodedError interface {
	error
	ProviderCode() string
}

// Rendered is a rendered message.
type Rendered struct {
	Subject string
	HTML    string
	Text    string
	Body    string // SMS
	Headers map[string]string
	// TemplateID names a provider-side template (a SendGrid dynamic
	// template, "d-…") rendered by the provider with TemplateData.
	TemplateID   string
	TemplateData map[string]any
}

// Delivery is what a provider is given.
type Delivery struct {
	Cmd      *processor.SendCommand
	Rendered *Rendered
}

// Provider delivers one channel's messages and returns the provider's id.
type Provider interface {
	Deliver(ctx context.Context, d *Delivery) (providerID string, err error)
}

// Ledger is the send ledger (adapters/redis.Ledger).
type Ledger interface {
	Claim(ctx context.Context, id string, now time.Time) (bool, string, error)
	Set(ctx context.Context, id, state string) error
	Release(ctx context.Context, id string) error
}

// Suppressions is the suppression list (adapters/redis.Suppressions).
type Suppressions interface {
	Reason(ctx context.Context, shop, channel, address string) (string, error)
	Add(ctx context.Context, shop, channel, address, reason string) error
}

// Recents records marketing sends for smart sending
// (adapters/redis.RecentSends).
type Recents interface {
	On(ctx context.Context, shop, customer, channel string) (map[int]time.Time, error)
	Record(ctx context.Context, shop, customer, channel string, priority int, at time.Time) error
}

// Profiles loads a customer's profile (nil when unknown).
type Profiles interface {
	Profile(ctx context.Context, shop, customer string) (*processor.Profile, error)
}

// Lookups claims a command's ledger entry and reads the profile, the
// suppression entry and the recent sends in one round trip
// (adapters/redis.SendLookup). Optional: without it the sender asks Ledger,
// Profiles, Suppressions and Recents one by one.
type Lookups interface {
	Lookup(ctx context.Context, cmd *processor.SendCommand, now time.Time) (*Lookup, error)
}

// Lookup is what Lookups found for one command.
type Lookup struct {
	Claimed    bool
	State      string
	Profile    *processor.Profile
	Suppressed string
	Recent     Recent
}

// Renderer renders a command's template.
type Renderer interface {
	Render(ctx context.Context, cmd *processor.SendCommand, p *processor.Profile) (*Rendered, error)
}

// Discounts makes sure a run's discount code exists on the shop's
// platform before the message that shows it goes. Ensure is idempotent
// (the code is the identity). madeUp is true when the shop has no store
// API credentials (the demo shop): the code exists nowhere and the message
// says so.
type Discounts interface {
	Ensure(ctx context.Context, shop string, d *processor.Discount) (madeUp bool, err error)
}

// ErrDiscountTemporary marks an Ensure failure worth retrying (the
// platform's rate limit, an outage).
var ErrDiscountTemporary = errors.New("discount code not created yet")

// ReasonDraft marks a draft flow's message in the outbox.
const ReasonDraft = "draft: kept in the outbox, never sent"

// Stats counts sends per flow and split arm (adapters/redis.FlowStats).
type Stats interface {
	Sent(ctx context.Context, cmd *processor.SendCommand) error
}

// Record is one outbox entry: what happened to a send command.
type Record struct {
	Cmd    *processor.SendCommand
	Status string
	Reason string
	// Code is the provider's code for a failure, when it gave one.
	Code       string
	ProviderID string
	Rendered   *Rendered
	At         time.Time
}

// Recorder keeps outbox entries (the dev outbox and the admin API).
type Recorder interface {
	Record(ctx context.Context, r *Record) error
}

// Outcomes publishes message.sent / message.failed events.
type Outcomes interface {
	Outcome(ctx context.Context, r *Record) error
}

// Config configures a Sender.
type Config struct {
	Profiles     Profiles
	Ledger       Ledger
	Suppressions Suppressions
	Recents      Recents
	Renderer     Renderer
	Recorder     Recorder
	Outcomes     Outcomes
	// Providers by channel; a channel without one goes to the dev outbox
	// (checked and rendered as a real send is, never sent).
	Providers map[string]Provider
	// Stats, when set, counts what is sent (and what the dev outbox keeps
	// in its place) for the flows' figures.
	Stats Stats
	// Lookups, when set, does the claim and the reads in one round trip.
	Lookups Lookups
	// Discounts creates runs' discount codes on the platforms. Nil: every
	// code is made up.
	Discounts Discounts
	// Policy returns a shop's policy.
	Policy func(shop string) Policy
	Now    func() time.Time
	Logger *zap.Logger
}

// Sender handles send commands.
type Sender struct{ cfg Config }

// NewSender validates cfg.
func NewSender(cfg Config) (*Sender, error) {
	if cfg.Profiles == nil || cfg.Ledger == nil || cfg.Suppressions == nil || cfg.Recents == nil ||
		cfg.Renderer == nil || cfg.Recorder == nil || cfg.Outcomes == nil || cfg.Policy == nil {
		return nil, errors.New("sender: Profiles, Ledger, Suppressions, Recents, Renderer, Recorder, Outcomes and Policy are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = zap.NewNop()
	}
	return &Sender{cfg: cfg}, nil
}

// DeferError asks for the command to be retried later (quiet hours).
type DeferError struct{ After time.Duration }

func (e *DeferError) Error() string { return fmt.Sprintf("deferred for %s", e.After) }

// RetryAfter implements the JetStream worker's retry contract.
func (e *DeferError) RetryAfter() time.Duration { return e.After }

// Handle sends one command at most once. nil acknowledges it; a
// *DeferError asks for it again later; other errors retry it.
func (s *Sender) Handle(ctx context.Context, cmd *processor.SendCommand) error {
	now := s.cfg.Now().UTC()
	var (
		d       Decision
		profile *processor.Profile
	)
	if s.cfg.Lookups != nil {
		l, err := s.cfg.Lookups.Lookup(ctx, cmd, now)
		if err != nil {
			return err
		}
		if !l.Claimed {
			s.cfg.Logger.Debug("send already handled", zap.String("id", cmd.ID), zap.String("state", l.State))
			return nil
		}
		profile = l.Profile
		d = Check(s.input(cmd, profile, l.Suppressed, l.Recent, now))
	} else {
		ok, state, err := s.cfg.Ledger.Claim(ctx, cmd.ID, now)
		if err != nil {
			return err
		}
		if !ok {
			s.cfg.Logger.Debug("send already handled", zap.String("id", cmd.ID), zap.String("state", state))
			return nil
		}
		if d, profile, err = s.decide(ctx, cmd, now); err != nil {
			_ = s.cfg.Ledger.Release(ctx, cmd.ID)
			return err
		}
	}
	switch d.Action {
	case ActionSkip:
		return s.finish(ctx, &Record{Cmd: cmd, Status: StatusSkipped, Reason: d.Reason, At: now}, "skipped:"+d.Reason)
	case ActionDefer:
		if err := s.cfg.Ledger.Release(ctx, cmd.ID); err != nil {
			return err
		}
		return &DeferError{After: d.Until.Sub(now)}
	}
	draft := s.cfg.Policy(cmd.Shop).Drafts[cmd.Flow]
	warning := ""
	if draft {
		warning = ReasonDraft
	}
	if cmd.Discount != nil {
		var err error
		madeUp := true
		if s.cfg.Discounts != nil && !draft {
			madeUp, err = s.cfg.Discounts.Ensure(ctx, cmd.Shop, cmd.Discount)
			switch {
			case errors.Is(err, ErrDiscountTemporary):
				_ = s.cfg.Ledger.Release(ctx, cmd.ID)
				return err
			case err != nil:
				return s.finish(ctx, &Record{Cmd: cmd, Status: StatusFailed, Reason: "discount: " + err.Error(), At: now}, "failed:discount")
			}
		}
		if madeUp && !draft {
			warning = "warning: discount code " + cmd.Discount.Code + " is made up: the shop has no store API credentials"
			s.cfg.Logger.Warn("discount code made up: the shop has no store API credentials",
				zap.String("shop", cmd.Shop), zap.String("message", cmd.ID))
		}
	}
	r, err := s.cfg.Renderer.Render(ctx, cmd, profile)
	if err != nil {
		return s.finish(ctx, &Record{Cmd: cmd, Status: StatusFailed, Reason: "render: " + err.Error(), At: now}, "failed:render")
	}
	if draft {
		// A draft flow's message: rendered and checked, kept, not sent,
		// not counted and no smart-sending window opened.
		if err := s.cfg.Ledger.Set(ctx, cmd.ID, "draft"); err != nil {
			return err
		}
		return s.cfg.Recorder.Record(ctx, &Record{Cmd: cmd, Status: StatusOutbox, Reason: warning, Rendered: r, At: now})
	}
	p := s.cfg.Providers[cmd.Channel]
	if p == nil {
		// The dev outbox stands for a real send, smart sending included.
		s.recordRecent(ctx, cmd, now)
		return s.finish(ctx, &Record{Cmd: cmd, Status: StatusOutbox, Reason: warning, Rendered: r, At: now}, StatusOutbox)
	}
	id, err := p.Deliver(ctx, &Delivery{Cmd: cmd, Rendered: r})
	switch {
	case err == nil:
		s.recordRecent(ctx, cmd, now)
		return s.finish(ctx, &Record{Cmd: cmd, Status: StatusSent, Reason: warning, ProviderID: id, Rendered: r, At: now}, "sent:"+id)
	case errors.Is(err, ErrTemporary):
		if rerr := s.cfg.Ledger.Release(ctx, cmd.ID); rerr != nil {
			return rerr
		}
		return err
	case errors.Is(err, ErrAmbiguous):
		return s.finish(ctx, &Record{Cmd: cmd, Status: StatusFailed, Reason: "ambiguous: " + err.Error(), Rendered: r, At: now}, "ambiguous")
	case errors.Is(err, ErrUnsubscribed), errors.Is(err, ErrInvalidAddress):
		reason := "invalid"
		if errors.Is(err, ErrUnsubscribed) {
			reason = "unsubscribed"
		}
		if serr := s.cfg.Suppressions.Add(ctx, cmd.Shop, cmd.Channel, cmd.To, reason); serr != nil {
			s.cfg.Logger.Warn("suppressing an address", zap.Error(serr))
		}
		return s.finish(ctx, &Record{Cmd: cmd, Status: StatusFailed, Reason: err.Error(), Code: codeOf(err), Rendered: r, At: now}, "failed:"+reason)
	default:
		return s.finish(ctx, &Record{Cmd: cmd, Status: StatusFailed, Reason: err.Error(), Code: codeOf(err), Rendered: r, At: now}, "failed")
	}
}

// recordRecent notes a marketing message for smart sending.
func (s *Sender) recordRecent(ctx context.Context, cmd *processor.SendCommand, now time.Time) {
	if cmd.Category != "marketing" {
		return
	}
	if err := s.cfg.Recents.Record(ctx, cmd.Shop, cmd.Customer, cmd.Channel, cmd.Priority, now); err != nil {
		s.cfg.Logger.Warn("recording a send for smart sending", zap.Error(err))
	}
}

// codeOf returns the provider's code in err, if any.
func codeOf(err error) string {
	if c, ok := errors.AsType[CodedError](err); ok {
		return c.ProviderCode()
	}
	return ""
}

func (s *Sender) decide(ctx context.Context, cmd *processor.SendCommand, now time.Time) (Decision, *processor.Profile, error) {
	profile, err := s.cfg.Profiles.Profile(ctx, cmd.Shop, cmd.Customer)
	if err != nil {
		return Decision{}, nil, err
	}
	reason, err := s.cfg.Suppressions.Reason(ctx, cmd.Shop, cmd.Channel, cmd.To)
	if err != nil {
		return Decision{}, nil, err
	}
	var recent Recent
	if cmd.Category == "marketing" {
		if recent, err = s.cfg.Recents.On(ctx, cmd.Shop, cmd.Customer, cmd.Channel); err != nil {
			return Decision{}, nil, err
		}
	}
	return Check(s.input(cmd, profile, reason, recent, now)), profile, nil
}

// input assembles Check's input.
func (s *Sender) input(cmd *processor.SendCommand, profile *processor.Profile, suppressed string, recent Recent, now time.Time) Input {
	in := Input{Cmd: cmd, Profile: profile, Suppressed: suppressed, Recent: recent, Policy: s.cfg.Policy(cmd.Shop), Now: now}
	if cmd.Channel == event.ChannelSMS {
		// The recipient's zone: the number's country, else the address's,
		// else (in Check) the shop's.
		in.Zone = ZoneForPhone(cmd.To)
		if in.Zone == nil && profile != nil {
			in.Zone = ZoneForCountry(profile.Country)
		}
	}
	return in
}

// finish records the outcome in the ledger, the outbox and the event
// stream. The ledger entry is written first: if the rest fails, the command
// is retried and finds the send done.
func (s *Sender) finish(ctx context.Context, r *Record, ledger string) error {
	if err := s.cfg.Ledger.Set(ctx, r.Cmd.ID, ledger); err != nil {
		return err
	}
	if err := s.cfg.Recorder.Record(ctx, r); err != nil {
		return err
	}
	if s.cfg.Stats != nil && (r.Status == StatusSent || r.Status == StatusOutbox) {
		if err := s.cfg.Stats.Sent(ctx, r.Cmd); err != nil {
			s.cfg.Logger.Warn("counting a send failed", zap.String("message", r.Cmd.ID), zap.Error(err))
		}
	}
	return s.cfg.Outcomes.Outcome(ctx, r)
}
