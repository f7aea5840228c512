package twilio_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/twilio"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// postAs sends form to target signed with token, as the account whose
// token it is would.
func (b *webhookBundle) postAs(t *testing.T, token, target string, form url.Values) (answer, string) {
	t.Helper()
	return b.post(t, target, form, twilio.Sign(token, publicURL+target, form))
}

func TestShopWebhookPath(t *testing.T) {
	t.Parallel()
	require.Equal(t, "/webhooks/twilio/demo", twilio.ShopWebhookPath("demo"))
	require.Equal(t, "/webhooks/twilio/a%2Fb", twilio.ShopWebhookPath("a/b"), "one path segment, whatever the id")
}

func TestWebhookShopPathVerifiesWithTheShopsToken(t *testing.T) {
	t.Parallel()
	b := setupWebhook(t)
	path := twilio.ShopWebhookPath("sub")

	// The subaccount's STOP, to a number of the subaccount that no shop
	// lists (a number added in Twilio later): the path names the shop.
	form := inboundForm("STOP")
	form.Set("AccountSid", "ACsub")
	form.Set("To", "+15005550099")
	res, _ := b.postAs(t, testToken, path, form)
	require.Equal(t, http.StatusUnauthorized, res.code, "the role's token does not sign a subaccount's requests")
	res, _ = b.postAs(t, subToken, twilio.WebhookPath, form)
	require.Equal(t, http.StatusUnauthorized, res.code, "nor does the subaccount's token sign the role's path")
	require.Empty(t, b.pub.all())

	res, _ = b.postAs(t, subToken, path, form)
	require.Equal(t, http.StatusOK, res.code)
	msgs := b.pub.all()
	require.Len(t, msgs, 2)
	require.Equal(t, "events.sub.sms.inbound", msgs[0].subject)
	require.Equal(t, "events.sub.consent.updated", msgs[1].subject)
	require.Equal(t, &event.Consent{
		Channel: "sms", Phone: customer, State: event.ConsentUnsubscribed, CollectedFrom: "sms_keyword", UpdatedAt: receivedAt,
	}, msgs[1].event.Data)

	// HELP on the path is answered with the path's shop's text, even when
	// the number is another shop's: the path decides.
	form = inboundForm("HELP")
	form.Set("To", shopNumber)
	res, body := b.postAs(t, subToken, path, form)
	require.Equal(t, http.StatusOK, res.code)
	require.Equal(t, "<Response><Message>Sub help</Message></Response>", body)
	require.Equal(t, "sub", b.pub.all()[2].event.Shop)
}

func TestWebhookShopPathWithoutOwnAccount(t *testing.T) {
	t.Parallel()
	b := setupWebhook(t)
	// demo uses the role's account: its path takes the role's token, and
	// what comes there is demo's even from a number another shop lists.
	path := twilio.ShopWebhookPath("demo")
	form := inboundForm("STOP")
	form.Set("To", quietNumber)
	res, _ := b.postAs(t, subToken, path, form)
	require.Equal(t, http.StatusUnauthorized, res.code, "another account's token")
	res, _ = b.postAs(t, testToken, path, form)
	require.Equal(t, http.StatusOK, res.code)
	msgs := b.pub.all()
	require.Len(t, msgs, 2)
	require.Equal(t, "demo", msgs[0].event.Shop)
}

func TestWebhookUnknownShopPath(t *testing.T) {
	t.Parallel()
	b := setupWebhook(t)
	for _, path := range []string{"/webhooks/twilio/nobody", "/webhooks/twilio/", "/webhooks/twilio/Not%20Valid", "/webhooks/twilio/a/b"} {
		// Forged, or signed by a shop's account: 401, exactly as for a
		// known shop, so nobody learns which shops exist.
		res, body := b.postAs(t, "forged", path, inboundForm("STOP"))
		require.Equal(t, http.StatusUnauthorized, res.code, path)
		require.Equal(t, "invalid signature\n", body)
		res, _ = b.postAs(t, subToken, path, inboundForm("STOP"))
		require.Equal(t, http.StatusUnauthorized, res.code, path)
		// Signed by the role's account: 404 (a number pointed at a shop
		// that was removed).
		res, body = b.postAs(t, testToken, path, inboundForm("STOP"))
		require.Equal(t, http.StatusNotFound, res.code, path)
		require.Equal(t, "unknown shop\n", body)
	}
	require.Empty(t, b.pub.all())
}

func TestWebhookShopPathStatusCallbacks(t *testing.T) {
	t.Parallel()
	b := setupWebhook(t)
	base := twilio.ShopWebhookPath("sub")
	form := statusForm("delivered")
	form.Set("From", subNumber)

	res, _ := b.postAs(t, subToken, base+"?mid=m-7&run=r-7&shop=sub&step=nudge", form)
	require.Equal(t, http.StatusOK, res.code)
	msgs := b.pub.all()
	require.Len(t, msgs, 1)
	require.Equal(t, "events.sub.message.delivered", msgs[0].subject)
	require.Equal(t, event.SemanticKey(event.MessageDelivered, "sub", "m-7", time.Time{}), msgs[0].event.Key)

	// A subaccount's token cannot speak for another shop's messages.
	res, _ = b.postAs(t, subToken, base+"?mid=m-8&shop=demo", form)
	require.Equal(t, http.StatusOK, res.code)
	require.Len(t, b.pub.all(), 1, "ignored")

	// Without ids (a Messaging Service's own callback): the path's shop.
	form.Set("From", "+19999999999")
	res, _ = b.postAs(t, subToken, base, form)
	require.Equal(t, http.StatusOK, res.code)
	msgs = b.pub.all()
	require.Len(t, msgs, 2)
	require.Equal(t, "sub", msgs[1].event.Shop)
	require.Equal(t, event.SemanticKey(event.MessageDelivered, "sub", "twilio:SM0001", time.Time{}), msgs[1].event.Key)
}

func TestWebhookMessagingServiceInbound(t *testing.T) {
	t.Parallel()
	b := setupWebhook(t)
	// A number of mg's Messaging Service that no shop lists: Twilio adds
	// MessagingServiceSid, and that names the shop.
	form := inboundForm("HELP")
	form.Set("To", "+15005550123")
	form.Set("MessagingServiceSid", serviceSID)
	res, body := b.post(t, twilio.WebhookPath, form)
	require.Equal(t, http.StatusOK, res.code)
	require.Equal(t, "<Response><Message>MG help</Message></Response>", body)
	require.Equal(t, "mg", b.pub.all()[0].event.Shop)

	// A listed number wins over the service.
	form.Set("To", quietNumber)
	res, _ = b.post(t, twilio.WebhookPath, form)
	require.Equal(t, http.StatusOK, res.code)
	require.Equal(t, "quiet", b.pub.all()[1].event.Shop)

	// Another service, another number: nobody's.
	form.Set("To", "+15005550123")
	form.Set("MessagingServiceSid", "MG"+strings.Repeat("0", 32))
	res, _ = b.post(t, twilio.WebhookPath, form)
	require.Equal(t, http.StatusOK, res.code)
	require.Len(t, b.pub.all(), 2)

	// A status callback without ids, from a pool number: the service too.
	status := statusForm("delivered")
	status.Set("From", "+15005550123")
	status.Set("MessagingServiceSid", serviceSID)
	res, _ = b.post(t, twilio.WebhookPath, status)
	require.Equal(t, http.StatusOK, res.code)
	require.Equal(t, "events.mg.message.delivered", b.pub.all()[2].subject)
}

func TestWebhookWithoutRoleToken(t *testing.T) {
	t.Parallel()
	// No TWILIO_AUTH_TOKEN, but a shop with its own subaccount: its path
	// works, the rest is refused.
	pub := &fakePublisher{}
	h, err := twilio.NewWebhook(twilio.WebhookConfig{PublicURL: publicURL, Shops: testShops(), Publisher: pub})
	require.NoError(t, err)
	do := func(token, target string) int {
		form := inboundForm("STOP")
		req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, target, strings.NewReader(form.Encode()))
		req.Header.Set(twilio.HeaderSignature, twilio.Sign(token, publicURL+target, form))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	require.Equal(t, http.StatusUnauthorized, do("", twilio.WebhookPath))
	require.Equal(t, http.StatusUnauthorized, do("", twilio.ShopWebhookPath("demo")))
	require.Equal(t, http.StatusUnauthorized, do("", twilio.ShopWebhookPath("nobody")))
	require.Equal(t, http.StatusOK, do(subToken, twilio.ShopWebhookPath("sub")))
	require.Len(t, pub.all(), 2)
}

func TestClientPutsCallbacksOnTheShopsPath(t *testing.T) {
	t.Parallel()
	// The client adds the ids to the SMS's own base; the Webhook verifies
	// the callback Twilio then posts there with the subaccount's token.
	b := setupWebhook(t)
	mux := http.NewServeMux()
	mux.Handle("POST "+twilio.WebhookPath, b.hook)
	mux.Handle("POST "+twilio.WebhookPath+"/{shop}", b.hook)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	c := setupClient(t, func(cfg *twilio.Config) { cfg.StatusCallback = publicURL + twilio.WebhookPath })
	_, err := c.client.Send(t.Context(), &twilio.SMS{
		MessageID: "m-3", Shop: "sub", Flow: "welcome", Run: "r-3", Step: "hello",
		From: subNumber, To: customer, Body: "Welcome!", StatusCallbackBase: publicURL + twilio.ShopWebhookPath("sub"),
	})
	require.NoError(t, err)
	cb, err := url.Parse(c.requests()[0].form.Get("StatusCallback"))
	require.NoError(t, err)
	require.Equal(t, "/webhooks/twilio/sub", cb.Path)
	require.Equal(t, "m-3", cb.Query().Get("mid"))

	post := func(token string) int {
		form := statusForm("sent")
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+cb.RequestURI(), strings.NewReader(form.Encode()))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set(twilio.HeaderSignature, twilio.Sign(token, cb.String(), form))
		res, err := srv.Client().Do(req)
		require.NoError(t, err)
		require.NoError(t, res.Body.Close())
		return res.StatusCode
	}
	require.Equal(t, http.StatusUnauthorized, post(testToken))
	require.Equal(t, http.StatusOK, post(subToken))
	msgs := b.pub.all()
	require.Len(t, msgs, 1)
	require.Equal(t, "events.sub.message.sent", msgs[0].subject)
	require.Equal(t, "m-3", msgs[0].event.Data.(*event.Message).MessageID)
}
