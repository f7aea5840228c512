package sendgrid

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// SignatureTolerance is how far an Event Webhook timestamp may be from now,
// either way, before the request is refused as a possible replay.
const SignatureTolerance = 5 * time.Minute

// VerifySignature checks a signed Event Webhook request: signature is the
// X-Twilio-Email-Event-Webhook-Signature header (base64 of an ASN.1 DER
// ECDSA signature), timestamp the X-Twilio-Email-Event-Webhook-Timestamp
// header (unix seconds), body the raw request body, and publicKey the
// verification key as SendGrid shows it (base64 of a DER PKIX P-256 key).
// The signature covers SHA-256(timestamp || body). A timestamp more than
// SignatureTolerance from now is refused too. Every failure wraps
// ErrSignature.
//
// It does what sendgrid-go's helpers/eventwebhook does, without its panic on
// a key that is not ECDSA, and adds the freshness check the helper lacks.
func VerifySignature(publicKey, signature, timestamp string, body []byte, now time.Time) error {
	key, err := ParsePublicKey(publicKey)
	if err != nil {
		return err
	}
	return verify(key, signature, timestamp, body, now)
}

// ParsePublicKey decodes an Event Webhook verification key as SendGrid shows
// it: base64 of a DER SubjectPublicKeyInfo holding a P-256 ECDSA key, with no
// PEM armour. Errors wrap ErrSignature.
func ParsePublicKey(publicKey string) (*ecdsa.PublicKey, error) {
	der, err := base64.StdEncoding.DecodeString(strings.TrimSpace(publicKey))
	if err != nil {
		return nil, fmt.Errorf("%w: public key is not base64: %w", ErrSignature, err)
	}
	pub, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("%w: public key is not DER PKIX: %w", ErrSignature, err)
	}
	key, ok := pub.(*ecdsa.PublicKey)
	if !ok || key.Curve != elliptic.P256() {
		return nil, fmt.Errorf("%w: public key is not an ECDSA P-256 key", ErrSignature)
	}
	return key, nil
}

// verify checks a request against a parsed key.
func verify(key *ecdsa.PublicKey, signature, timestamp string, body []byte, now time.Time) error {
	if signature == "" {
		return fmt.Errorf("%w: missing %s", ErrSignature, HeaderSignature)
	}
	if timestamp == "" {
		return fmt.Errorf("%w: missing %s", ErrSignature, HeaderTimestamp)
	}
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: %s is not unix seconds", ErrSignature, HeaderTimestamp)
	}
	// Bounds around now, in seconds: no overflow for any int64 timestamp.
	tol := int64(SignatureTolerance / time.Second)
	if ts < now.Unix()-tol || ts > now.Unix()+tol {
		return fmt.Errorf("%w: timestamp %d is more than %s from now", ErrSignature, ts, SignatureTolerance)
	}
	sig, err := base64.StdEncoding.DecodeString(signature)
	if err != nil {
		return fmt.Errorf("%w: %s is not base64", ErrSignature, HeaderSignature)
	}
	h := sha256.New()
	h.Write([]byte(timestamp))
	h.Write(body)
	if !ecdsa.VerifyASN1(key, h.Sum(nil), sig) {
		return fmt.Errorf("%w: signature does not match", ErrSignature)
	}
	return nil
}
