package shop_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/shop"
)

const example = `shops:
  - id: demo
    platform: shopify
    domain: Demo.myshopify.com
    webhook_secret: ${DEMO_SECRET}
    previous_webhook_secret: ""
    api_token: ${DEMO_API_TOKEN}
    timezone: America/New_York
    email: {from: "Demo Store <hello@demo.example>", reply_to: "", address: "1 Main St, Springfield"}
    sms: {from: "+15005550006", help_text: "Demo Store: help at demo.example/help. Reply STOP to opt out."}
    public_key: pk_demo_123
    smart_sending: {email: 16h, sms: 24h}
    brand: {logo_url: "", color: "#1a73e8", locale: en}
    flows:
      abandoned-checkout: {enabled: true, params: {discount_percent: 10}}
  - id: woo
    platform: woocommerce
    domain: https://Shop.Example/
    webhook_secret: plain
  - id: bc
    platform: bigcommerce
    domain: abc123
    webhook_secret: client-secret
    header_secret: hdr
`

func TestParseTheArchitectureExample(t *testing.T) {
	t.Parallel()
	reg, err := shop.Parse([]byte(example), func(k string) string {
		return map[string]string{"DEMO_SECRET": "s3cret", "DEMO_API_TOKEN": "shpat_x"}[k]
	})
	require.NoError(t, err)
	s, ok := reg.Lookup("shopify", "demo.myshopify.com")
	require.True(t, ok)
	require.Equal(t, "demo", s.ID)
	require.Equal(t, "s3cret", s.WebhookSecret)
	require.Equal(t, "shpat_x", s.APIToken)
	require.Equal(t, []string{"s3cret"}, s.Secrets())
	require.Equal(t, 16*time.Hour, s.SmartSending.Email)
	require.Equal(t, "1 Main St, Springfield", s.Email.Address)
	require.Equal(t, 10, s.Flows["abandoned-checkout"].Params["discount_percent"])
	require.Equal(t, "America/New_York", s.Location().String())

	woo, ok := reg.Lookup("woocommerce", "https://shop.example/")
	require.True(t, ok, "site URLs match whatever their scheme, case and trailing slash")
	require.Equal(t, "woo", woo.ID)
	_, ok = reg.Lookup("shopify", "shop.example")
	require.False(t, ok, "identity is per platform")
	require.Len(t, reg.All(), 3)
}

func TestParseErrorsCarryLineNumbers(t *testing.T) {
	t.Parallel()
	_, err := shop.Parse([]byte(example), func(string) string { return "" })
	require.ErrorContains(t, err, "5: environment variable DEMO_SECRET is not set")
	require.ErrorContains(t, err, "7: environment variable DEMO_API_TOKEN is not set")

	_, err = shop.Parse([]byte("shops:\n  - id: ok\n    platform: shopify\n    domain: a\n  - id: Bad Id\n    platform: magento\n"), nil)
	require.ErrorContains(t, err, "5: shop 2: id \"Bad Id\"")

	_, err = shop.Parse([]byte("shops:\n  - id: a\n    platform: magento\n    domain: x\n"), nil)
	require.ErrorContains(t, err, "2: shop 1: a: platform \"magento\"")

	_, err = shop.Parse([]byte("shops:\n  - id: a\n    platform: shopify\n    domain: x\n  - id: a\n    platform: shopify\n    domain: y\n"), nil)
	require.ErrorContains(t, err, `shop "a" is listed twice`)

	_, err = shop.Parse([]byte("shops:\n  - id: a\n    platform: shopify\n    domain: x\n    timezone: Mars/Base\n"), nil)
	require.ErrorContains(t, err, "timezone")

	_, err = shop.Parse([]byte("shops: [\n"), nil)
	require.Error(t, err)
}

func TestRegistryPutReplaces(t *testing.T) {
	t.Parallel()
	reg, err := shop.NewRegistry(&shop.Shop{ID: "a", Platform: "shopify", Domain: "old.myshopify.com"})
	require.NoError(t, err)
	reg.Put(&shop.Shop{ID: "a", Platform: "shopify", Domain: "new.myshopify.com"})
	_, ok := reg.Lookup("shopify", "old.myshopify.com")
	require.False(t, ok)
	s, ok := reg.Lookup("shopify", "NEW.myshopify.com")
	require.True(t, ok)
	require.Equal(t, "a", s.ID)
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(example))
	f.Add([]byte("shops: []"))
	f.Add([]byte("shops:\n  - id: ${X}\n"))
	f.Add([]byte(withAccounts))
	f.Add([]byte("shops:\n  - id: a\n    platform: shopify\n    domain: a\n    email: {from: \"a@acme.example\", sendgrid_api_key: SG.k, " +
		"sending_domain: acme.example, sendgrid_rate: 5}\n    sms: {twilio_account_sid: AC0123456789abcdef0123456789abcdef, " +
		"twilio_auth_token: t, messaging_service_sid: MG0123456789abcdef0123456789abcdef, throughput: 3}\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		reg, err := shop.Parse(b, func(string) string { return "v" })
		if err != nil {
			return
		}
		for _, s := range reg.All() {
			got, ok := reg.Get(s.ID)
			if !ok || got != s {
				t.Fatalf("shop %q not found by id", s.ID)
			}
			if _, ok := reg.Lookup(s.Platform, s.Domain); !ok {
				t.Fatalf("shop %q not found by domain", s.ID)
			}
		}
	})
}

func TestSmartSendingDefaultsAndExplicitZero(t *testing.T) {
	t.Parallel()
	reg, err := shop.Parse([]byte("shops:\n  - id: a\n    platform: shopify\n    domain: a\n  - id: b\n    platform: shopify\n    domain: b\n    smart_sending: {email: 0s}\n"), nil)
	require.NoError(t, err)
	a, _ := reg.Get("a")
	require.Equal(t, 16*time.Hour, a.SmartSending.Email)
	require.Equal(t, 24*time.Hour, a.SmartSending.SMS)
	b, _ := reg.Get("b")
	require.Zero(t, b.SmartSending.Email, "0s turns smart sending off")
	require.Equal(t, 24*time.Hour, b.SmartSending.SMS)
}
