package cli

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/flows/event"
	"github.com/boomerang-dev/boomerang/processor"
	"github.com/boomerang-dev/boomerang/processor/send"
)

func route(t *testing.T, b *accountBook, shopID, channel, body string) (send.Route, error) {
	t.Helper()
	return b.Route(&send.Delivery{
		Cmd:      &processor.SendCommand{ID: "m", Shop: shopID, Channel: channel},
		Rendered: &send.Rendered{Body: body},
	})
}

func TestAccountBookBuildsEachAccountOnce(t *testing.T) {
	t.Parallel()
	shops, err := shop.Parse([]byte(accountsShops+`  - id: delta
    platform: shopify
    domain: delta.myshopify.com
    email:
      from: "Delta <hi@delta.example>"
      sendgrid_api_key: ${ALPHA_SG}
      sendgrid_rate: 5
    sms:
      from: "+15005550006"
      throughput: 3
`), func(k string) string { return accountsEnv[k] })
	require.NoError(t, err)
	b, err := newAccountBook(accountBookConfig{
		Shops: shops, SendGridAPIKey: "SG.global-key", SendGridURL: "http://127.0.0.1:1",
		TwilioAccountSID: globalSID, TwilioAuthToken: "globaltoken3", TwilioURL: "http://127.0.0.1:1",
	})
	require.NoError(t, err)

	alpha, err := route(t, b, "alpha", event.ChannelEmail, "")
	require.NoError(t, err)
	again, err := route(t, b, "alpha", event.ChannelEmail, "")
	require.NoError(t, err)
	require.Same(t, alpha.Account, again.Account, "built once, then cached")
	delta, err := route(t, b, "delta", event.ChannelEmail, "")
	require.NoError(t, err)
	require.Same(t, alpha.Account, delta.Account, "two shops with one key share its account and bucket")
	require.Equal(t, send.Limit{Rate: 5}, delta.Limit, "the shop's own rate for its own key")
	require.Equal(t, send.Limit{Rate: defaultSendGridRate}, alpha.Limit)
	beta, err := route(t, b, "beta", event.ChannelEmail, "")
	require.NoError(t, err)
	gamma, err := route(t, b, "gamma", event.ChannelEmail, "")
	require.NoError(t, err)
	require.NotSame(t, alpha.Account, beta.Account)
	require.NotSame(t, beta.Account, gamma.Account)

	keyRe := regexp.MustCompile(`^(sendgrid|twilio)-[0-9a-f]{12}$`)
	for _, r := range []send.Route{alpha, beta, gamma} {
		require.Regexp(t, keyRe, r.Account.Key, "accounts are named by a hash")
		for _, s := range secrets {
			require.NotContains(t, r.Account.Key, s)
		}
	}
	for id := range b.accounts {
		for _, s := range secrets {
			require.NotContains(t, id, s, "the cache is keyed by a hash, not by the key")
		}
	}

	sms, err := route(t, b, "alpha", event.ChannelSMS, strings.Repeat("a", 161))
	require.NoError(t, err)
	require.Equal(t, alphaMG, sms.Sender, "the Messaging Service is alpha's throughput bucket")
	require.Equal(t, send.Limit{Rate: defaultSMSThroughput}, sms.Limit)
	require.InDelta(t, 2, sms.Cost, 0, "161 GSM-7 characters are two segments")
	dsms, err := route(t, b, "delta", event.ChannelSMS, "hi")
	require.NoError(t, err)
	require.Equal(t, "+15005550006", dsms.Sender)
	require.Equal(t, send.Limit{Rate: 3}, dsms.Limit)
	require.InDelta(t, 1, dsms.Cost, 0)
	gsms, err := route(t, b, "gamma", event.ChannelSMS, "hi")
	require.NoError(t, err)
	require.Same(t, dsms.Account, gsms.Account, "delta and gamma both use the role's Twilio account")
	require.NotEqual(t, dsms.Sender, gsms.Sender, "each with its own number's bucket")

	_, err = route(t, b, "nobody", event.ChannelEmail, "")
	require.ErrorIs(t, err, send.ErrPermanent)
	_, err = route(t, b, "alpha", "push", "")
	require.ErrorIs(t, err, send.ErrPermanent)
}

func TestAccountBookWithoutTheRolesAccounts(t *testing.T) {
	t.Parallel()
	shops, err := shop.Parse([]byte(accountsShops), func(k string) string { return accountsEnv[k] })
	require.NoError(t, err)
	b, err := newAccountBook(accountBookConfig{Shops: shops, SendGridURL: "http://127.0.0.1:1", TwilioURL: "http://127.0.0.1:1"})
	require.NoError(t, err)
	require.True(t, b.configured(event.ChannelEmail), "a shop's own key is enough for the channel to have a router")
	require.True(t, b.configured(event.ChannelSMS))
	require.Equal(t, []string{"gamma"}, b.ownAccounts(event.ChannelEmail, false))
	_, err = route(t, b, "gamma", event.ChannelEmail, "")
	require.ErrorIs(t, err, send.ErrPermanent, "gamma has no account and the role none to lend")
	require.ErrorContains(t, err, "no SendGrid account")

	demo, err := shop.NewRegistry(shop.Demo("x"))
	require.NoError(t, err)
	none, err := newAccountBook(accountBookConfig{Shops: demo})
	require.NoError(t, err)
	require.False(t, none.configured(event.ChannelEmail), "no account anywhere: the dev outbox")
	require.False(t, none.configured(event.ChannelSMS))
}

// TestSendingDomainIsCheckedBeforeEachSend: a shop record that did not come
// through the shops file's checks (Registry.Put) still cannot send from
// outside its sending domain.
func TestSendingDomainIsCheckedBeforeEachSend(t *testing.T) {
	t.Parallel()
	sg := newProviderFake(t)
	sg.account("sg-own", "SG.own", "")
	s := shop.Demo("x")
	s.Email.SendGridAPIKey, s.Email.SendingDomain = "SG.own", "other.example"
	shops, err := shop.NewRegistry(s)
	require.NoError(t, err)
	b, err := newAccountBook(accountBookConfig{Shops: shops, SendGridURL: sg.srv.URL})
	require.NoError(t, err)
	router, err := send.NewRouter(send.RouterConfig{Accounts: b})
	require.NoError(t, err)
	d := &send.Delivery{
		Cmd:      &processor.SendCommand{ID: "m1", Shop: "demo", Channel: event.ChannelEmail, To: "a@example.com"},
		Rendered: &send.Rendered{Subject: "s", Text: "t"},
	}
	_, err = router.Deliver(context.Background(), d)
	require.ErrorIs(t, err, send.ErrPermanent)
	require.ErrorContains(t, err, `is not at its sending domain "other.example"`)
	require.Empty(t, sg.all(), "nothing reached SendGrid")

	s.Email.SendingDomain = "DEMO.example" // From is hello@demo.example
	d.Cmd.ID = "m2"
	_, err = router.Deliver(context.Background(), d)
	require.NoError(t, err)
	require.Equal(t, []string{"sg-own 202 m2"}, hitStrings(sg.all()))
}
