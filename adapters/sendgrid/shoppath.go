package sendgrid

import (
	"net/url"
	"strings"
)

// ShopWebhookPath is the Event Webhook's path for one shop:
// /webhooks/sendgrid/{shop}, where a shop's own SendGrid account posts its
// events, verified with that account's key.
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
