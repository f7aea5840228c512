package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// ErrBadLink means a customer link's token is malformed or not signed by
// this installation's key.
var ErrBadLink = errors.New("invalid or tampered link")

// LinkClaims is what a customer-facing link carries: whose link it is and
// what it is about. Tokens are signed, not encrypted: they hold no secret,
// only ids the customer already knows.
type LinkClaims struct {
	Shop     string `json:"s"`
	Channel  string `json:"c"`
	Address  string `json:"a"`
	Customer string `json:"u,omitempty"`
	Message  string `json:"m,omitempty"`
	Flow     string `json:"f,omitempty"`
	Run      string `json:"r,omitempty"`
	Step     string `json:"p,omitempty"`
	// Question names what a one-click answer link asks ("why", "score"):
	// its answer travels beside the token, so one token serves every
	// answer of the question.
	Question string `json:"q,omitempty"`
	// Survey names the hosted survey form a survey link opens ("profile"
	// when empty).
	Survey string `json:"v,omitempty"`
}

// Signer signs and verifies customer link tokens with HMAC-SHA256 under a
// key derived from BOOMERANG_SECRET_KEY. Unsubscribe links do not expire:
// the law wants them to keep working.
type Signer struct {
	key []byte
}

// NewSigner returns a Signer for secret.
func NewSigner(secret string) (*Signer, error) {
	if secret == "" {
		return nil, errors.New("link signer: the secret key is empty")
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("boomerang customer links v1"))
	return &Signer{key: m.Sum(nil)}, nil
}

// Sign returns the token for c.
func (s *Signer) Sign(c LinkClaims) string {
	b, _ := json.Marshal(c) //nolint:errchkjson // a struct of strings always encodes
	p := base64.RawURLEncoding.EncodeToString(b)
	return p + "." + base64.RawURLEncoding.EncodeToString(s.mac(p))
}

// Verify checks a token and returns its claims.
func (s *Signer) Verify(token string) (LinkClaims, error) {
	p, sig, ok := strings.Cut(token, ".")
	if !ok {
		return LinkClaims{}, ErrBadLink
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, s.mac(p)) {
		return LinkClaims{}, ErrBadLink
	}
	raw, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil {
		return LinkClaims{}, ErrBadLink
	}
	var c LinkClaims
	if err := json.Unmarshal(raw, &c); err != nil || c.Shop == "" || c.Channel == "" || c.Address == "" {
		return LinkClaims{}, fmt.Errorf("%w: incomplete claims", ErrBadLink)
	}
	return c, nil
}

func (s *Signer) mac(payload string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(payload))
	return m.Sum(nil)
}
