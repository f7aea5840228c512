package shop_test

import (
	"encoding/json"
	"math"
	"net/mail"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/shop"
)

// withAccounts is a shop with its own SendGrid key and Twilio subaccount,
// the fields given as the README shows them.
const withAccounts = `shops:
  - id: acme
    platform: shopify
    domain: acme.myshopify.com
    email:
      from: "Acme <hello@mail.acme.example>"
      sendgrid_api_key: ${ACME_SENDGRID_KEY}
      sending_domain: Mail.Acme.Example
      sendgrid_rate: 50
    sms:
      from: "+15005550006"
      twilio_account_sid: ${ACME_TWILIO_SID}
      twilio_auth_token: ${ACME_TWILIO_TOKEN}
      messaging_service_sid: MG0123456789abcdef0123456789abcdef
      throughput: 3
`

var acmeEnv = map[string]string{
	"ACME_SENDGRID_KEY": "SG.acme-secret", "ACME_TWILIO_SID": "AC0123456789abcdef0123456789abcdef",
	"ACME_TWILIO_TOKEN": "acmetoken123",
}

func TestParsePerShopAccounts(t *testing.T) {
	t.Parallel()
	reg, err := shop.Parse([]byte(withAccounts), func(k string) string { return acmeEnv[k] })
	require.NoError(t, err)
	s, ok := reg.Get("acme")
	require.True(t, ok)
	require.Equal(t, "SG.acme-secret", s.Email.SendGridAPIKey)
	require.Equal(t, "Mail.Acme.Example", s.Email.SendingDomain, "the domain matches From whatever its case")
	require.InDelta(t, 50, s.Email.SendGridRate, 0)
	require.Equal(t, "AC0123456789abcdef0123456789abcdef", s.SMS.TwilioAccountSID)
	require.Equal(t, "acmetoken123", s.SMS.TwilioAuthToken)
	require.Equal(t, "MG0123456789abcdef0123456789abcdef", s.SMS.MessagingServiceSID)
	require.InDelta(t, 3, s.SMS.Throughput, 0)

	b, err := json.Marshal(s)
	require.NoError(t, err)
	for _, secret := range []string{"SG.acme-secret", "acmetoken123", "AC0123456789abcdef0123456789abcdef"} {
		require.NotContains(t, string(b), secret, "credentials are never served")
	}
	require.Contains(t, string(b), `"messaging_service_sid":"MG0123456789abcdef0123456789abcdef"`)

	_, err = shop.Parse([]byte(withAccounts), func(string) string { return "" })
	require.ErrorContains(t, err, "environment variable ACME_SENDGRID_KEY is not set")

	flow, err := shop.Parse([]byte("shops:\n  - id: f\n    platform: shopify\n    domain: f\n"+
		"    email: {from: \"f@acme.example\", sendgrid_api_key: \"${ACME_SENDGRID_KEY}\"}\n"), func(k string) string { return acmeEnv[k] })
	require.NoError(t, err, "a quoted reference in a flow mapping, as the README says")
	f, _ := flow.Get("f")
	require.Equal(t, "SG.acme-secret", f.Email.SendGridAPIKey)

	plain, err := shop.Parse([]byte("shops:\n  - id: a\n    platform: shopify\n    domain: a\n"), nil)
	require.NoError(t, err)
	a, _ := plain.Get("a")
	require.Empty(t, a.Email.SendGridAPIKey, "no own account: the role's")
	require.Empty(t, a.SMS.TwilioAccountSID)
}

func TestPerShopAccountsAreChecked(t *testing.T) {
	t.Parallel()
	base := "shops:\n  - id: a\n    platform: shopify\n    domain: a\n"
	for name, tc := range map[string]struct{ yaml, want string }{
		"from outside the sending domain": {
			"    email: {from: \"A <a@other.example>\", sending_domain: acme.example}\n",
			`email.from "a@other.example" is not at email.sending_domain "acme.example"`,
		},
		"a subdomain is another domain": {
			"    email: {from: \"a@mail.acme.example\", sending_domain: acme.example}\n", "is not at email.sending_domain",
		},
		"a sending domain without a from": {"    email: {sending_domain: acme.example}\n", "needs a valid email.from"},
		"not a domain":                    {"    email: {from: \"a@acme.example\", sending_domain: \"https://acme.example\"}\n", "is not a domain name"},
		"a key with blanks":               {"    email: {sendgrid_api_key: \"SG.a b\"}\n", "email.sendgrid_api_key contains blanks"},
		"a sid without a token": {
			"    sms: {from: \"+15005550006\", twilio_account_sid: AC0123456789abcdef0123456789abcdef}\n", "go together",
		},
		"a token without a sid": {"    sms: {from: \"+15005550006\", twilio_auth_token: tok}\n", "go together"},
		"a malformed sid": {
			"    sms: {from: \"+15005550006\", twilio_account_sid: ACshort, twilio_auth_token: tok}\n", "AC and 32 hex digits",
		},
		"a token twilio-go refuses": {
			"    sms: {from: \"+15005550006\", twilio_account_sid: AC0123456789abcdef0123456789abcdef, twilio_auth_token: \"to-ken\"}\n",
			"letters and digits",
		},
		"an account with nothing to send from": {
			"    sms: {twilio_account_sid: AC0123456789abcdef0123456789abcdef, twilio_auth_token: tok}\n",
			"needs sms.from or sms.messaging_service_sid",
		},
		"a malformed messaging service": {"    sms: {messaging_service_sid: MG123}\n", "MG and 32 hex digits"},
		"a negative rate":               {"    email: {sendgrid_rate: -1}\n", "email.sendgrid_rate must be a number of at least zero"},
		"an infinite throughput":        {"    sms: {throughput: .inf}\n", "sms.throughput must be a number of at least zero"},
	} {
		_, err := shop.Parse([]byte(base+tc.yaml), nil)
		require.ErrorContains(t, err, tc.want, name)
		require.ErrorContains(t, err, "2: shop 1: a:", "%s: the error names the line and the shop", name)
		require.NotContains(t, err.Error(), "SG.a b", "%s: a key is never quoted", name)
	}
}

func TestAddressDomain(t *testing.T) {
	t.Parallel()
	require.Equal(t, "acme.example", shop.AddressDomain("Hello@ACME.example"))
	require.Equal(t, "b.example", shop.AddressDomain(`"a@x"@b.example`))
	require.Empty(t, shop.AddressDomain("nobody"))
	require.Empty(t, shop.AddressDomain("a@"))
}

// FuzzParseAccounts checks that whatever a shops file holds, a shop that
// parses has accounts the senders can use: From at the sending domain, SID
// and token together and well formed, rates that are numbers.
func FuzzParseAccounts(f *testing.F) {
	f.Add("a@acme.example", "acme.example", "AC0123456789abcdef0123456789abcdef", "tok", "MG0123456789abcdef0123456789abcdef", "3")
	f.Add("A <a@ACME.example>", "acme.example", "", "", "", "0")
	f.Add("a@b.example", "acme.example", "AC0", "", "MG", "-1")
	f.Add("x", "", "ACzz", "t-1", "", ".nan")
	f.Fuzz(func(t *testing.T, from, domain, sid, token, mg, throughput string) {
		q := func(s string) string { b, _ := json.Marshal(s); return string(b) } // JSON strings are YAML strings
		y := "shops:\n  - id: a\n    platform: shopify\n    domain: a\n" +
			"    email: {from: " + q(from) + ", sending_domain: " + q(domain) + "}\n" +
			"    sms: {from: \"+15005550006\", twilio_account_sid: " + q(sid) + ", twilio_auth_token: " + q(token) +
			", messaging_service_sid: " + q(mg) + ", throughput: " + throughput + "}\n"
		reg, err := shop.Parse([]byte(y), nil)
		if err != nil {
			return
		}
		s, _ := reg.Get("a")
		if s.Email.SendingDomain != "" {
			a, perr := mail.ParseAddress(s.Email.From)
			if perr != nil || !strings.EqualFold(shop.AddressDomain(a.Address), s.Email.SendingDomain) {
				t.Fatalf("from %q accepted outside sending domain %q", s.Email.From, s.Email.SendingDomain)
			}
		}
		if (s.SMS.TwilioAccountSID == "") != (s.SMS.TwilioAuthToken == "") {
			t.Fatal("a SID without a token, or the reverse, was accepted")
		}
		if s.SMS.TwilioAccountSID != "" && (len(s.SMS.TwilioAccountSID) != 34 || !strings.HasPrefix(s.SMS.TwilioAccountSID, "AC")) {
			t.Fatalf("malformed SID %q accepted", s.SMS.TwilioAccountSID)
		}
		if s.SMS.MessagingServiceSID != "" && (len(s.SMS.MessagingServiceSID) != 34 || !strings.HasPrefix(s.SMS.MessagingServiceSID, "MG")) {
			t.Fatalf("malformed Messaging Service %q accepted", s.SMS.MessagingServiceSID)
		}
		if !(s.SMS.Throughput >= 0) || math.IsInf(s.SMS.Throughput, 0) {
			t.Fatalf("throughput %v accepted", s.SMS.Throughput)
		}
	})
}
