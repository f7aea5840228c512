package shopify_test

import (
	"fmt"
	"net/url"

	"github.com/boomerang-dev/boomerang/adapters/install/shopify"
)

// Shopify's documented example: the query of a redirect signed with the
// client secret "hush".
func ExampleVerifyQuery() {
	q, _ := url.ParseQuery("code=0907a61c0c8d55e99db179b68161bc00&hmac=700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf" +
		"&shop=some-shop.myshopify.com&state=0.6784241404160823&timestamp=1337178173")
	fmt.Println(shopify.QueryMessage(q))
	fmt.Println(shopify.VerifyQuery("hush", q))
	// Output:
	// code=0907a61c0c8d55e99db179b68161bc00&shop=some-shop.myshopify.com&state=0.6784241404160823&timestamp=1337178173
	// true
}

func ExampleTopicEnum() {
	fmt.Println(shopify.TopicEnum("customers_email_marketing_consent/update"))
	// Output: CUSTOMERS_EMAIL_MARKETING_CONSENT_UPDATE
}
