package twilio

import (
	"net/url"
	"strings"
)

// ShopWebhookPath is the Webhook's path for one shop:
// /webhooks/twilio/{shop}. Twilio posts there for a shop with its own
// account or subaccount (the status callbacks of the messages sent through
// it, and the inbound messages of the numbers the operator points at it),
// and requests there are verified with that account's token.
func ShopWebhookPath(shop string) string {
	return WebhookPath + "/" + url.PathEscape(shop)
}

// pathShop reads a request path: the shop of a per-shop path (perShop
// true, shop as written, perhaps empty or invalid), or perShop false for
// any other path, which is the role's own.
func pathShop(path string) (shop string, perShop bool) {
	shop, perShop = strings.CutPrefix(path, WebhookPath+"/")
	if !perShop {
		return "", false
	}
	return shop, true
}
