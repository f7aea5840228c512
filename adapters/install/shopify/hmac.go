package shopify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Query parameters Shopify sends to the app URL and the redirect URI.
const (
	paramHMAC      = "hmac"
	paramSignature = "signature"
	paramShop      = "shop"
	paramTimestamp = "timestamp"
	paramState     = "state"
	paramCode      = "code"
)

// shopDomainPattern is a shop's permanent myshopify domain.
var shopDomainPattern = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9-]*\.myshopify\.com$`)

// maxShopLabel is the longest DNS label, the subdomain's limit.
const maxShopLabel = 63

// myshopifySuffix ends every shop domain.
const myshopifySuffix = ".myshopify.com"

// ValidShopDomain reports whether shop is a shop's myshopify domain,
// "name.myshopify.com" with name of letters, digits and dashes, not starting
// with a dash. Custom domains, paths, ports and schemes are refused: the
// domain names the host Boomerang sends the client secret to.
func ValidShopDomain(shop string) bool {
	sub, ok := strings.CutSuffix(shop, myshopifySuffix)
	return ok && len(sub) <= maxShopLabel && shopDomainPattern.MatchString(shop)
}

// ShopID is Boomerang's id for an installed shop: "shp-" and the myshopify
// subdomain in lower case. domain must pass ValidShopDomain.
func ShopID(domain string) string {
	return "shp-" + strings.TrimSuffix(strings.ToLower(domain), myshopifySuffix)
}

// QueryMessage returns the string Shopify signs in the query of the app URL
// and the redirect URI: every parameter but hmac and signature, sorted by key,
// as key=value pairs joined with "&". Keys and values are percent-encoded as
// an HTML form encodes them, except that a space is %20 (Shopify's own
// libraries do the same); a parameter given several times has its values
// joined with commas.
func QueryMessage(q url.Values) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		if k != paramHMAC && k != paramSignature {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('&')
		}
		formEncode(&b, k)
		b.WriteByte('=')
		formEncode(&b, strings.Join(q[k], ","))
	}
	return b.String()
}

// formEncode writes s percent-encoded as the WHATWG
// application/x-www-form-urlencoded serializer does, with %20 for a space.
func formEncode(b *strings.Builder, s string) {
	const hexDigits = "0123456789ABCDEF"
	for i := range len(s) {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '*', c == '-', c == '.', c == '_':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&0x0f])
		}
	}
}

// SignQuery returns the hex HMAC-SHA256 of QueryMessage(q) under secret:
// what Shopify puts in the hmac parameter.
func SignQuery(secret string, q url.Values) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(QueryMessage(q)))
	return hex.EncodeToString(m.Sum(nil))
}

// VerifyQuery reports whether q carries exactly one hmac parameter that is the
// HMAC of the rest of q under secret. The comparison takes constant time.
func VerifyQuery(secret string, q url.Values) bool {
	if secret == "" {
		return false
	}
	got := q[paramHMAC]
	if len(got) != 1 {
		return false
	}
	mac, err := hex.DecodeString(got[0])
	if err != nil || len(mac) != sha256.Size {
		return false
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(QueryMessage(q)))
	return hmac.Equal(mac, m.Sum(nil))
}

// freshTimestamp reports whether ts, Unix seconds as Shopify sends them, is
// within tolerance of now either way.
func freshTimestamp(ts string, now time.Time, tolerance time.Duration) bool {
	if ts == "" || len(ts) > 12 {
		return false
	}
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	d := now.Sub(time.Unix(secs, 0))
	return d <= tolerance && d >= -tolerance
}
