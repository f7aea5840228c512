// Package wcauth signs WooCommerce REST API requests with OAuth 1.0a
// "one-legged" parameters, as WooCommerce requires over plain http
// (WC_REST_Authentication); over https a client sends the keys with HTTP
// Basic instead. The discount codes and the app install both call it.
package wcauth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// OAuth 1.0a parameter names and the signature method WooCommerce accepts.
const (
	oauthConsumerKey     = "oauth_consumer_key"
	oauthNonce           = "oauth_nonce"
	oauthSignature       = "oauth_signature"
	oauthSignatureMethod = "oauth_signature_method"
	oauthTimestamp       = "oauth_timestamp"
	oauthHMACSHA256      = "HMAC-SHA256"
	oauthNonceLen        = 32
)

// Sign adds WooCommerce's OAuth 1.0a "one-legged" parameters to query
// for a request of method to baseURL (scheme, host and path, no query):
// consumer key, timestamp, nonce, method and the HMAC-SHA256 signature over
// the RFC 5849 base string, keyed with the consumer secret and "&" (there is
// no token). WooCommerce reads them from the query string.
func Sign(method, baseURL string, query url.Values, key, secret string, now time.Time) {
	query.Set(oauthConsumerKey, key)
	query.Set(oauthTimestamp, strconv.FormatInt(now.Unix(), 10))
	query.Set(oauthNonce, oauthNewNonce())
	query.Set(oauthSignatureMethod, oauthHMACSHA256)
	query.Del(oauthSignature)
	query.Set(oauthSignature, oauthSignature256(method, baseURL, query, secret))
}

// oauthSignature256 is base64(HMAC-SHA256(secret + "&", base string)).
func oauthSignature256(method, baseURL string, params url.Values, secret string) string {
	mac := hmac.New(sha256.New, []byte(secret+"&"))
	mac.Write([]byte(oauthBaseString(method, baseURL, params)))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// oauthBaseString is RFC 5849 §3.4.1: the method, the encoded base URL and
// the encoded, sorted "key=value" pairs joined with "&".
func oauthBaseString(method, baseURL string, params url.Values) string {
	pairs := make([]string, 0, len(params))
	for k, vs := range params {
		if k == oauthSignature {
			continue
		}
		for _, v := range vs {
			pairs = append(pairs, oauthEscape(k)+"="+oauthEscape(v))
		}
	}
	slices.Sort(pairs)
	return strings.ToUpper(method) + "&" + oauthEscape(baseURL) + "&" + oauthEscape(strings.Join(pairs, "&"))
}

// oauthEscape is RFC 3986 percent-encoding: everything but ALPHA, DIGIT and
// "-._~" as %XX (PHP's rawurlencode, which WooCommerce uses).
func oauthEscape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := range len(s) {
		c := s[i]
		if ('A' <= c && c <= 'Z') || ('a' <= c && c <= 'z') || ('0' <= c && c <= '9') ||
			c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&0x0F])
	}
	return b.String()
}

// oauthNewNonce returns 32 random alphanumerics.
func oauthNewNonce() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	var buf [oauthNonceLen]byte
	_, _ = rand.Read(buf[:]) // crypto/rand.Read never fails (Go 1.24+)
	for i := range buf {
		buf[i] = alphabet[int(buf[i])%len(alphabet)]
	}
	return string(buf[:])
}
