package twilio_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/twilio"
	"github.com/boomerang-dev/boomerang/flows/event"
)

const (
	publicURL  = "https://app.example"
	shopNumber = "+15005550006"
	customer   = "+14155550100"
	helpText   = `Demo Store: help at demo.example/help & <more>. Reply STOP to opt out.`
)

var receivedAt = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// published is one message the fake publisher stored.
type published struct {
	subject, msgID string
	event          event.Event
}

// fakePublisher records what it publishes, or fails with err.
type fakePublisher struct {
	mu   sync.Mutex
	msgs []published
	err  error
}

func (p *fakePublisher) Publish(_ context.Context, subject, msgID string, data []byte) (bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return false, p.err
	}
	var ev event.Event
	if err := json.Unmarshal(data, &ev); err != nil {
		return false, err
	}
	dup := false
	for _, m := range p.msgs {
		dup = dup || m.msgID == msgID
	}
	p.msgs = append(p.msgs, published{subject: subject, msgID: msgID, event: ev})
	return dup, nil
}

func (p *fakePublisher) all() []published {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]published(nil), p.msgs...)
}

// testShop is a shop of fakeShops with its sender: a number or a
// Messaging Service.
type testShop struct {
	twilio.Shop
	number, service string
}

// fakeShops finds shops as the shops file does: by number first, then by
// Messaging Service, and by id.
type fakeShops []testShop

func (s fakeShops) ShopBySender(number, service string) (twilio.Shop, bool) {
	for _, sh := range s {
		if sh.number != "" && sh.number == number {
			return sh.Shop, true
		}
	}
	for _, sh := range s {
		if service != "" && sh.service == service {
			return sh.Shop, true
		}
	}
	return twilio.Shop{}, false
}

func (s fakeShops) Shop(id string) (twilio.Shop, bool) {
	for _, sh := range s {
		if sh.ID == id {
			return sh.Shop, true
		}
	}
	return twilio.Shop{}, false
}

// Shops of the webhook tests: demo and quiet send from numbers on the
// role's account, mg through a Messaging Service, and sub has a subaccount
// of its own (token subToken).
const (
	quietNumber = "+15005550007"
	subNumber   = "+15005550008"
	serviceSID  = "MG0123456789abcdef0123456789abcdef"
	subToken    = "subaccounttoken7"
)

func testShops() fakeShops {
	return fakeShops{
		{Shop: twilio.Shop{ID: "demo", HelpText: helpText}, number: shopNumber},
		{Shop: twilio.Shop{ID: "quiet"}, number: quietNumber},
		{Shop: twilio.Shop{ID: "mg", HelpText: "MG help"}, service: serviceSID},
		{Shop: twilio.Shop{ID: "sub", HelpText: "Sub help", AuthToken: subToken}, number: subNumber},
	}
}

type webhookBundle struct {
	hook *twilio.Webhook
	pub  *fakePublisher
}

func setupWebhook(t *testing.T) *webhookBundle {
	t.Helper()
	b := &webhookBundle{pub: &fakePublisher{}}
	h, err := twilio.NewWebhook(twilio.WebhookConfig{
		AuthToken: testToken,
		PublicURL: publicURL + "/",
		Shops:     testShops(),
		Publisher: b.pub,
		Now:       func() time.Time { return receivedAt },
	})
	require.NoError(t, err)
	b.hook = h
	return b
}

// answer is the Webhook's response to one request.
type answer struct {
	code   int
	header http.Header
}

// post sends form to target (path and query) signed with the test token,
// or with signature when one is given ("" for none).
func (b *webhookBundle) post(t *testing.T, target string, form url.Values, signature ...string) (answer, string) {
	t.Helper()
	req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	sig := twilio.Sign(testToken, publicURL+target, form)
	if len(signature) > 0 {
		sig = signature[0]
	}
	if sig != "" {
		req.Header.Set(twilio.HeaderSignature, sig)
	}
	rec := httptest.NewRecorder()
	b.hook.ServeHTTP(rec, req)
	return answer{code: rec.Code, header: rec.Header()}, rec.Body.String()
}

func statusForm(status string) url.Values {
	return url.Values{
		"MessageSid": {"SM0001"}, "SmsSid": {"SM0001"}, "AccountSid": {testSID},
		"MessageStatus": {status}, "SmsStatus": {status},
		"From": {shopNumber}, "To": {customer}, "ApiVersion": {"2010-04-01"},
	}
}

const callbackPath = "/webhooks/twilio?flow=abandoned-checkout&mid=m-1&run=r-1&shop=demo&step=nudge"

func TestWebhookStatusCallbacks(t *testing.T) {
	t.Parallel()
	cases := []struct {
		status string
		typ    event.Type
	}{
		{"sent", event.MessageSent},
		{"delivered", event.MessageDelivered},
		{"undelivered", event.MessageFailed},
		{"failed", event.MessageFailed},
	}
	for _, tc := range cases {
		t.Run(tc.status, func(t *testing.T) {
			t.Parallel()
			b := setupWebhook(t)
			form := statusForm(tc.status)
			if tc.typ == event.MessageFailed {
				form.Set("ErrorCode", "30007")
			}
			res, body := b.post(t, callbackPath, form)
			require.Equal(t, http.StatusOK, res.code)
			require.Equal(t, "<Response/>", body)
			msgs := b.pub.all()
			require.Len(t, msgs, 1)
			ev := msgs[0].event
			require.NoError(t, ev.Validate())
			require.Equal(t, "events.demo."+string(tc.typ), msgs[0].subject)
			require.Equal(t, ev.ID, msgs[0].msgID)
			require.Equal(t, event.DeliveryID("twilio", "demo", "SM0001/"+tc.status, tc.typ), ev.ID)
			require.Equal(t, event.SemanticKey(tc.typ, "demo", "m-1", time.Time{}), ev.Key)
			require.Equal(t, tc.typ, ev.Type)
			require.Equal(t, event.PlatformBoomerang, ev.Platform)
			require.Equal(t, receivedAt, ev.ReceivedAt)
			require.Equal(t, receivedAt, ev.OccurredAt)
			require.Equal(t, &event.Customer{Phone: customer}, ev.Customer)
			require.Equal(t, event.Source{Topic: twilio.TopicStatus, DeliveryID: "SM0001/" + tc.status}, ev.Source)
			want := &event.Message{
				MessageID: "m-1", Channel: "sms", Flow: "abandoned-checkout", Run: "r-1", Step: "nudge",
				To: customer, Provider: "twilio", ProviderID: "SM0001",
			}
			if tc.typ == event.MessageFailed {
				want.Code, want.Reason = "30007", tc.status
			}
			require.Equal(t, want, ev.Data)
		})
	}
}

func TestWebhookStatusIgnored(t *testing.T) {
	t.Parallel()
	b := setupWebhook(t)
	for _, s := range []string{"queued", "accepted", "sending", "scheduled", "canceled", "read"} {
		res, body := b.post(t, callbackPath, statusForm(s))
		require.Equal(t, http.StatusOK, res.code, s)
		require.Equal(t, "<Response/>", body, s)
	}
	require.Empty(t, b.pub.all())
}

func TestWebhookStatusShopFromNumber(t *testing.T) {
	t.Parallel()
	b := setupWebhook(t)
	// No ids on the URL (a Messaging Service callback): the sending number
	// names the shop, and the provider sid keys the event.
	res, _ := b.post(t, "/webhooks/twilio", statusForm("delivered"))
	require.Equal(t, http.StatusOK, res.code)
	msgs := b.pub.all()
	require.Len(t, msgs, 1)
	require.Equal(t, "demo", msgs[0].event.Shop)
	require.Equal(t, event.SemanticKey(event.MessageDelivered, "demo", "twilio:SM0001", time.Time{}), msgs[0].event.Key)
	require.Empty(t, msgs[0].event.Data.(*event.Message).MessageID)

	// From a number no shop owns: answered and ignored.
	form := statusForm("delivered")
	form.Set("From", "+19999999999")
	res, _ = b.post(t, "/webhooks/twilio?shop=Not%20Valid", form)
	require.Equal(t, http.StatusOK, res.code)
	require.Len(t, b.pub.all(), 1)
}

func TestWebhookRedeliveryKeepsIDs(t *testing.T) {
	t.Parallel()
	b := setupWebhook(t)
	b.post(t, callbackPath, statusForm("delivered"))
	b.post(t, callbackPath, statusForm("delivered"))
	msgs := b.pub.all()
	require.Len(t, msgs, 2)
	require.Equal(t, msgs[0].msgID, msgs[1].msgID)
}

func inboundForm(body string) url.Values {
	return url.Values{
		"MessageSid": {"SM0002"}, "SmsSid": {"SM0002"}, "SmsMessageSid": {"SM0002"}, "AccountSid": {testSID},
		"From": {customer}, "To": {shopNumber}, "Body": {body}, "NumMedia": {"0"}, "NumSegments": {"1"},
		"SmsStatus": {"received"}, "FromCountry": {"US"}, "ApiVersion": {"2010-04-01"},
	}
}

func TestWebhookInboundKeywords(t *testing.T) {
	t.Parallel()
	cases := []struct {
		body    string
		keyword string
		consent string
	}{
		{"STOP", "STOP", event.ConsentUnsubscribed},
		{"  stop \n", "STOP", event.ConsentUnsubscribed},
		{"Unsubscribe", "STOP", event.ConsentUnsubscribed},
		{"optout", "STOP", event.ConsentUnsubscribed},
		{"StopAll", "STOP", event.ConsentUnsubscribed},
		{"start", "START", event.ConsentSubscribed},
		{"YES", "START", event.ConsentSubscribed},
		{"unstop", "START", event.ConsentSubscribed},
		{"help", "HELP", ""},
		{"Info", "HELP", ""},
		{"Where is my order?", "", ""},
		{"stop texting me", "", ""},
		{"", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.body, func(t *testing.T) {
			t.Parallel()
			b := setupWebhook(t)
			res, body := b.post(t, "/webhooks/twilio", inboundForm(tc.body))
			require.Equal(t, http.StatusOK, res.code)
			require.Equal(t, "text/xml; charset=utf-8", res.header.Get("Content-Type"))
			if tc.keyword == "HELP" {
				require.Equal(t, "<Response><Message>Demo Store: help at demo.example/help &amp; &lt;more&gt;. "+
					"Reply STOP to opt out.</Message></Response>", body)
			} else {
				require.Equal(t, "<Response/>", body)
			}
			msgs := b.pub.all()
			in := msgs[0].event
			require.NoError(t, in.Validate())
			require.Equal(t, "events.demo.sms.inbound", msgs[0].subject)
			require.Equal(t, event.DeliveryID("twilio", "demo", "SM0002", event.SMSInbound), in.ID)
			require.Equal(t, &event.InboundSMS{From: customer, To: shopNumber, Body: tc.body, Keyword: tc.keyword}, in.Data)
			require.Equal(t, &event.Customer{Phone: customer}, in.Customer)
			require.Equal(t, event.Source{Topic: twilio.TopicInbound, DeliveryID: "SM0002"}, in.Source)
			if tc.consent == "" {
				require.Len(t, msgs, 1)
				return
			}
			require.Len(t, msgs, 2)
			c := msgs[1].event
			require.NoError(t, c.Validate())
			require.Equal(t, "events.demo.consent.updated", msgs[1].subject)
			require.NotEqual(t, in.ID, c.ID)
			require.Equal(t, &event.Consent{
				Channel: "sms", Phone: customer, State: tc.consent, CollectedFrom: "sms_keyword", UpdatedAt: receivedAt,
			}, c.Data)
		})
	}
}

func TestWebhookInboundEdgeCases(t *testing.T) {
	t.Parallel()
	b := setupWebhook(t)
	// HELP to a shop without help text: an empty response.
	form := inboundForm("HELP")
	form.Set("To", quietNumber)
	res, body := b.post(t, "/webhooks/twilio", form)
	require.Equal(t, http.StatusOK, res.code)
	require.Equal(t, "<Response/>", body)
	require.Equal(t, "quiet", b.pub.all()[0].event.Shop)

	// To a number no shop owns: answered, nothing published.
	form = inboundForm("STOP")
	form.Set("To", "+19999999999")
	res, body = b.post(t, "/webhooks/twilio", form)
	require.Equal(t, http.StatusOK, res.code)
	require.Equal(t, "<Response/>", body)
	require.Len(t, b.pub.all(), 1)

	// Only SmsSid, and an explicit MessageStatus=receivedAt: still inbound.
	form = inboundForm("hi")
	form.Del("MessageSid")
	form.Set("MessageStatus", "received")
	res, _ = b.post(t, "/webhooks/twilio", form)
	require.Equal(t, http.StatusOK, res.code)
	require.Equal(t, event.SMSInbound, b.pub.all()[1].event.Type)
}

func TestWebhookAnswers(t *testing.T) {
	t.Parallel()
	t.Run("413 before the signature", func(t *testing.T) {
		t.Parallel()
		b := setupWebhook(t)
		form := inboundForm(strings.Repeat("x", twilio.DefaultMaxBodyBytes))
		res, _ := b.post(t, "/webhooks/twilio", form, "bogus")
		require.Equal(t, http.StatusRequestEntityTooLarge, res.code)
	})
	t.Run("401 bad, missing or misplaced signature", func(t *testing.T) {
		t.Parallel()
		b := setupWebhook(t)
		res, _ := b.post(t, "/webhooks/twilio", inboundForm("STOP"), "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
		require.Equal(t, http.StatusUnauthorized, res.code)
		res, _ = b.post(t, "/webhooks/twilio", inboundForm("STOP"), "")
		require.Equal(t, http.StatusUnauthorized, res.code)
		// Signed for another query string.
		sig := twilio.Sign(testToken, publicURL+"/webhooks/twilio?shop=demo", statusForm("delivered"))
		res, _ = b.post(t, "/webhooks/twilio?shop=other", statusForm("delivered"), sig)
		require.Equal(t, http.StatusUnauthorized, res.code)
		require.Empty(t, b.pub.all())
	})
	t.Run("401 before 400 for a malformed forged form", func(t *testing.T) {
		t.Parallel()
		b := setupWebhook(t)
		req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/webhooks/twilio", strings.NewReader("a=%zz&b"))
		req.Header.Set(twilio.HeaderSignature, "bogus")
		rec := httptest.NewRecorder()
		b.hook.ServeHTTP(rec, req)
		require.Equal(t, http.StatusUnauthorized, rec.Code)
	})
	t.Run("400 malformed but signed form", func(t *testing.T) {
		t.Parallel()
		b := setupWebhook(t)
		// ParseQuery keeps b=1 and drops the bad pair; Twilio's signature
		// covers what was parsed.
		req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/webhooks/twilio", strings.NewReader("a=%zz&b=1"))
		req.Header.Set(twilio.HeaderSignature, twilio.Sign(testToken, publicURL+"/webhooks/twilio", url.Values{"b": {"1"}}))
		rec := httptest.NewRecorder()
		b.hook.ServeHTTP(rec, req)
		require.Equal(t, http.StatusBadRequest, rec.Code)
	})
	t.Run("400 without sid or numbers", func(t *testing.T) {
		t.Parallel()
		b := setupWebhook(t)
		form := inboundForm("hi")
		form.Del("MessageSid")
		form.Del("SmsSid")
		res, _ := b.post(t, "/webhooks/twilio", form)
		require.Equal(t, http.StatusBadRequest, res.code)
		form = inboundForm("hi")
		form.Del("From")
		res, _ = b.post(t, "/webhooks/twilio", form)
		require.Equal(t, http.StatusBadRequest, res.code)
		require.Empty(t, b.pub.all())
	})
	t.Run("503 when publishing fails", func(t *testing.T) {
		t.Parallel()
		b := setupWebhook(t)
		b.pub.err = errors.New("no pub ack")
		res, _ := b.post(t, "/webhooks/twilio", inboundForm("STOP"))
		require.Equal(t, http.StatusServiceUnavailable, res.code)
		res, _ = b.post(t, callbackPath, statusForm("delivered"))
		require.Equal(t, http.StatusServiceUnavailable, res.code)
	})
	t.Run("405 for GET", func(t *testing.T) {
		t.Parallel()
		b := setupWebhook(t)
		req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/webhooks/twilio", nil)
		rec := httptest.NewRecorder()
		b.hook.ServeHTTP(rec, req)
		require.Equal(t, http.StatusMethodNotAllowed, rec.Code)
	})
}

func TestWebhookThroughServer(t *testing.T) {
	t.Parallel()
	// Over a real connection, with the client's own callback URL: the ids
	// the client puts on it come back in the event.
	b := setupWebhook(t)
	mux := http.NewServeMux()
	mux.Handle("POST "+twilio.WebhookPath, b.hook)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	c := setupClient(t, func(cfg *twilio.Config) { cfg.StatusCallback = publicURL + twilio.WebhookPath })
	_, err := c.client.Send(t.Context(), &twilio.SMS{
		MessageID: "m-9", Shop: "demo", Flow: "welcome", Run: "r-9", Step: "hello",
		From: shopNumber, To: customer, Body: "Welcome!",
	})
	require.NoError(t, err)
	cb, err := url.Parse(c.requests()[0].form.Get("StatusCallback"))
	require.NoError(t, err)

	form := statusForm("delivered")
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+cb.RequestURI(), strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set(twilio.HeaderSignature, twilio.Sign(testToken, cb.String(), form))
	res, err := srv.Client().Do(req)
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	require.Equal(t, http.StatusOK, res.StatusCode)
	msgs := b.pub.all()
	require.Len(t, msgs, 1)
	m := msgs[0].event.Data.(*event.Message)
	require.Equal(t, [4]string{"m-9", "welcome", "r-9", "hello"}, [4]string{m.MessageID, m.Flow, m.Run, m.Step})
}

func TestNewWebhookValidatesConfig(t *testing.T) {
	t.Parallel()
	ok := twilio.WebhookConfig{AuthToken: "t", PublicURL: publicURL, Shops: fakeShops{}, Publisher: &fakePublisher{}}
	_, err := twilio.NewWebhook(ok)
	require.NoError(t, err)
	for name, mutate := range map[string]func(*twilio.WebhookConfig){
		"no public url": func(c *twilio.WebhookConfig) { c.PublicURL = "" },
		"relative url":  func(c *twilio.WebhookConfig) { c.PublicURL = "app.example" },
		"query in url":  func(c *twilio.WebhookConfig) { c.PublicURL = publicURL + "?x=1" },
		"no shops":      func(c *twilio.WebhookConfig) { c.Shops = nil },
		"no publisher":  func(c *twilio.WebhookConfig) { c.Publisher = nil },
		"negative max":  func(c *twilio.WebhookConfig) { c.MaxBodyBytes = -1 },
	} {
		cfg := ok
		mutate(&cfg)
		_, err := twilio.NewWebhook(cfg)
		require.Error(t, err, name)
	}
}
