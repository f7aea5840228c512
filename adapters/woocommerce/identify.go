package woocommerce

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/adapters/shop"
)

// pingPrefix starts the body of the ping WooCommerce sends when a webhook is
// created (WC_Webhook::deliver_ping): "webhook_id=N", form-encoded.
const pingPrefix = "webhook_id="

// maxPingDigits bounds the webhook id of a ping (a WordPress post id).
const maxPingDigits = 20

// Identify returns the site named by X-WC-Webhook-Source, normalised with
// shop.NormalizeDomain ("https://Shop.Example/" becomes "shop.example"). The
// creation ping, a body of webhook_id=N with no X-WC-Webhook-* header at all,
// returns ingest.ErrPing; any other request without a source returns
// ingest.ErrUnidentified.
func (*Adapter) Identify(req *ingest.Request) (string, error) {
	if isPing(req) {
		return "", ingest.ErrPing
	}
	domain := shop.NormalizeDomain(req.Header.Get(HeaderSource))
	if domain == "" {
		return "", fmt.Errorf("%w: no %s header", ingest.ErrUnidentified, HeaderSource)
	}
	return domain, nil
}

// isPing reports whether req is WooCommerce's creation ping: the body is
// webhook_id=N and no X-WC-Webhook-* header is present (a delivery always
// carries them, the ping never does).
func isPing(req *ingest.Request) bool {
	for name := range req.Header {
		if strings.HasPrefix(strings.ToLower(name), strings.ToLower(wcHeaderPrefix)) {
			return false
		}
	}
	body := bytes.TrimSpace(req.Body)
	digits, ok := bytes.CutPrefix(body, []byte(pingPrefix))
	if !ok || len(digits) == 0 || len(digits) > maxPingDigits {
		return false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
