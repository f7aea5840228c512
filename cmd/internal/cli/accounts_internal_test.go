package cli

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/boomerang-dev/boomerang/adapters/jetstream"
	"github.com/boomerang-dev/boomerang/adapters/jetstream/jetstreamtest"
	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/adapters/redis/redistest"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/adapters/web"
	"github.com/boomerang-dev/boomerang/flows/event"
	"github.com/boomerang-dev/boomerang/flows/template"
	"github.com/boomerang-dev/boomerang/processor"
	"github.com/boomerang-dev/boomerang/processor/send"
)

// Credentials of the test accounts: Twilio SIDs are AC and 32 hex digits.
var (
	alphaSID    = "AC" + strings.Repeat("a1", 16)
	betaSID     = "AC" + strings.Repeat("b2", 16)
	globalSID   = "AC" + strings.Repeat("c3", 16)
	alphaMG     = "MG" + strings.Repeat("d4", 16)
	accountsEnv = map[string]string{
		"ALPHA_SG": "SG.alpha-key", "ALPHA_SID": alphaSID, "ALPHA_TOKEN": "alphatoken1",
		"BETA_SG": "SG.beta-key", "BETA_SID": betaSID, "BETA_TOKEN": "betatoken2",
	}
	secrets = []string{"SG.alpha-key", "SG.beta-key", "SG.global-key", "alphatoken1", "betatoken2", "globaltoken3"}
)

// accountsShops: alpha and beta have their own SendGrid keys and Twilio
// subaccounts (alpha through a Messaging Service), gamma has none and uses
// the role's.
const accountsShops = `shops:
  - id: alpha
    platform: shopify
    domain: alpha.myshopify.com
    email:
      from: "Alpha <hi@alpha.example>"
      sendgrid_api_key: ${ALPHA_SG}
      sending_domain: alpha.example
    sms:
      twilio_account_sid: ${ALPHA_SID}
      twilio_auth_token: ${ALPHA_TOKEN}
      messaging_service_sid: MGd4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4
  - id: beta
    platform: shopify
    domain: beta.myshopify.com
    email:
      from: "Beta <hi@beta.example>"
      sendgrid_api_key: ${BETA_SG}
    sms:
      from: "+15005550006"
      twilio_account_sid: ${BETA_SID}
      twilio_auth_token: ${BETA_TOKEN}
  - id: gamma
    platform: shopify
    domain: gamma.myshopify.com
    email: {from: "Gamma <hi@gamma.example>"}
    sms: {from: "+15005550009"}
`

// testClock is a settable clock for the rate limiters.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// sendRole is the send role's OUTBOX worker on an embedded JetStream and
// a real Redis, with SendGrid and Twilio pointed at fakes.
type sendRole struct {
	js     *jetstreamtest.Server
	ledger *redis.Ledger
	sg, tw *providerFake
	clock  *testClock
	now    time.Time
	logs   *observer.ObservedLogs
}

func startSendRole(t *testing.T, workers int, sgScripts map[string][]answer, twScripts map[string][]answer) *sendRole {
	t.Helper()
	r := &sendRole{
		js: jetstreamtest.Start(t), sg: newProviderFake(t), tw: newProviderFake(t),
		clock: &testClock{now: time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)},
		now:   time.Date(2026, 7, 1, 16, 0, 0, 0, time.UTC), // noon in New York: no quiet hours
	}
	r.sg.account("sg-alpha", "SG.alpha-key", "", sgScripts["sg-alpha"]...)
	r.sg.account("sg-beta", "SG.beta-key", "", sgScripts["sg-beta"]...)
	r.sg.account("sg-global", "SG.global-key", "", sgScripts["sg-global"]...)
	r.tw.account("tw-alpha", alphaSID, "alphatoken1", twScripts["tw-alpha"]...)
	r.tw.account("tw-beta", betaSID, "betatoken2", twScripts["tw-beta"]...)
	r.tw.account("tw-global", globalSID, "globaltoken3", twScripts["tw-global"]...)

	env := redistest.Start(t)
	keys := redis.Keys{Prefix: env.Prefix}
	r.ledger = redis.NewLedger(env.Client, keys, 0)
	shops, err := shop.Parse([]byte(accountsShops), func(k string) string { return accountsEnv[k] })
	require.NoError(t, err)
	signer, err := web.NewSigner("k")
	require.NoError(t, err)
	cfg := &Config{
		SendGridAPIKey: "SG.global-key", SendGridURL: r.sg.srv.URL,
		TwilioAccountSID: globalSID, TwilioAuthToken: "globaltoken3", TwilioURL: r.tw.srv.URL,
	}
	core, logs := observer.New(zapcore.DebugLevel)
	r.logs = logs
	w, _, err := buildSendWorker(cfg, r.js.Conn, env.Client, shops, signer, "secret",
		func() string { return "https://app.example" }, zap.New(core),
		sendWiring{keys: keys, workers: workers, now: func() time.Time { return r.now }, limitsNow: r.clock.Now})
	require.NoError(t, err)
	require.NoError(t, w.Start(context.Background()))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		w.Stop(ctx)
	})
	return r
}

// publish puts a transactional send command on OUTBOX.
func (r *sendRole) publish(t *testing.T, shopID, channel, id string) {
	t.Helper()
	name, to := "order-confirmation", "ann@example.com"
	if channel == event.ChannelSMS {
		name, to = "abandoned-checkout-sms", "+447700900000"
	}
	ev, err := json.Marshal(template.Sample(name).Event)
	require.NoError(t, err)
	c := &processor.SendCommand{
		ID: id, Shop: shopID, Flow: "f", Run: strings.Split(id, ":")[0], Step: "s", Customer: "e:ann@example.com",
		Channel: channel, Template: name, Category: "transactional", To: to, DueAt: r.now, CreatedAt: r.now, Event: ev,
	}
	b, err := json.Marshal(c)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = jetstream.NewPublisher(r.js.Conn.JS).Publish(ctx, c.Subject(), c.ID, b)
	require.NoError(t, err)
}

// settled waits until the sender's consumer holds nothing unacknowledged:
// no redelivery of anything can come later.
func (r *sendRole) settled(t *testing.T) {
	t.Helper()
	require.Eventually(t, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		c, err := r.js.Conn.JS.Consumer(ctx, jetstream.StreamOutbox, senderDurable)
		if err != nil {
			return false
		}
		info, err := c.Info(ctx)
		return err == nil && info.NumAckPending == 0 && info.NumPending == 0
	}, time.Minute, 20*time.Millisecond)
}

func (r *sendRole) state(t *testing.T, id string) string {
	t.Helper()
	st, err := r.ledger.Get(context.Background(), id)
	require.NoError(t, err)
	return st
}

// noSecretsLogged fails when any log entry carries a credential.
func (r *sendRole) noSecretsLogged(t *testing.T) {
	t.Helper()
	for _, e := range r.logs.All() {
		line := e.Message
		for k, v := range e.ContextMap() {
			line += " " + k + "=" + stringOf(v)
		}
		for _, s := range secrets {
			require.NotContains(t, line, s, "a credential in the logs")
		}
	}
}

func stringOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

func TestEachShopSendsThroughItsOwnAccount(t *testing.T) {
	t.Parallel()
	r := startSendRole(t, 4, nil, nil)
	for _, s := range []string{"alpha", "beta", "gamma"} {
		r.publish(t, s, event.ChannelEmail, s+"1:confirmation")
		r.publish(t, s, event.ChannelSMS, s+"2:nudge")
	}
	r.sg.waitFor("three emails", func(h []hit) bool { return len(h) == 3 })
	r.tw.waitFor("three SMS", func(h []hit) bool { return len(h) == 3 })
	r.settled(t)

	for acct, msg := range map[string]string{"sg-alpha": "alpha1:confirmation", "sg-beta": "beta1:confirmation", "sg-global": "gamma1:confirmation"} {
		hits := r.sg.of(acct)
		require.Len(t, hits, 1, acct)
		require.Equal(t, msg, hits[0].Message, "each shop's email reaches its own account")
		require.Equal(t, http.StatusAccepted, hits[0].Status)
	}
	require.Equal(t, "hi@alpha.example", r.sg.of("sg-alpha")[0].Mail["from"].(map[string]any)["email"])

	for acct, msg := range map[string]string{"tw-alpha": "alpha2:nudge", "tw-beta": "beta2:nudge", "tw-global": "gamma2:nudge"} {
		hits := r.tw.of(acct)
		require.Len(t, hits, 1, acct)
		require.Equal(t, msg, hits[0].Message, "each shop's SMS reaches its own account")
	}
	alpha := r.tw.of("tw-alpha")[0].Form
	require.Equal(t, alphaMG, alpha["MessagingServiceSid"], "alpha sends through its Messaging Service")
	require.NotContains(t, alpha, "From")
	require.Equal(t, "+15005550006", r.tw.of("tw-beta")[0].Form["From"])
	require.Equal(t, "+15005550009", r.tw.of("tw-global")[0].Form["From"], "a shop without an account uses the role's")
	require.True(t, strings.HasPrefix(alpha["StatusCallback"], "https://app.example/webhooks/twilio/alpha?"),
		"a subaccount's callbacks go to its shop's path, which its token verifies")
	require.True(t, strings.HasPrefix(r.tw.of("tw-global")[0].Form["StatusCallback"], "https://app.example/webhooks/twilio?"),
		"the role's account keeps the role's path")

	require.Equal(t, "sent:sg-beta1:confirmation", r.state(t, "beta1:confirmation"))
	require.Equal(t, "sent:SMgamma2nudge", r.state(t, "gamma2:nudge"))
	r.noSecretsLogged(t)
}

// TestA429PausesOnlyItsAccount: alpha's SendGrid account answers 429 with
// Retry-After; beta's message, published after, is delivered while alpha is
// paused — one worker, so a worker waiting out alpha's pause would hold
// beta's message until the reset, which never comes before the test moves
// the limiters' clock. After the reset alpha's message goes, once.
func TestA429PausesOnlyItsAccount(t *testing.T) {
	t.Parallel()
	r := startSendRole(t, 1, map[string][]answer{
		"sg-alpha": {{status: http.StatusTooManyRequests, header: map[string]string{"Retry-After": "1"}}},
	}, nil)

	// While the one worker is busy with beta's message, alpha's is not in
	// hand: its ledger entry must be free, not claimed and left behind.
	alphaWhileBeta := make(chan string, 1)
	r.sg.mu.Lock()
	r.sg.during = func(h hit) {
		if h.Account == "sg-beta" {
			st, err := r.ledger.Get(context.Background(), "a1:confirmation")
			if err != nil {
				st = err.Error()
			}
			alphaWhileBeta <- st
		}
	}
	r.sg.mu.Unlock()

	r.publish(t, "alpha", event.ChannelEmail, "a1:confirmation")
	r.sg.waitFor("alpha's 429", func(h []hit) bool { return has(h, "sg-alpha", http.StatusTooManyRequests, "a1:confirmation") })

	r.publish(t, "beta", event.ChannelEmail, "b1:confirmation")
	r.sg.waitFor("beta's delivery", func(h []hit) bool { return has(h, "sg-beta", http.StatusAccepted, "b1:confirmation") })
	require.Empty(t, <-alphaWhileBeta, "the paused message holds no claim")
	require.Equal(t, []string{"sg-alpha 429 a1:confirmation", "sg-beta 202 b1:confirmation"}, hitStrings(r.sg.all()),
		"beta went while alpha was paused, and alpha was not called again")

	r.clock.Advance(2 * time.Second) // past alpha's reset
	r.sg.waitFor("alpha's delivery after the reset", func(h []hit) bool {
		return has(h, "sg-alpha", http.StatusAccepted, "a1:confirmation")
	})
	r.settled(t)
	require.Equal(t, []string{"sg-alpha 429 a1:confirmation", "sg-beta 202 b1:confirmation", "sg-alpha 202 a1:confirmation"},
		hitStrings(r.sg.all()), "alpha's message went once, after the reset")
	require.Equal(t, "sent:sg-a1:confirmation", r.state(t, "a1:confirmation"))
	require.Equal(t, "sent:sg-b1:confirmation", r.state(t, "b1:confirmation"))
	r.noSecretsLogged(t)
}

func hitStrings(hits []hit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.String()
	}
	return out
}

// TestTwilio20429PausesOnlyItsAccount drives the Router and the account
// book directly: alpha's subaccount answers 20429 with Retry-After, beta's
// goes on, and alpha takes nothing until the reset.
func TestTwilio20429PausesOnlyItsAccount(t *testing.T) {
	t.Parallel()
	tw := newProviderFake(t)
	tw.account("tw-alpha", alphaSID, "alphatoken1", answer{status: http.StatusTooManyRequests, header: map[string]string{"Retry-After": "3"}})
	tw.account("tw-beta", betaSID, "betatoken2")
	shops, err := shop.Parse([]byte(accountsShops), func(k string) string { return accountsEnv[k] })
	require.NoError(t, err)
	clock := &testClock{now: time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)}
	book, err := newAccountBook(accountBookConfig{
		Shops: shops, TwilioURL: tw.srv.URL, StatusCallback: "https://app.example/webhooks/twilio", Now: clock.Now,
	})
	require.NoError(t, err)
	router, err := send.NewRouter(send.RouterConfig{Accounts: book, Now: clock.Now})
	require.NoError(t, err)
	sms := func(shopID, id string) *send.Delivery {
		return &send.Delivery{
			Cmd:      &processor.SendCommand{ID: id, Shop: shopID, Channel: event.ChannelSMS, To: "+447700900000"},
			Rendered: &send.Rendered{Body: "Your cart is saved."},
		}
	}
	ctx := context.Background()

	_, err = router.Deliver(ctx, sms("alpha", "a1"))
	th, ok := errors.AsType[*send.ThrottledError](err)
	require.True(t, ok, "%v", err)
	require.Equal(t, 3*time.Second, th.RetryAfter(), "Twilio's Retry-After")
	require.ErrorIs(t, err, send.ErrTemporary)

	_, err = router.Deliver(ctx, sms("beta", "b1"))
	require.NoError(t, err, "beta's subaccount is not paused")
	_, err = router.Deliver(ctx, sms("alpha", "a2"))
	th, ok = errors.AsType[*send.ThrottledError](err)
	require.True(t, ok)
	require.Equal(t, 3*time.Second, th.RetryAfter())
	require.Equal(t, []string{"tw-alpha 429 a1", "tw-beta 201 b1"}, hitStrings(tw.all()), "alpha was not called while paused")

	clock.Advance(3 * time.Second)
	_, err = router.Deliver(ctx, sms("alpha", "a2"))
	require.NoError(t, err)
	_, err = router.Deliver(ctx, sms("gamma", "g1"))
	require.ErrorIs(t, err, send.ErrPermanent, "gamma has no account and the role has none either")
}
