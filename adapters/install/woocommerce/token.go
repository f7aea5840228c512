package woocommerce

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"
)

// One-time tokens travel as WooCommerce's user_id: "<nonce>.<mac>", both
// unpadded base64url, which WordPress's sanitize_text_field leaves intact.
const (
	tokenNonceBytes = 24 // 32 characters
	tokenMACBytes   = 16 // 22 characters
	tokenLen        = 32 + 1 + 22
	tokenLabel      = "boomerang/woocommerce-install/v1\x00"
)

var b64 = base64.RawURLEncoding.Strict()

// newToken returns a fresh token and its nonce (the States key part).
func newToken(key []byte) (token, nonce string) {
	b := make([]byte, tokenNonceBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	nonce = b64.EncodeToString(b)
	return nonce + "." + b64.EncodeToString(tokenMAC(key, nonce)), nonce
}

// parseToken checks a token's shape and signature and returns its nonce.
func parseToken(key []byte, token string) (string, bool) {
	if len(token) != tokenLen {
		return "", false
	}
	nonce, mac, ok := strings.Cut(token, ".")
	if !ok {
		return "", false
	}
	rawNonce, err := b64.DecodeString(nonce)
	if err != nil || len(rawNonce) != tokenNonceBytes {
		return "", false
	}
	rawMAC, err := b64.DecodeString(mac)
	if err != nil || !hmac.Equal(rawMAC, tokenMAC(key, nonce)) {
		return "", false
	}
	return nonce, true
}

func tokenMAC(key []byte, nonce string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(tokenLabel + nonce))
	return m.Sum(nil)[:tokenMACBytes]
}

// publicKeyLabel separates public-key derivation from the other uses of
// the secret key.
const publicKeyLabel = "boomerang/storefront-public-key/v1\x00"

// publicKey derives a shop's storefront key from the secret key: stable
// across reinstalls, not a secret, and revealing nothing of the key.
func publicKey(secretKey []byte, shopID string) string {
	m := hmac.New(sha256.New, secretKey)
	m.Write([]byte(publicKeyLabel + shopID))
	return "pk_" + base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// webhookSecretLen is the length of a new webhook secret: plain
// alphanumerics, since WooCommerce entity-decodes secrets before signing.
const webhookSecretLen = 40

// newWebhookSecret returns webhookSecretLen random alphanumerics.
func newWebhookSecret() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	out := make([]byte, 0, webhookSecretLen)
	var buf [64]byte
	for len(out) < webhookSecretLen {
		_, _ = rand.Read(buf[:])
		for _, c := range buf {
			// 248 = 4 × 62: rejecting the rest keeps every letter equally likely.
			if c < 248 && len(out) < webhookSecretLen {
				out = append(out, alphabet[int(c)%len(alphabet)])
			}
		}
	}
	return string(out)
}
