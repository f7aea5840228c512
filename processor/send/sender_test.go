package send_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/adapters/redis/redistest"
	"github.com/boomerang-dev/boomerang/flows/event"
	"github.com/boomerang-dev/boomerang/processor"
	"github.com/boomerang-dev/boomerang/processor/send"
)

type fakeProvider struct {
	mu    sync.Mutex
	calls int
	errs  []error // returned in turn; nil entries succeed
}

func (p *fakeProvider) Deliver(_ context.Context, d *send.Delivery) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls++
	if len(p.errs) > 0 {
		err := p.errs[0]
		p.errs = p.errs[1:]
		if err != nil {
			return "", err
		}
	}
	return "prov-" + d.Cmd.ID, nil
}

type memory struct {
	mu       sync.Mutex
	profiles map[string]*processor.Profile
	records  []*send.Record
	outcomes []*send.Record
}

func (m *memory) Profile(_ context.Context, _, customer string) (*processor.Profile, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.profiles[customer], nil
}

func (m *memory) Render(_ context.Context, cmd *processor.SendCommand, _ *processor.Profile) (*send.Rendered, error) {
	return &send.Rendered{Subject: "Hi", Text: cmd.Template, Body: cmd.Template}, nil
}

func (m *memory) Record(_ context.Context, r *send.Record) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.records = append(m.records, r)
	return nil
}

func (m *memory) Outcome(_ context.Context, r *send.Record) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.outcomes = append(m.outcomes, r)
	return nil
}

func (m *memory) statuses() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for _, r := range m.records {
		out = append(out, r.Status+" "+r.Reason)
	}
	return out
}

type senderBundle struct {
	sender  *send.Sender
	email   *fakeProvider
	sms     *fakeProvider
	mem     *memory
	ledger  *redis.Ledger
	sup     *redis.Suppressions
	recents *redis.RecentSends
	now     time.Time
}

func newSender(t *testing.T) *senderBundle {
	t.Helper()
	env := redistest.Start(t)
	keys := redis.Keys{Prefix: env.Prefix}
	b := &senderBundle{
		email: &fakeProvider{}, sms: &fakeProvider{}, now: now,
		mem:     &memory{profiles: map[string]*processor.Profile{"e:ann@example.com": profile(event.ConsentSubscribed, event.ConsentSubscribed)}},
		ledger:  redis.NewLedger(env.Client, keys, time.Hour),
		sup:     redis.NewSuppressions(env.Client, keys),
		recents: redis.NewRecentSends(env.Client, keys),
	}
	s, err := send.NewSender(send.Config{
		Profiles: b.mem, Ledger: b.ledger, Suppressions: b.sup,
		Recents: b.recents, Renderer: b.mem, Recorder: b.mem, Outcomes: b.mem,
		Providers: map[string]send.Provider{event.ChannelEmail: b.email, event.ChannelSMS: b.sms},
		Policy: func(string) send.Policy {
			return send.Policy{Zone: time.UTC, SmartSending: map[string]time.Duration{event.ChannelEmail: 16 * time.Hour}}
		},
		Now: func() time.Time { return b.now },
	})
	require.NoError(t, err)
	b.sender = s
	return b
}

func mail(id string, prio int) *processor.SendCommand {
	return &processor.SendCommand{
		ID: id, Shop: "demo", Flow: "f", Run: "r", Step: id, Customer: "e:ann@example.com", Channel: event.ChannelEmail,
		Template: "t", Category: "marketing", To: "ann@example.com", Priority: prio, DueAt: now,
	}
}

func TestAtMostOncePerRunAndStep(t *testing.T) {
	t.Parallel()
	b := newSender(t)
	c := mail("r:reminder", 50)
	require.NoError(t, b.sender.Handle(context.Background(), c))
	require.NoError(t, b.sender.Handle(context.Background(), c)) // redelivery
	require.Equal(t, 1, b.email.calls)
	require.Equal(t, []string{"sent "}, b.mem.statuses())
	require.Len(t, b.mem.outcomes, 1)
}

func TestCrashBetweenClaimAndCallSendsNothingTwice(t *testing.T) {
	t.Parallel()
	b := newSender(t)
	// Another sender claimed the message and died before calling the
	// provider: the redelivered command finds the claim and stops (the
	// at-most-once policy; the message is lost rather than doubled).
	ok, _, err := b.ledger.Claim(context.Background(), "r:reminder", now)
	require.NoError(t, err)
	require.True(t, ok)
	require.NoError(t, b.sender.Handle(context.Background(), mail("r:reminder", 50)))
	require.Zero(t, b.email.calls)
}

func TestTemporaryFailureIsRetriedOnce(t *testing.T) {
	t.Parallel()
	b := newSender(t)
	b.email.errs = []error{send.ErrTemporary}
	c := mail("r:reminder", 50)
	require.ErrorIs(t, b.sender.Handle(context.Background(), c), send.ErrTemporary)
	require.NoError(t, b.sender.Handle(context.Background(), c))
	require.NoError(t, b.sender.Handle(context.Background(), c))
	require.Equal(t, 2, b.email.calls, "one failed attempt, one success, no third")
}

func TestAmbiguousFailureIsNotRetried(t *testing.T) {
	t.Parallel()
	b := newSender(t)
	b.email.errs = []error{send.ErrAmbiguous}
	c := mail("r:reminder", 50)
	require.NoError(t, b.sender.Handle(context.Background(), c))
	require.NoError(t, b.sender.Handle(context.Background(), c))
	require.Equal(t, 1, b.email.calls)
	st, err := b.ledger.Get(context.Background(), c.ID)
	require.NoError(t, err)
	require.Equal(t, "ambiguous", st)
}

func TestProviderOptOutSuppressesTheNumber(t *testing.T) {
	t.Parallel()
	b := newSender(t)
	b.sms.errs = []error{errors.Join(send.ErrUnsubscribed, errors.New("21610"))}
	sms := mail("r:nudge", 50)
	sms.Channel, sms.To = event.ChannelSMS, "+447700900000"
	require.NoError(t, b.sender.Handle(context.Background(), sms))
	next := mail("r2:nudge", 50)
	next.Channel, next.To = event.ChannelSMS, "+447700900000"
	next.Category = "transactional"
	require.NoError(t, b.sender.Handle(context.Background(), next))
	require.Equal(t, 1, b.sms.calls, "a suppressed number gets nothing, transactional included")
	require.Contains(t, b.mem.statuses()[1], "skipped suppressed")
}

func TestSkipsAreRecordedWithTheirReason(t *testing.T) {
	t.Parallel()
	b := newSender(t)
	b.mem.profiles["e:ann@example.com"] = profile(event.ConsentUnsubscribed, "")
	require.NoError(t, b.sender.Handle(context.Background(), mail("r:reminder", 50)))
	require.Equal(t, []string{"skipped unsubscribed"}, b.mem.statuses())
	require.Zero(t, b.email.calls)
}

func TestSmartSendingAcrossMessages(t *testing.T) {
	t.Parallel()
	b := newSender(t)
	require.NoError(t, b.sender.Handle(context.Background(), mail("a:reminder", 50)))
	b.now = now.Add(time.Hour)
	require.NoError(t, b.sender.Handle(context.Background(), mail("w:welcome", 20)))
	require.NoError(t, b.sender.Handle(context.Background(), mail("a2:reminder", 50)))
	require.Equal(t, []string{"sent ", "skipped smart_sending", "skipped smart_sending"}, b.mem.statuses())
}

func TestQuietHoursDefer(t *testing.T) {
	t.Parallel()
	b := newSender(t)
	b.now = time.Date(2026, 7, 1, 23, 30, 0, 0, time.UTC) // 00:30 in London
	sms := mail("r:nudge", 50)
	sms.Channel, sms.To, sms.DueAt = event.ChannelSMS, "+447700900000", b.now
	err := b.sender.Handle(context.Background(), sms)
	var d *send.DeferError
	require.ErrorAs(t, err, &d)
	require.Equal(t, 7*time.Hour+30*time.Minute, d.RetryAfter(), "until 08:00 London time")
	require.Zero(t, b.sms.calls)
	b.now = time.Date(2026, 7, 2, 7, 0, 0, 0, time.UTC)
	require.NoError(t, b.sender.Handle(context.Background(), sms))
	require.Equal(t, 1, b.sms.calls, "the deferred send goes after the quiet hours")
}

func TestQuietHoursFallBackToTheAddressCountry(t *testing.T) {
	t.Parallel()
	b := newSender(t)
	b.mem.profiles["e:ann@example.com"].Country = "JP"
	b.now = time.Date(2026, 7, 1, 15, 0, 0, 0, time.UTC) // 00:00 in Tokyo, 11:00 in New York
	sms := mail("r:nudge", 50)
	sms.Channel, sms.To, sms.DueAt = event.ChannelSMS, "+15005550006", b.now // +1 spans zones
	var d *send.DeferError
	require.ErrorAs(t, b.sender.Handle(context.Background(), sms), &d)
	require.Equal(t, 8*time.Hour, d.RetryAfter(), "until 08:00 in Tokyo")
}

func TestDevOutboxCountsForSmartSending(t *testing.T) {
	t.Parallel()
	b := newSender(t)
	s, err := send.NewSender(send.Config{
		Profiles: b.mem, Ledger: b.ledger, Suppressions: b.sup, Recents: b.recents, Renderer: b.mem,
		Recorder: b.mem, Outcomes: b.mem, Providers: nil,
		Policy: func(string) send.Policy {
			return send.Policy{SmartSending: map[string]time.Duration{event.ChannelEmail: 16 * time.Hour}}
		},
		Now: func() time.Time { return now },
	})
	require.NoError(t, err)
	require.NoError(t, s.Handle(context.Background(), mail("r:reminder", 50)))
	require.NoError(t, s.Handle(context.Background(), mail("r:benefits", 50)))
	require.Equal(t, []string{"outbox ", "skipped smart_sending"}, b.mem.statuses())
}

// discountsFake records Ensure calls.
type discountsFake struct {
	calls  int
	madeUp bool
	err    error
}

func (d *discountsFake) Ensure(context.Context, string, *processor.Discount) (bool, error) {
	d.calls++
	return d.madeUp, d.err
}

func TestDiscountCodeExistsBeforeTheMessageGoes(t *testing.T) {
	t.Parallel()
	b := newSender(t)
	codes := &discountsFake{}
	s, err := send.NewSender(send.Config{
		Profiles: b.mem, Ledger: b.ledger, Suppressions: b.sup, Recents: b.recents, Renderer: b.mem,
		Recorder: b.mem, Outcomes: b.mem, Discounts: codes,
		Providers: map[string]send.Provider{event.ChannelEmail: b.email},
		Policy:    func(string) send.Policy { return send.Policy{Zone: time.UTC} },
		Now:       func() time.Time { return b.now },
	})
	require.NoError(t, err)
	ctx := context.Background()

	c := mail("r:discount", 50)
	c.Discount = &processor.Discount{Code: "COMEBACK-7KQ2XW9A", Percent: 10}
	codes.err = fmt.Errorf("%w: 429", send.ErrDiscountTemporary)
	require.ErrorIs(t, s.Handle(ctx, c), send.ErrDiscountTemporary, "retried later")
	require.Equal(t, 0, b.email.calls, "no message without its code")
	codes.err = nil
	require.NoError(t, s.Handle(ctx, c), "the retry claims the message again")
	require.Equal(t, 2, codes.calls)
	require.Equal(t, 1, b.email.calls)
	require.Equal(t, []string{"sent "}, b.mem.statuses())

	c2 := mail("r2:discount", 50)
	c2.Discount = &processor.Discount{Code: "COMEBACK-2", Percent: 10}
	codes.madeUp = true
	require.NoError(t, s.Handle(ctx, c2))
	require.Contains(t, b.mem.statuses()[1], "warning: discount code COMEBACK-2 is made up")

	c3 := mail("r3:discount", 50)
	c3.Discount = &processor.Discount{Code: "COMEBACK-3", Percent: 10}
	codes.madeUp, codes.err = false, errors.New("401 unauthorized")
	require.NoError(t, s.Handle(ctx, c3))
	require.Contains(t, b.mem.statuses()[2], "failed discount: 401 unauthorized")
	require.Equal(t, 2, b.email.calls, "a code that cannot be made sends nothing")
}

func TestDraftFlowsKeepTheirMessages(t *testing.T) {
	t.Parallel()
	b := newSender(t)
	codes := &discountsFake{}
	s, err := send.NewSender(send.Config{
		Profiles: b.mem, Ledger: b.ledger, Suppressions: b.sup, Recents: b.recents, Renderer: b.mem,
		Recorder: b.mem, Outcomes: b.mem, Discounts: codes,
		Providers: map[string]send.Provider{event.ChannelEmail: b.email},
		Policy: func(string) send.Policy {
			return send.Policy{
				Zone: time.UTC, Drafts: map[string]bool{"f": true},
				SmartSending: map[string]time.Duration{event.ChannelEmail: 16 * time.Hour},
			}
		},
		Now: func() time.Time { return b.now },
	})
	require.NoError(t, err)
	ctx := context.Background()
	c := mail("r:draft", 50)
	c.Discount = &processor.Discount{Code: "SAVE-1", Percent: 10}
	require.NoError(t, s.Handle(ctx, c))
	require.NoError(t, s.Handle(ctx, c), "a redelivery")
	require.Equal(t, 0, b.email.calls, "never sent")
	require.Equal(t, 0, codes.calls, "no real code for a draft")
	require.Equal(t, []string{"outbox " + send.ReasonDraft}, b.mem.statuses())
	require.Empty(t, b.mem.outcomes)
	other := mail("r2:other", 50)
	other.Flow = "live"
	require.NoError(t, s.Handle(ctx, other))
	require.Equal(t, 1, b.email.calls, "a draft opens no smart-sending window")
}
