package shopify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/adapters/shop"
)

// Verify checks X-Shopify-Hmac-Sha256 against the HMAC-SHA256 of the raw
// body under the shop's webhook secret, then its previous secret while one
// is rotated, comparing in constant time. A missing, undecodable or wrong
// signature is an error wrapping ingest.ErrSignature.
func (*Adapter) Verify(s *shop.Shop, req *ingest.Request) error {
	header := strings.TrimSpace(req.Header.Get(HeaderHMAC))
	if header == "" {
		return fmt.Errorf("%w: missing %s header", ingest.ErrSignature, HeaderHMAC)
	}
	got, err := base64.StdEncoding.DecodeString(header)
	if err != nil || len(got) != sha256.Size {
		return fmt.Errorf("%w: %s is not a base64 SHA-256 digest", ingest.ErrSignature, HeaderHMAC)
	}
	if s == nil {
		return fmt.Errorf("%w: no shop to verify against", ingest.ErrSignature)
	}
	secrets := s.Secrets()
	if len(secrets) == 0 {
		return fmt.Errorf("%w: shop has no webhook secret", ingest.ErrSignature)
	}
	for _, secret := range secrets {
		if hmac.Equal(got, digest(secret, req.Body)) {
			return nil
		}
	}
	return fmt.Errorf("%w: digest matches no secret of the shop", ingest.ErrSignature)
}

// Sign returns the X-Shopify-Hmac-Sha256 value Shopify would send for body
// signed with secret. Tests and sample senders use it.
func Sign(secret string, body []byte) string {
	return base64.StdEncoding.EncodeToString(digest(secret, body))
}

func digest(secret string, body []byte) []byte {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return mac.Sum(nil)
}
