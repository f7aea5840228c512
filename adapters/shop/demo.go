package shop

import "time"

// Demo returns the shop `serve` uses when no shops file is given: a Shopify
// shop "demo" at demo.myshopify.com whose webhook secret is secret (the
// caller generates it and prints it, so sample webhooks can be signed).
func Demo(secret string) *Shop {
	return &Shop{
		ID:            "demo",
		Platform:      "shopify",
		Domain:        "demo.myshopify.com",
		WebhookSecret: secret,
		Timezone:      "America/New_York",
		Email:         EmailSender{From: "Demo Store <hello@demo.example>", Address: "1 Main St, Springfield"},
		SMS:           SMSSender{From: "+15005550006", HelpText: "Demo Store: help at demo.example/help. Reply STOP to opt out."},
		PublicKey:     "pk_demo",
		SmartSending:  SmartSending{Email: 16 * time.Hour, SMS: 24 * time.Hour},
		Brand:         Brand{Color: "#1a73e8", Locale: "en"},
	}
}
