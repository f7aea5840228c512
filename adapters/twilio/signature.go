package twilio

import (
	"crypto/hmac"
	"crypto/sha1" //nolint:gosec // Twilio signs webhooks with HMAC-SHA1; HMAC-SHA1 is not broken by SHA-1 collisions
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// ErrSignature marks a webhook whose X-Twilio-Signature is missing or does
// not match.
var ErrSignature = errors.New("twilio: invalid signature")

// Sign returns Twilio's signature of a form POST to fullURL:
// base64(HMAC-SHA1(authToken, fullURL + name+value for every parameter,
// sorted by name)). A name given several values contributes each of them,
// sorted, as Twilio's own libraries do.
func Sign(authToken, fullURL string, params url.Values) string {
	mac := hmac.New(sha1.New, []byte(authToken))
	mac.Write([]byte(fullURL))
	names := make([]string, 0, len(params))
	for name := range params {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		values := slices.Clone(params[name])
		slices.Sort(values)
		for _, v := range values {
			mac.Write([]byte(name))
			mac.Write([]byte(v))
		}
	}
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// VerifySignature checks signature (the X-Twilio-Signature header) against
// the full URL Twilio called (scheme, host, path and query) and the form
// parameters of the POST body. The comparison is constant-time. As Twilio's
// libraries do, the URL is also tried with the scheme's default port added
// or removed, since Twilio may sign either form. The error wraps
// ErrSignature.
func VerifySignature(authToken, fullURL string, params url.Values, signature string) error {
	if authToken == "" {
		return fmt.Errorf("%w: no auth token configured", ErrSignature)
	}
	if signature == "" {
		return fmt.Errorf("%w: missing %s", ErrSignature, HeaderSignature)
	}
	got, err := base64.StdEncoding.DecodeString(signature)
	if err != nil {
		return fmt.Errorf("%w: signature is not base64", ErrSignature)
	}
	for _, u := range urlVariants(fullURL) {
		want, _ := base64.StdEncoding.DecodeString(Sign(authToken, u, params))
		if hmac.Equal(got, want) {
			return nil
		}
	}
	return fmt.Errorf("%w: signature does not match", ErrSignature)
}

// urlVariants returns raw, then raw with its scheme's default port removed
// or added (https 443, http 80) when that changes it.
func urlVariants(raw string) []string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return []string{raw}
	}
	port := map[string]string{"https": "443", "http": "80"}[strings.ToLower(u.Scheme)]
	if port == "" {
		return []string{raw}
	}
	var host string
	switch u.Port() {
	case port:
		host = strings.TrimSuffix(u.Host, ":"+port)
	case "":
		host = u.Host + ":" + port
	default:
		return []string{raw}
	}
	// Replace the host in the raw string rather than re-serialising u, so
	// the path and query keep the exact bytes Twilio signed.
	i := strings.Index(raw, "://")
	if i < 0 {
		return []string{raw}
	}
	rest := raw[i+3:]
	j := strings.Index(rest, u.Host)
	if j < 0 {
		return []string{raw}
	}
	return []string{raw, raw[:i+3] + rest[:j] + host + rest[j+len(u.Host):]}
}
