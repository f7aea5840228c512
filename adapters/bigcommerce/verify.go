package bigcommerce

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/adapters/shop"
)

// Standard Webhooks headers, as BigCommerce sends them (the specification
// writes them in lower case; HTTP header names are case-insensitive).
const (
	// HeaderWebhookID is the delivery's id, the same on every retry.
	HeaderWebhookID = "Webhook-Id"
	// HeaderWebhookTimestamp is the attempt's time in unix seconds.
	HeaderWebhookTimestamp = "Webhook-Timestamp"
	// HeaderWebhookSignature is a space-separated list of "v1,<base64>".
	HeaderWebhookSignature = "Webhook-Signature"
	// HeaderSecret carries the shop's custom header secret, set in the
	// hook's headers when Boomerang created it.
	HeaderSecret = "X-Boomerang-Secret" //nolint:gosec // a header name, not a credential
)

// SignatureTolerance is how far a delivery's webhook-timestamp may be from
// its arrival, either way.
const SignatureTolerance = 5 * time.Minute

// signatureVersion prefixes HMAC-SHA256 signatures in webhook-signature.
const signatureVersion = "v1"

// maxSignatures bounds the signatures tried from one header.
const maxSignatures = 16

// Verify checks the Standard Webhooks signature: one of the v1 signatures
// in webhook-signature must be base64(HMAC-SHA256(client secret,
// "{webhook-id}.{webhook-timestamp}.{body}")) for the shop's current or
// previous secret, and webhook-timestamp must be within SignatureTolerance
// of req.ReceivedAt. When the shop has a header secret, X-Boomerang-Secret
// must carry it too. Every failure wraps ingest.ErrSignature.
func (*Adapter) Verify(s *shop.Shop, req *ingest.Request) error {
	secrets := s.Secrets()
	if len(secrets) == 0 {
		return fmt.Errorf("%w: shop has no client secret", ingest.ErrSignature)
	}
	id := req.Header.Get(HeaderWebhookID)
	ts := req.Header.Get(HeaderWebhookTimestamp)
	sigs := req.Header.Get(HeaderWebhookSignature)
	if id == "" || ts == "" || sigs == "" {
		return fmt.Errorf("%w: missing webhook-id, webhook-timestamp or webhook-signature", ingest.ErrSignature)
	}
	at, ok := parseTimestamp(ts)
	if !ok {
		return fmt.Errorf("%w: webhook-timestamp is not unix seconds", ingest.ErrSignature)
	}
	if d := req.ReceivedAt.Sub(at); d > SignatureTolerance || d < -SignatureTolerance {
		return fmt.Errorf("%w: webhook-timestamp is more than %s from arrival", ingest.ErrSignature, SignatureTolerance)
	}
	if !headerSecretOK(s, req) {
		return fmt.Errorf("%w: missing or wrong %s header", ingest.ErrSignature, HeaderSecret)
	}
	given := decodeSignatures(sigs)
	if len(given) == 0 {
		return fmt.Errorf("%w: no v1 signature in webhook-signature", ingest.ErrSignature)
	}
	for _, secret := range secrets {
		want := Sign(secret, id, ts, req.Body)
		for _, g := range given {
			if hmac.Equal(g, want) {
				return nil
			}
		}
	}
	return fmt.Errorf("%w: no signature matches", ingest.ErrSignature)
}

// Sign returns the raw HMAC-SHA256 of "{id}.{timestamp}.{body}" keyed with
// the secret's bytes; webhook-signature carries it as "v1,"+base64.
// BigCommerce keys it with the app's client secret as is (its docs hand the
// Standard Webhooks libraries base64(client secret), which they decode).
func Sign(secret, id, timestamp string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(id))
	m.Write([]byte{'.'})
	m.Write([]byte(timestamp))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// SignatureHeader formats signatures as webhook-signature's value.
func SignatureHeader(sigs ...[]byte) string {
	parts := make([]string, len(sigs))
	for i, s := range sigs {
		parts[i] = signatureVersion + "," + base64.StdEncoding.EncodeToString(s)
	}
	return strings.Join(parts, " ")
}

// parseTimestamp reads webhook-timestamp: unix seconds in plain digits, as
// signed (no sign, no leading zeros, no spaces).
func parseTimestamp(ts string) (time.Time, bool) {
	if len(ts) > 12 || (len(ts) > 1 && ts[0] == '0') {
		return time.Time{}, false
	}
	for i := range len(ts) {
		if ts[i] < '0' || ts[i] > '9' {
			return time.Time{}, false
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(sec, 0).UTC(), true
}

// decodeSignatures returns the decoded v1 signatures of a webhook-signature
// value, skipping other versions and undecodable entries.
func decodeSignatures(header string) [][]byte {
	var out [][]byte
	for i, part := range strings.Fields(header) {
		if i == maxSignatures {
			break
		}
		version, sig, ok := strings.Cut(part, ",")
		if !ok || version != signatureVersion {
			continue
		}
		b, err := base64.StdEncoding.DecodeString(sig)
		if err != nil || len(b) != sha256.Size {
			continue
		}
		out = append(out, b)
	}
	return out
}

// headerSecretOK checks X-Boomerang-Secret when the shop has a header
// secret. Both sides are hashed first so the comparison takes the same time
// whatever the lengths.
func headerSecretOK(s *shop.Shop, req *ingest.Request) bool {
	if s.HeaderSecret == "" {
		return true
	}
	got := sha256.Sum256([]byte(req.Header.Get(HeaderSecret)))
	want := sha256.Sum256([]byte(s.HeaderSecret))
	return hmac.Equal(got[:], want[:])
}
