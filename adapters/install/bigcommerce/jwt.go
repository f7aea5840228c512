package bigcommerce

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// errPayload marks every signed_payload_jwt that does not verify.
var errPayload = errors.New("invalid signed_payload_jwt")

// JWT facts of BigCommerce's app callbacks.
const (
	jwtAlg    = "HS256"
	jwtIssuer = "bc"
	// maxJWTLen bounds the token read; BigCommerce's are under 1 KiB.
	maxJWTLen = 8 << 10
	// subjectPrefix starts sub: "stores/{store_hash}".
	subjectPrefix = "stores/"
)

// b64 is unpadded base64url that refuses non-canonical encodings, so one
// token has one spelling.
var b64 = base64.RawURLEncoding.Strict()

// storeHashRE is a store hash as BigCommerce issues them ("g5cd38",
// "29iql3rwa6"); it becomes part of a shop id and of API URLs.
var storeHashRE = regexp.MustCompile(`^[A-Za-z0-9]{1,64}$`)

// claims are the signed_payload_jwt claims Boomerang reads. The others
// (jti, user, owner, url, channel_id) are not decoded, so their shape
// cannot fail a valid token.
type claims struct {
	Audience  audience    `json:"aud"`
	Issuer    string      `json:"iss"`
	IssuedAt  numericDate `json:"iat"`
	NotBefore numericDate `json:"nbf"`
	Expires   numericDate `json:"exp"`
	Subject   string      `json:"sub"`
	// StoreHash is taken from Subject once verified.
	StoreHash string `json:"-"`
}

// audience is aud: one string or an array of strings (RFC 7519 §4.1.3).
type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*a = audience{s}
		return nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return errors.New("aud is neither a string nor an array of strings")
	}
	*a = list
	return nil
}

func (a audience) contains(id string) bool {
	for _, s := range a {
		if hmac.Equal([]byte(s), []byte(id)) {
			return true
		}
	}
	return false
}

// numericDate is a JWT NumericDate: seconds since the epoch, possibly
// fractional. Zero means absent.
type numericDate int64

// maxNumericDate is year 5138: anything later is nonsense.
const maxNumericDate = 1e11

func (d *numericDate) UnmarshalJSON(b []byte) error {
	s := string(bytes.TrimSpace(b))
	if s == "" || (s[0] != '-' && (s[0] < '0' || s[0] > '9')) {
		return errors.New("a date claim is not a number")
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || f <= 0 || f > maxNumericDate {
		return errors.New("a date claim is out of range")
	}
	*d = numericDate(math.Floor(f))
	return nil
}

func (d numericDate) time() time.Time { return time.Unix(int64(d), 0) }

// jwtHeader is the JOSE header.
type jwtHeader struct {
	Alg  string          `json:"alg"`
	Typ  *string         `json:"typ"`
	Crit json.RawMessage `json:"crit"`
}

// verifyJWT checks a signed_payload_jwt and returns its claims: three
// canonical base64url parts; a header naming HS256 (typ, when present,
// "JWT"; no crit); an HMAC-SHA256 signature by secret over
// "header.payload", compared in constant time before the claims are read;
// aud holding clientID; iss "bc"; exp after now-leeway; nbf and iat before
// now+leeway; sub "stores/{store_hash}". Every failure wraps errPayload and
// names the first check that failed, never a claim's value.
func verifyJWT(token, clientID string, secret []byte, now time.Time, leeway time.Duration) (*claims, error) {
	if len(secret) == 0 || clientID == "" {
		return nil, fmt.Errorf("%w: no client credentials to check it with", errPayload)
	}
	if token == "" || len(token) > maxJWTLen {
		return nil, fmt.Errorf("%w: empty or longer than %d bytes", errPayload, maxJWTLen)
	}
	h64, rest, ok1 := strings.Cut(token, ".")
	p64, s64, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 || strings.Contains(s64, ".") {
		return nil, fmt.Errorf("%w: not three dot-separated parts", errPayload)
	}
	hb, err := b64.DecodeString(h64)
	if err != nil {
		return nil, fmt.Errorf("%w: header is not base64url", errPayload)
	}
	var hdr jwtHeader
	if err := strictJSON(hb, &hdr); err != nil {
		return nil, fmt.Errorf("%w: header is not a JSON object", errPayload)
	}
	if hdr.Alg != jwtAlg {
		return nil, fmt.Errorf("%w: alg is not %s", errPayload, jwtAlg)
	}
	if hdr.Typ != nil && !strings.EqualFold(*hdr.Typ, "JWT") {
		return nil, fmt.Errorf("%w: typ is not JWT", errPayload)
	}
	if hdr.Crit != nil {
		return nil, fmt.Errorf("%w: crit extensions are not understood", errPayload)
	}
	sig, err := b64.DecodeString(s64)
	if err != nil || len(sig) != sha256.Size {
		return nil, fmt.Errorf("%w: signature is not 32 base64url bytes", errPayload)
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(token[:len(h64)+1+len(p64)]))
	if !hmac.Equal(sig, mac.Sum(nil)) {
		return nil, fmt.Errorf("%w: signature does not match", errPayload)
	}
	pb, err := b64.DecodeString(p64)
	if err != nil {
		return nil, fmt.Errorf("%w: payload is not base64url", errPayload)
	}
	var c claims
	if err := strictJSON(pb, &c); err != nil {
		return nil, fmt.Errorf("%w: claims are not a JSON object of the documented shape", errPayload)
	}
	if err := c.check(clientID, now, leeway); err != nil {
		return nil, err
	}
	return &c, nil
}

// check validates the claims and sets StoreHash.
func (c *claims) check(clientID string, now time.Time, leeway time.Duration) error {
	if !c.Audience.contains(clientID) {
		return fmt.Errorf("%w: aud is not this app's client id", errPayload)
	}
	if c.Issuer != jwtIssuer {
		return fmt.Errorf("%w: iss is not %q", errPayload, jwtIssuer)
	}
	if c.Expires == 0 || c.NotBefore == 0 || c.IssuedAt == 0 {
		return fmt.Errorf("%w: exp, nbf or iat is missing", errPayload)
	}
	if !now.Before(c.Expires.time().Add(leeway)) {
		return fmt.Errorf("%w: expired", errPayload)
	}
	if now.Add(leeway).Before(c.NotBefore.time()) {
		return fmt.Errorf("%w: not valid yet (nbf)", errPayload)
	}
	if now.Add(leeway).Before(c.IssuedAt.time()) {
		return fmt.Errorf("%w: issued in the future (iat)", errPayload)
	}
	hash, ok := strings.CutPrefix(c.Subject, subjectPrefix)
	if !ok || !storeHashRE.MatchString(hash) {
		return fmt.Errorf("%w: sub is not stores/{store_hash}", errPayload)
	}
	c.StoreHash = hash
	return nil
}

// strictJSON decodes one JSON object into v with nothing after it.
func strictJSON(b []byte, v any) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return errors.New("not a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(v); err != nil {
		return err
	}
	if len(bytes.TrimSpace(b[dec.InputOffset():])) > 0 {
		return errors.New("data after the object")
	}
	return nil
}
