package send_test

import (
	"context"
	"errors"
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

// shopAccounts routes each shop to its account, one bucket per account.
type shopAccounts map[string]*send.Account

func (a shopAccounts) Route(d *send.Delivery) (send.Route, error) {
	acct, ok := a[d.Cmd.Shop]
	if !ok {
		return send.Route{}, errors.New("no account: " + send.ErrPermanent.Error())
	}
	return send.Route{Account: acct, Limit: send.Limit{Rate: 1}, Cost: 1}, nil
}

// clock is a settable clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

type routerBundle struct {
	router *send.Router
	clock  *clock
	a, b   *fakeProvider
	accts  shopAccounts
}

func newRouter(t *testing.T) *routerBundle {
	t.Helper()
	rb := &routerBundle{clock: &clock{now: t0}, a: &fakeProvider{}, b: &fakeProvider{}}
	rb.accts = shopAccounts{
		"a": {Key: "acct-a", Provider: rb.a, Limiter: newLimiter(t, send.LimiterConfig{})},
		"b": {Key: "acct-b", Provider: rb.b, Limiter: newLimiter(t, send.LimiterConfig{})},
	}
	r, err := send.NewRouter(send.RouterConfig{Accounts: rb.accts, Now: rb.clock.Now})
	require.NoError(t, err)
	rb.router = r
	return rb
}

func delivery(shop, id string) *send.Delivery {
	c := mail(id, 50)
	c.Shop = shop
	return &send.Delivery{Cmd: c, Rendered: &send.Rendered{Subject: "s", Text: "t"}}
}

func TestRouterHandsBackWhatTheAccountCannotTakeNow(t *testing.T) {
	t.Parallel()
	rb := newRouter(t)
	ctx := context.Background()
	id, err := rb.router.Deliver(ctx, delivery("a", "a1"))
	require.NoError(t, err)
	require.Equal(t, "prov-a1", id)

	_, err = rb.router.Deliver(ctx, delivery("a", "a2"))
	var th *send.ThrottledError
	require.ErrorAs(t, err, &th)
	require.ErrorIs(t, err, send.ErrTemporary, "the sender releases its claim on a temporary failure")
	require.Equal(t, "acct-a", th.Account)
	require.Equal(t, time.Second, th.RetryAfter())
	require.Equal(t, 1, rb.a.calls, "the provider was not called for a2")

	_, err = rb.router.Deliver(ctx, delivery("b", "b1"))
	require.NoError(t, err, "shop b's account has its own bucket")

	rb.clock.Set(t0.Add(time.Second))
	_, err = rb.router.Deliver(ctx, delivery("a", "a2"))
	require.NoError(t, err, "a2 goes at its slot")
	require.Equal(t, 2, rb.a.calls)
}

func TestRouterPausesAnAccountThatAnswered429(t *testing.T) {
	t.Parallel()
	rb := newRouter(t)
	ctx := context.Background()
	reset := t0.Add(time.Minute)
	cause := errors.New("sendgrid: status 429")
	rb.a.errs = []error{&send.RateLimitError{Until: reset, Err: cause}}

	_, err := rb.router.Deliver(ctx, delivery("a", "a1"))
	var th *send.ThrottledError
	require.ErrorAs(t, err, &th)
	require.Equal(t, time.Minute, th.RetryAfter(), "back at SendGrid's reset")
	require.ErrorIs(t, err, cause)
	require.ErrorIs(t, err, send.ErrTemporary)
	require.Equal(t, reset, rb.accts["a"].Limiter.PausedUntil())

	rb.clock.Set(t0.Add(10 * time.Second))
	_, err = rb.router.Deliver(ctx, delivery("a", "a2"))
	require.ErrorAs(t, err, &th)
	require.Equal(t, 50*time.Second, th.RetryAfter(), "paused: the account takes nothing before its reset")
	require.Equal(t, 1, rb.a.calls)
	_, err = rb.router.Deliver(ctx, delivery("b", "b1"))
	require.NoError(t, err, "another account is not paused")

	// a2 asked during the pause and holds the first place after it; a1,
	// handed back until the reset, follows at the rate.
	rb.clock.Set(reset)
	_, err = rb.router.Deliver(ctx, delivery("a", "a2"))
	require.NoError(t, err, "after the reset the account takes messages again")
	_, err = rb.router.Deliver(ctx, delivery("a", "a1"))
	require.ErrorAs(t, err, &th)
	require.Equal(t, time.Second, th.RetryAfter())
	rb.clock.Set(reset.Add(time.Second))
	_, err = rb.router.Deliver(ctx, delivery("a", "a1"))
	require.NoError(t, err)
	require.Equal(t, 3, rb.a.calls, "one 429, then each message once")
}

func TestRouterPassesOtherFailuresThrough(t *testing.T) {
	t.Parallel()
	rb := newRouter(t)
	rb.a.errs = []error{send.ErrAmbiguous}
	_, err := rb.router.Deliver(context.Background(), delivery("a", "a1"))
	require.ErrorIs(t, err, send.ErrAmbiguous)
	var th *send.ThrottledError
	require.NotErrorAs(t, err, &th)
	_, err = rb.router.Deliver(context.Background(), delivery("nobody", "n1"))
	require.Error(t, err)
	_, err = send.NewRouter(send.RouterConfig{})
	require.Error(t, err)
}

// TestThrottledSendKeepsNoClaim runs the Sender with a Router: a message
// its account cannot take now is handed back with its claim released and
// nothing recorded, and goes once, at its time.
func TestThrottledSendKeepsNoClaim(t *testing.T) {
	t.Parallel()
	env := redistest.Start(t)
	keys := redis.Keys{Prefix: env.Prefix}
	rb := newRouter(t)
	mem := &memory{profiles: map[string]*processor.Profile{"e:ann@example.com": profile(event.ConsentSubscribed, "")}}
	ledger := redis.NewLedger(env.Client, keys, time.Hour)
	s, err := send.NewSender(send.Config{
		Profiles: mem, Ledger: ledger, Suppressions: redis.NewSuppressions(env.Client, keys),
		Recents: redis.NewRecentSends(env.Client, keys), Renderer: mem, Recorder: mem, Outcomes: mem,
		Providers: map[string]send.Provider{event.ChannelEmail: rb.router},
		Policy:    func(string) send.Policy { return send.Policy{Zone: time.UTC} },
		Now:       func() time.Time { return now },
	})
	require.NoError(t, err)
	ctx := context.Background()
	first, second := mail("r1:reminder", 50), mail("r2:reminder", 50)
	first.Shop, second.Shop = "a", "a"
	require.NoError(t, s.Handle(ctx, first))

	err = s.Handle(ctx, second)
	var th *send.ThrottledError
	require.ErrorAs(t, err, &th, "the worker sees RetryAfter and naks with that delay")
	require.Equal(t, time.Second, th.RetryAfter())
	st, err := ledger.Get(ctx, second.ID)
	require.NoError(t, err)
	require.Empty(t, st, "the claim is released: a handed-back message is not claimed and lost")
	require.Equal(t, []string{"sent "}, mem.statuses(), "nothing recorded for the handed-back message")

	rb.clock.Set(t0.Add(time.Second))
	require.NoError(t, s.Handle(ctx, second))
	require.NoError(t, s.Handle(ctx, second), "a redelivery after the send")
	require.Equal(t, 2, rb.a.calls, "each message went once")
	st, err = ledger.Get(ctx, second.ID)
	require.NoError(t, err)
	require.Equal(t, "sent:prov-r2:reminder", st)
}
