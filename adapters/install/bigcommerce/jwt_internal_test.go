package bigcommerce

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const (
	testClientID = "U8RphZeDjQc4kLVSzNjePo0CMjq7yOg"
	testSecret   = "client-secret"
)

// docsNow is within the documented example's validity.
var docsNow = time.Unix(1659031700, 0)

// docsClaims is the example payload of BigCommerce's callbacks guide.
const docsClaims = `{"aud":"U8RphZeDjQc4kLVSzNjePo0CMjq7yOg","iss":"bc","iat":1659031626,"nbf":1659031621,` +
	`"exp":1659118026,"jti":"c5f0bcf5-a504-4ae6-8dcc-0e40eaa5a070","sub":"stores/z4zn3wo",` +
	`"user":{"id":9876543,"email":"authorized_user@example.com","locale":"en-US"},` +
	`"owner":{"id":7654321,"email":"owner@example.com"},"url":"/","channel_id":null}`

func sign(header, payload, secret string) string {
	in := base64.RawURLEncoding.EncodeToString([]byte(header)) + "." + base64.RawURLEncoding.EncodeToString([]byte(payload))
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(in))
	return in + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

const hdr = `{"typ":"JWT","alg":"HS256"}`

func TestVerifyJWTDocsExample(t *testing.T) {
	t.Parallel()
	c, err := verifyJWT(sign(hdr, docsClaims, testSecret), testClientID, []byte(testSecret), docsNow, time.Minute)
	require.NoError(t, err)
	require.Equal(t, "z4zn3wo", c.StoreHash)
}

func TestVerifyJWTReasons(t *testing.T) {
	t.Parallel()
	claims := func(repl ...string) string { return strings.NewReplacer(repl...).Replace(docsClaims) }
	tests := []struct {
		name, token, reason string
	}{
		{"empty", "", "empty"},
		{"two parts", "a.b", "three"},
		{"four parts", sign(hdr, docsClaims, testSecret) + ".x", "three"},
		{"header not base64", "!!." + strings.SplitN(sign(hdr, docsClaims, testSecret), ".", 2)[1], "header is not base64url"},
		{"header not object", sign(`[1]`, docsClaims, testSecret), "header is not a JSON object"},
		{"alg none", sign(`{"alg":"none"}`, docsClaims, testSecret), "alg"},
		{"alg lower case", sign(`{"alg":"hs256"}`, docsClaims, testSecret), "alg"},
		{"alg RS256", sign(`{"alg":"RS256"}`, docsClaims, testSecret), "alg"},
		{"typ other", sign(`{"alg":"HS256","typ":"at+jwt"}`, docsClaims, testSecret), "typ"},
		{"crit", sign(`{"alg":"HS256","crit":["exp"]}`, docsClaims, testSecret), "crit"},
		{"wrong secret", sign(hdr, docsClaims, "other"), "signature does not match"},
		{"short signature", strings.Join(strings.Split(sign(hdr, docsClaims, testSecret), ".")[:2], ".") + ".AAAA", "32 base64url bytes"},
		{"claims not object", sign(hdr, `"x"`, testSecret), "claims"},
		{"claims trailing data", sign(hdr, docsClaims+`{}`, testSecret), "claims"},
		{"exp a string", sign(hdr, claims(`"exp":1659118026`, `"exp":"1659118026"`), testSecret), "claims"},
		{"aud other", sign(hdr, claims(testClientID, "other"), testSecret), "aud"},
		{"aud array with us", sign(hdr, claims(`"aud":"`+testClientID+`"`, `"aud":["x","`+testClientID+`"]`), testSecret), ""},
		{"iss other", sign(hdr, claims(`"iss":"bc"`, `"iss":"bcx"`), testSecret), "iss"},
		{"no exp", sign(hdr, claims(`"exp":1659118026,`, ``), testSecret), "missing"},
		{"expired", sign(hdr, claims(`"exp":1659118026`, `"exp":1659031600`), testSecret), "expired"},
		{"nbf later", sign(hdr, claims(`"nbf":1659031621`, `"nbf":1659031900`), testSecret), "nbf"},
		{"iat later", sign(hdr, claims(`"iat":1659031626`, `"iat":1659031900`), testSecret), "iat"},
		{"fractional dates", sign(hdr, claims(`"exp":1659118026`, `"exp":1659118026.5`), testSecret), ""},
		{"sub not store", sign(hdr, claims(`stores/z4zn3wo`, `stores/../x`), testSecret), "sub"},
		{"sub empty hash", sign(hdr, claims(`stores/z4zn3wo`, `stores/`), testSecret), "sub"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := verifyJWT(tt.token, testClientID, []byte(testSecret), docsNow, time.Minute)
			if tt.reason == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, errPayload)
			require.ErrorContains(t, err, tt.reason)
		})
	}
}

func TestVerifyJWTRefusesPaddedOrNonCanonical(t *testing.T) {
	t.Parallel()
	good := sign(hdr, docsClaims, testSecret)
	parts := strings.Split(good, ".")
	// Padding, and a last character whose unused bits are set.
	padded := parts[0] + "." + parts[1] + "." + parts[2] + "="
	last := parts[2][len(parts[2])-1]
	flipped := parts[0] + "." + parts[1] + "." + parts[2][:len(parts[2])-1] + string(last^1)
	for _, tok := range []string{padded, flipped} {
		_, err := verifyJWT(tok, testClientID, []byte(testSecret), docsNow, time.Minute)
		require.ErrorIs(t, err, errPayload, tok)
	}
}

func TestVerifyJWTNeedsCredentials(t *testing.T) {
	t.Parallel()
	tok := sign(hdr, docsClaims, "")
	_, err := verifyJWT(tok, testClientID, nil, docsNow, time.Minute)
	require.ErrorIs(t, err, errPayload, "an empty secret never verifies")
}

// FuzzVerifyJWT: no input panics; whatever verifies carries the audience,
// a valid store hash and a live exp, and was signed with the secret.
func FuzzVerifyJWT(f *testing.F) {
	f.Add(sign(hdr, docsClaims, testSecret))
	f.Add(sign(`{"alg":"none"}`, docsClaims, testSecret))
	f.Add(sign(hdr, `{"aud":["`+testClientID+`"],"iss":"bc","iat":1,"nbf":1,"exp":1e10,"sub":"stores/a"}`, testSecret))
	f.Add(sign(hdr, `{"aud":null}`, testSecret))
	f.Add("..")
	f.Add("a.b.c")
	f.Add(strings.Repeat("A", maxJWTLen+1))
	f.Fuzz(func(t *testing.T, token string) {
		c, err := verifyJWT(token, testClientID, []byte(testSecret), docsNow, time.Minute)
		if err != nil {
			if !errors.Is(err, errPayload) {
				t.Fatalf("error does not wrap errPayload: %v", err)
			}
			return
		}
		if !c.Audience.contains(testClientID) || !storeHashRE.MatchString(c.StoreHash) || c.Issuer != jwtIssuer {
			t.Fatalf("verified claims out of shape: %+v", c)
		}
		if !docsNow.Before(c.Expires.time().Add(time.Minute)) {
			t.Fatalf("expired token verified")
		}
		i := strings.LastIndexByte(token, '.')
		m := hmac.New(sha256.New, []byte(testSecret))
		m.Write([]byte(token[:i]))
		if token[i+1:] != base64.RawURLEncoding.EncodeToString(m.Sum(nil)) {
			t.Fatalf("token verified without the secret's signature")
		}
	})
}

func FuzzMissingScopes(f *testing.F) {
	f.Add("store_v2_orders store_cart_read_only", "store_v2_orders_read_only")
	f.Add("", "store_cart")
	f.Add("  a\tb ", "b_read_only")
	f.Fuzz(func(t *testing.T, granted, required string) {
		req := strings.Fields(required)
		missing := missingScopes(granted, req)
		if len(missing) > len(req) {
			t.Fatalf("more missing than required")
		}
		if missingScopes(granted+" "+strings.Join(req, " "), req) != nil {
			t.Fatalf("granting every required scope still misses some")
		}
	})
}
