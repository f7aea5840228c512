package vault

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// DefaultKeyID names the first key a Keyring seals with.
const DefaultKeyID = "k1"

// keyInfo is the HKDF context of the derived key: another use of
// BOOMERANG_SECRET_KEY (signing links) derives a different key.
const keyInfo = "boomerang/shop-credentials/aes-256-gcm/v1"

// keyIDPattern is what a key id may be: it prefixes every sealed value.
var keyIDPattern = regexp.MustCompile(`^[a-z0-9]{1,16}$`)

// Key is one secret a Keyring can use, under its id.
type Key struct {
	// ID names the key in every value it sealed ("k1"); empty means
	// DefaultKeyID. Lower-case letters and digits, at most 16.
	ID string
	// Secret is BOOMERANG_SECRET_KEY (the current or a previous one). The
	// AES-256 key is derived from it with HKDF-SHA256. Never logged.
	Secret string
}

// Keyring seals credentials with its current key and opens values sealed
// with any of its keys, so BOOMERANG_SECRET_KEY can rotate: give the new
// secret a new id as the current key and keep the old one as a previous key
// until every value was sealed again (a token is re-sealed at every refresh).
// It is safe for concurrent use.
type Keyring struct {
	current string
	aeads   map[string]cipher.AEAD
}

// NewKeyring returns a Keyring that seals with current and opens with current
// and previous. It fails on an empty secret, a bad or repeated id.
func NewKeyring(current Key, previous ...Key) (*Keyring, error) {
	k := &Keyring{aeads: map[string]cipher.AEAD{}}
	for i, key := range append([]Key{current}, previous...) {
		id := key.ID
		if id == "" {
			id = DefaultKeyID
		}
		if !keyIDPattern.MatchString(id) {
			return nil, fmt.Errorf("vault: key id %q must be 1 to 16 lower-case letters or digits", id)
		}
		if key.Secret == "" {
			return nil, fmt.Errorf("vault: key %q has no secret (BOOMERANG_SECRET_KEY)", id)
		}
		if _, dup := k.aeads[id]; dup {
			return nil, fmt.Errorf("vault: key id %q is given twice", id)
		}
		raw, err := hkdf.Key(sha256.New, []byte(key.Secret), nil, keyInfo, 32)
		if err != nil {
			return nil, fmt.Errorf("vault: deriving key %q: %w", id, err)
		}
		block, err := aes.NewCipher(raw)
		if err != nil {
			return nil, fmt.Errorf("vault: key %q: %w", id, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("vault: key %q: %w", id, err)
		}
		k.aeads[id] = aead
		if i == 0 {
			k.current = id
		}
	}
	return k, nil
}

// errUnsealable is why a sealed value cannot be opened; it never says more
// than that, so it cannot leak anything about the key or the value.
var errUnsealable = errors.New("sealed value cannot be opened")

// Seal encrypts plaintext with AES-256-GCM under the current key, binding it
// to aad (the shop id, so a value copied to another shop's key does not
// open). The result is "<key id>:" and the base64url (unpadded) nonce and
// ciphertext.
func (k *Keyring) Seal(plaintext, aad []byte) (string, error) {
	aead := k.aeads[k.current]
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plaintext)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("vault: sealing: %w", err)
	}
	sealed := aead.Seal(nonce, nonce, plaintext, aad)
	return k.current + ":" + base64.RawURLEncoding.EncodeToString(sealed), nil
}

// Open decrypts a value Seal made under any key of the ring, with the same
// aad. A value of an unknown key, tampered with, or sealed for another aad is
// an error.
func (k *Keyring) Open(sealed string, aad []byte) ([]byte, error) {
	id, data, ok := strings.Cut(sealed, ":")
	if !ok {
		return nil, fmt.Errorf("vault: %w: no key id", errUnsealable)
	}
	aead, ok := k.aeads[id]
	if !ok {
		return nil, fmt.Errorf("vault: %w: key id %q is not in the keyring", errUnsealable, truncate(id, 16))
	}
	raw, err := base64.RawURLEncoding.DecodeString(data)
	if err != nil || len(raw) < aead.NonceSize()+aead.Overhead() {
		return nil, fmt.Errorf("vault: %w: not base64url of nonce and ciphertext", errUnsealable)
	}
	plain, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], aad)
	if err != nil {
		return nil, fmt.Errorf("vault: %w under key %q", errUnsealable, id)
	}
	return plain, nil
}

// CurrentKeyID is the id Seal writes.
func (k *Keyring) CurrentKeyID() string { return k.current }

// truncate shortens s to at most n bytes of valid UTF-8.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
