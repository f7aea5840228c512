package cli

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/boomerang-dev/boomerang/adapters/jetstream"
	"github.com/boomerang-dev/boomerang/adapters/jetstream/jetstreamtest"
	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/adapters/redis/redistest"
	"github.com/boomerang-dev/boomerang/adapters/sendgrid"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/adapters/twilio"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// hooksShops: alpha has its own SendGrid account with its webhook key and
// a Twilio subaccount sending through a Messaging Service; beta a
// subaccount sending from a number, and its own SendGrid key without a
// webhook key; gamma and delta use the role's accounts, delta through a
// Messaging Service.
const hooksShops = `shops:
  - id: alpha
    platform: shopify
    domain: alpha.myshopify.com
    email:
      from: "Alpha <hi@alpha.example>"
      sendgrid_api_key: ${ALPHA_SG}
      sendgrid_webhook_key: ${ALPHA_SG_HOOK}
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
      help_text: "Beta: help at beta.example. Reply STOP to opt out."
      twilio_account_sid: ${BETA_SID}
      twilio_auth_token: ${BETA_TOKEN}
  - id: gamma
    platform: shopify
    domain: gamma.myshopify.com
    email: {from: "Gamma <hi@gamma.example>"}
    sms: {from: "+15005550009"}
  - id: delta
    platform: shopify
    domain: delta.myshopify.com
    sms: {messaging_service_sid: MGe5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5}
`

const (
	hooksPublicURL = "https://app.example"
	hooksCustomer  = "+447700900123"
	globalToken    = "globaltoken3"
)

// ecKey is a P-256 key pair that signs Event Webhooks as SendGrid does.
type ecKey struct {
	priv   *ecdsa.PrivateKey
	public string // base64 DER, as SendGrid shows it
}

func newECKey(t *testing.T) *ecKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	require.NoError(t, err)
	return &ecKey{priv: k, public: base64.StdEncoding.EncodeToString(der)}
}

// sign is SendGrid's signature: ECDSA over SHA-256(timestamp || body),
// ASN.1 DER, base64.
func (k *ecKey) sign(t *testing.T, timestamp string, body []byte) string {
	t.Helper()
	h := sha256.Sum256(append([]byte(timestamp), body...))
	sig, err := ecdsa.SignASN1(rand.Reader, k.priv, h[:])
	require.NoError(t, err)
	return base64.StdEncoding.EncodeToString(sig)
}

// hooksRole is the send role's provider webhooks on a real server, over an
// embedded JetStream, with the feedback applied to a real Redis.
type hooksRole struct {
	js          *jetstreamtest.Server
	srv         *httptest.Server
	global      *ecKey // BOOMERANG_SENDGRID_WEBHOOK_KEY's pair
	alpha       *ecKey // alpha's own account's pair
	sup         *redis.Suppressions
	ledger      *redis.Ledger
	outbox      *redis.OutboxStore
	logs        *observer.ObservedLogs
	appliedUpTo uint64
}

// startHooks mounts the webhooks for shopsYAML. js is the JetStream server
// to publish to (nil: a new one); ledger, when given, is the send role's.
func startHooks(t *testing.T, shopsYAML string, env map[string]string, js *jetstreamtest.Server, ledger *redis.Ledger) *hooksRole {
	t.Helper()
	h := &hooksRole{js: js, global: newECKey(t), alpha: newECKey(t)}
	if h.js == nil {
		h.js = jetstreamtest.Start(t)
	}
	getenv := func(k string) string {
		if k == "ALPHA_SG_HOOK" {
			return h.alpha.public
		}
		return env[k]
	}
	shops, err := shop.Parse([]byte(shopsYAML), getenv)
	require.NoError(t, err)
	rdb := redistest.Start(t)
	keys := redis.Keys{Prefix: rdb.Prefix}
	h.sup, h.outbox, h.ledger = redis.NewSuppressions(rdb.Client, keys), redis.NewOutboxStore(rdb.Client, keys), ledger
	if h.ledger == nil {
		h.ledger = redis.NewLedger(rdb.Client, keys, 0)
	}
	core, logs := observer.New(zapcore.DebugLevel)
	h.logs = logs
	mux := http.NewServeMux()
	cfg := &Config{SendGridWebhookKey: h.global.public, TwilioAuthToken: globalToken}
	require.NoError(t, mountProviderWebhooks(mux, cfg, shops, jetstream.NewPublisher(h.js.Conn.JS), hooksPublicURL,
		prometheus.NewRegistry(), zap.New(core)))
	h.srv = httptest.NewServer(mux)
	t.Cleanup(h.srv.Close)
	return h
}

// twilio posts form to target (a path with its query, or the full public
// URL Twilio was given) signed with token over the public URL, as Twilio
// does behind a proxy, and returns the status and the body.
func (h *hooksRole) twilio(t *testing.T, token, target string, form url.Values) (int, string) {
	t.Helper()
	target = strings.TrimPrefix(target, hooksPublicURL)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, h.srv.URL+target, strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set(twilio.HeaderSignature, twilio.Sign(token, hooksPublicURL+target, form))
	return do(t, h.srv.Client(), req)
}

// sendgrid posts body to path signed by k.
func (h *hooksRole) sendgrid(t *testing.T, k *ecKey, path string, body []byte) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, h.srv.URL+path, bytes.NewReader(body))
	require.NoError(t, err)
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req.Header.Set(sendgrid.HeaderTimestamp, ts)
	req.Header.Set(sendgrid.HeaderSignature, k.sign(t, ts, body))
	return do(t, h.srv.Client(), req)
}

func do(t *testing.T, c *http.Client, req *http.Request) (int, string) {
	t.Helper()
	res, err := c.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	var b bytes.Buffer
	_, err = b.ReadFrom(res.Body)
	require.NoError(t, err)
	return res.StatusCode, b.String()
}

// events returns the events stored on EVENTS so far.
func (h *hooksRole) events(t *testing.T) []*event.Event {
	t.Helper()
	var out []*event.Event
	for _, m := range h.js.Messages(t, jetstream.StreamEvents, "events.>") {
		var ev event.Event
		require.NoError(t, json.Unmarshal(m.Data, &ev))
		out = append(out, &ev)
	}
	return out
}

// feedback runs the sender's feedback on every EVENTS message stored since
// the last call, in stream order, as the sender-feedback consumer does.
func (h *hooksRole) feedback(t *testing.T) {
	t.Helper()
	for _, m := range h.js.Messages(t, jetstream.StreamEvents, "events.>") {
		if m.Sequence <= h.appliedUpTo {
			continue
		}
		h.appliedUpTo = m.Sequence
		if !feedbackSubject(m.Subject) {
			continue
		}
		var ev event.Event
		require.NoError(t, json.Unmarshal(m.Data, &ev))
		require.NoError(t, applyFeedback(t.Context(), &ev, h.sup, h.ledger, h.outbox))
	}
}

func (h *hooksRole) suppressed(t *testing.T, shopID, channel, addr string) string {
	t.Helper()
	r, err := h.sup.Reason(t.Context(), shopID, channel, addr)
	require.NoError(t, err)
	return r
}

// noSecretsLogged fails when any log entry carries a token.
func (h *hooksRole) noSecretsLogged(t *testing.T, secrets ...string) {
	t.Helper()
	for _, e := range h.logs.All() {
		line := e.Message
		for k, v := range e.ContextMap() {
			line += " " + k + "=" + stringOf(v)
		}
		for _, s := range secrets {
			require.NotContains(t, line, s, "a credential in the logs")
		}
	}
}

func inbound(to, body string) url.Values {
	return url.Values{
		"MessageSid": {"SM" + strings.Repeat("1", 32)}, "AccountSid": {betaSID}, "From": {hooksCustomer}, "To": {to},
		"Body": {body}, "NumMedia": {"0"}, "NumSegments": {"1"}, "SmsStatus": {"received"}, "ApiVersion": {"2010-04-01"},
	}
}

// TestSubaccountStopOnItsPath: a STOP to beta's subaccount number, signed
// with the subaccount's token on beta's path, unsubscribes beta's customer
// and nobody else's; the same request signed with the role's token is
// refused there, and so is the subaccount's signature on the role's path.
func TestSubaccountStopOnItsPath(t *testing.T) {
	t.Parallel()
	h := startHooks(t, hooksShops, accountsEnv, nil, nil)
	path := twilio.ShopWebhookPath("beta")
	form := inbound("+15005550006", "STOP")

	code, _ := h.twilio(t, globalToken, path, form)
	require.Equal(t, http.StatusUnauthorized, code, "the role's token does not sign a subaccount's messages")
	code, _ = h.twilio(t, "betatoken2", twilio.WebhookPath, form)
	require.Equal(t, http.StatusUnauthorized, code, "a subaccount's token does not sign the role's path")
	require.Empty(t, h.events(t), "nothing refused is stored")

	code, body := h.twilio(t, "betatoken2", path, form)
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, "<Response/>", body)
	var types []string
	for _, ev := range h.events(t) {
		require.Equal(t, "beta", ev.Shop)
		types = append(types, string(ev.Type))
	}
	require.Equal(t, []string{"sms.inbound", "consent.updated"}, types)

	h.feedback(t)
	require.NotEmpty(t, h.suppressed(t, "beta", event.ChannelSMS, hooksCustomer), "beta's customer is unsubscribed")
	for _, other := range []string{"alpha", "gamma", "delta"} {
		require.Empty(t, h.suppressed(t, other, event.ChannelSMS, hooksCustomer), other)
	}

	// HELP on the same path gets beta's text.
	form = inbound("+15005550006", "help")
	form.Set("MessageSid", "SM"+strings.Repeat("2", 32))
	code, body = h.twilio(t, "betatoken2", path, form)
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, "<Response><Message>Beta: help at beta.example. Reply STOP to opt out.</Message></Response>", body)
	h.noSecretsLogged(t, "alphatoken1", "betatoken2", globalToken, "SG.alpha-key", "SG.beta-key")
}

// TestSubaccountStatusCallbackIsRecorded: alpha's SMS goes out through its
// subaccount with a status callback on alpha's path; Twilio's "sent"
// callback, signed with the subaccount's token, is accepted, stored, and
// settles the send's ledger entry (here made ambiguous, as after a timeout
// once the request had left); signed with the role's token it is refused.
func TestSubaccountStatusCallbackIsRecorded(t *testing.T) {
	t.Parallel()
	r := startSendRole(t, 2, nil, nil)
	h := startHooks(t, accountsShops, accountsEnv, r.js, r.ledger)
	r.publish(t, "alpha", event.ChannelSMS, "a7:nudge")
	r.publish(t, "gamma", event.ChannelSMS, "g7:nudge")
	r.tw.waitFor("both SMS", func(hs []hit) bool { return len(hs) == 2 })
	r.settled(t)

	cb := r.tw.of("tw-alpha")[0].Form["StatusCallback"]
	require.True(t, strings.HasPrefix(cb, hooksPublicURL+"/webhooks/twilio/alpha?"), cb)
	require.True(t, strings.HasPrefix(r.tw.of("tw-global")[0].Form["StatusCallback"], hooksPublicURL+"/webhooks/twilio?"))

	ctx := context.Background()
	require.Equal(t, "sent:SMa7nudge", r.state(t, "a7:nudge"))
	require.NoError(t, r.ledger.Set(ctx, "a7:nudge", redis.LedgerAmbiguous))
	require.Equal(t, redis.LedgerAmbiguous, r.state(t, "a7:nudge"))

	form := url.Values{
		"MessageSid": {"SMa7nudge"}, "SmsSid": {"SMa7nudge"}, "AccountSid": {alphaSID}, "MessageStatus": {"sent"},
		"SmsStatus": {"sent"}, "From": {"+15005550100"}, "To": {"+447700900000"}, "MessagingServiceSid": {alphaMG},
		"ApiVersion": {"2010-04-01"},
	}
	code, _ := h.twilio(t, globalToken, cb, form)
	require.Equal(t, http.StatusUnauthorized, code)
	code, _ = h.twilio(t, "alphatoken1", cb, form)
	require.Equal(t, http.StatusOK, code)

	var sent *event.Event
	for _, ev := range h.events(t) {
		if ev.Type == event.MessageSent && ev.Source.Topic == twilio.TopicStatus {
			sent = ev
		}
	}
	require.NotNil(t, sent, "the callback is stored")
	require.Equal(t, "alpha", sent.Shop)
	require.Equal(t, "a7:nudge", sent.Data.(*event.Message).MessageID)
	h.feedback(t)
	require.Equal(t, "sent:SMa7nudge", r.state(t, "a7:nudge"), "the provider's own event settles the send")
}

// TestShopSendGridEventsOnItsPath: alpha's own SendGrid account signs its
// Event Webhook with alpha's key: accepted on alpha's path (and its bounce
// suppresses the address for alpha), refused on the role's path; an event
// naming another shop on alpha's path is dropped.
func TestShopSendGridEventsOnItsPath(t *testing.T) {
	t.Parallel()
	h := startHooks(t, hooksShops, accountsEnv, nil, nil)
	body, err := json.Marshal([]map[string]any{
		{
			"email": "ann@example.com", "timestamp": 1772366400, "event": "bounce", "type": "bounce",
			"reason": "550 no such user", "sg_event_id": "ev-1", "sg_message_id": "m1.filter",
			"boomerang_shop": "alpha", "boomerang_message_id": "r1:reminder",
		},
		{
			"email": "bob@example.com", "timestamp": 1772366401, "event": "spamreport", "sg_event_id": "ev-2",
			"sg_message_id": "m2.filter", "boomerang_shop": "gamma", "boomerang_message_id": "r2:reminder",
		},
	})
	require.NoError(t, err)

	code, _ := h.sendgrid(t, h.alpha, sendgrid.WebhookPath, body)
	require.Equal(t, http.StatusUnauthorized, code, "alpha's key does not verify the role's path")
	code, _ = h.sendgrid(t, h.global, sendgrid.ShopWebhookPath("alpha"), body)
	require.Equal(t, http.StatusUnauthorized, code, "the role's key does not verify alpha's path")
	code, _ = h.sendgrid(t, h.alpha, sendgrid.ShopWebhookPath("beta"), body)
	require.Equal(t, http.StatusUnauthorized, code, "beta has its own account and no key: nothing verifies it")
	require.Empty(t, h.events(t))

	code, _ = h.sendgrid(t, h.alpha, sendgrid.ShopWebhookPath("alpha"), body)
	require.Equal(t, http.StatusOK, code)
	evs := h.events(t)
	require.Len(t, evs, 1, "gamma's event, signed by alpha's account, is dropped")
	require.Equal(t, "alpha", evs[0].Shop)
	require.Equal(t, event.MessageBounced, evs[0].Type)
	h.feedback(t)
	require.Equal(t, "hard bounce", h.suppressed(t, "alpha", event.ChannelEmail, "ann@example.com"))
	require.Empty(t, h.suppressed(t, "gamma", event.ChannelEmail, "bob@example.com"))

	// The role's key still serves the role's path and the shops on it.
	code, _ = h.sendgrid(t, h.global, sendgrid.ShopWebhookPath("gamma"), body)
	require.Equal(t, http.StatusOK, code)
	h.feedback(t)
	require.Equal(t, "spam report", h.suppressed(t, "gamma", event.ChannelEmail, "bob@example.com"))
}

// TestMessagingServiceInboundFindsItsShop: a STOP to a number of delta's
// Messaging Service that no shop lists as sms.from reaches the role's path
// with MessagingServiceSid, which names delta.
func TestMessagingServiceInboundFindsItsShop(t *testing.T) {
	t.Parallel()
	h := startHooks(t, hooksShops, accountsEnv, nil, nil)
	form := inbound("+15005550777", "STOP")
	form.Set("AccountSid", globalSID)
	form.Set("MessagingServiceSid", "MGe5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5")
	code, _ := h.twilio(t, globalToken, twilio.WebhookPath, form)
	require.Equal(t, http.StatusOK, code)
	h.feedback(t)
	require.NotEmpty(t, h.suppressed(t, "delta", event.ChannelSMS, hooksCustomer))

	// alpha's service, through alpha's path and token.
	form.Set("MessageSid", "SM"+strings.Repeat("3", 32))
	form.Set("MessagingServiceSid", alphaMG)
	code, _ = h.twilio(t, "alphatoken1", twilio.ShopWebhookPath("alpha"), form)
	require.Equal(t, http.StatusOK, code)
	h.feedback(t)
	require.NotEmpty(t, h.suppressed(t, "alpha", event.ChannelSMS, hooksCustomer))
	require.Empty(t, h.suppressed(t, "gamma", event.ChannelSMS, hooksCustomer))
}

// TestUnknownShopPathsLeakNothing: a path naming no shop answers 401 to
// anything the role's credentials did not sign, like any shop's path, and
// 404 only once they did.
func TestUnknownShopPathsLeakNothing(t *testing.T) {
	t.Parallel()
	h := startHooks(t, hooksShops, accountsEnv, nil, nil)
	form := inbound("+15005550006", "STOP")
	for _, tok := range []string{"forged", "betatoken2"} {
		code, body := h.twilio(t, tok, "/webhooks/twilio/nobody", form)
		require.Equal(t, http.StatusUnauthorized, code)
		require.Equal(t, "invalid signature\n", body)
	}
	code, _ := h.twilio(t, globalToken, "/webhooks/twilio/nobody", form)
	require.Equal(t, http.StatusNotFound, code)

	code, body := h.sendgrid(t, h.alpha, "/webhooks/sendgrid/nobody", []byte(`[]`))
	require.Equal(t, http.StatusUnauthorized, code)
	require.Equal(t, "invalid signature\n", body)
	code, _ = h.sendgrid(t, h.global, "/webhooks/sendgrid/nobody", []byte(`[]`))
	require.Equal(t, http.StatusNotFound, code)
	require.Empty(t, h.events(t))
}

func TestMountRefusesABadShopWebhookKey(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"ALPHA_SG": "SG.alpha-key", "ALPHA_SID": alphaSID, "ALPHA_TOKEN": "alphatoken1",
		"BETA_SG": "SG.beta-key", "BETA_SID": betaSID, "BETA_TOKEN": "betatoken2", "ALPHA_SG_HOOK": "bm90IGEga2V5",
	}
	shops, err := shop.Parse([]byte(hooksShops), func(k string) string { return env[k] })
	require.NoError(t, err)
	err = mountProviderWebhooks(http.NewServeMux(), &Config{}, shops, nil, hooksPublicURL, nil, zap.NewNop())
	require.ErrorContains(t, err, "shop alpha: email.sendgrid_webhook_key")
	require.ErrorIs(t, err, sendgrid.ErrSignature)

	env["ALPHA_SG_HOOK"] = newECKey(t).public
	shops, err = shop.Parse([]byte(hooksShops), func(k string) string { return env[k] })
	require.NoError(t, err)
	js := jetstreamtest.Start(t)
	core, logs := observer.New(zapcore.WarnLevel)
	require.NoError(t, mountProviderWebhooks(http.NewServeMux(), &Config{}, shops, jetstream.NewPublisher(js.Conn.JS),
		hooksPublicURL, nil, zap.New(core)))
	warned := logs.FilterMessageSnippet("no email.sendgrid_webhook_key").All()
	require.Len(t, warned, 1)
	require.Equal(t, []any{"beta"}, warned[0].ContextMap()["shops"])
}
