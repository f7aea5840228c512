package shopify

import (
	"fmt"

	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/adapters/shop"
)

// Identify returns the shop's domain from X-Shopify-Shop-Domain, normalised
// with shop.NormalizeDomain, or an error wrapping ingest.ErrUnidentified when
// the header is missing or empty.
func (*Adapter) Identify(req *ingest.Request) (string, error) {
	domain := shop.NormalizeDomain(req.Header.Get(HeaderShopDomain))
	if domain == "" {
		return "", fmt.Errorf("%w: missing %s header", ingest.ErrUnidentified, HeaderShopDomain)
	}
	return domain, nil
}
