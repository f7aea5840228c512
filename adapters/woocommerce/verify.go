package woocommerce

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/adapters/shop"
)

// Verify checks X-WC-Webhook-Signature, base64(HMAC-SHA256(secret, raw
// body)), against the shop's current webhook secret and then its previous
// one, in constant time. Failures wrap ingest.ErrSignature.
//
// WooCommerce decodes HTML entities in the secret before signing
// (wp_specialchars_decode), so secrets should be plain alphanumerics: a
// secret holding "&amp;" signs with "&".
func (*Adapter) Verify(s *shop.Shop, req *ingest.Request) error {
	header := strings.TrimSpace(req.Header.Get(HeaderSignature))
	if header == "" {
		return fmt.Errorf("%w: no %s header", ingest.ErrSignature, HeaderSignature)
	}
	got, err := base64.StdEncoding.Strict().DecodeString(header)
	if err != nil {
		return fmt.Errorf("%w: signature is not base64", ingest.ErrSignature)
	}
	if len(got) != sha256.Size {
		return fmt.Errorf("%w: signature is not an HMAC-SHA256", ingest.ErrSignature)
	}
	if s == nil {
		return fmt.Errorf("%w: no shop", ingest.ErrSignature)
	}
	secrets := s.Secrets()
	if len(secrets) == 0 {
		return fmt.Errorf("%w: shop has no webhook secret", ingest.ErrSignature)
	}
	for _, secret := range secrets {
		if hmac.Equal(mac(secret, req.Body), got) {
			return nil
		}
	}
	return fmt.Errorf("%w: signature does not match", ingest.ErrSignature)
}

// Sign returns the X-WC-Webhook-Signature WooCommerce sends for body when
// the webhook's secret is secret. Tests and tools use it to build deliveries.
func Sign(secret string, body []byte) string {
	return base64.StdEncoding.EncodeToString(mac(secret, body))
}

func mac(secret string, body []byte) []byte {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write(body)
	return h.Sum(nil)
}
