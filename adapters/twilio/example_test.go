package twilio_test

import (
	"fmt"
	"net/url"

	"github.com/boomerang-dev/boomerang/adapters/twilio"
)

func ExampleKeyword() {
	fmt.Println(twilio.Keyword(" stop "), twilio.Keyword("Yes"), twilio.Keyword("info"), twilio.Keyword("stop it") == "")
	// Output: STOP START HELP true
}

func ExampleVerifySignature() {
	// Twilio's published example.
	params := url.Values{
		"CallSid": {"CA1234567890ABCDE"}, "Caller": {"+12349013030"}, "Digits": {"1234"},
		"From": {"+12349013030"}, "To": {"+18005551212"},
	}
	err := twilio.VerifySignature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", params, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
	fmt.Println(err)
	// Output: <nil>
}

func ExampleShopWebhookPath() {
	// Where Twilio posts for a shop with its own subaccount: the client's
	// status callbacks (SMS.StatusCallbackBase) and the inbound URL the
	// operator sets on the shop's numbers.
	fmt.Println("https://app.example" + twilio.ShopWebhookPath("demo"))
	// Output: https://app.example/webhooks/twilio/demo
}
