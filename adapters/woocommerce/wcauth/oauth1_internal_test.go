package wcauth

import (
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The signature matches one computed independently (Python's hmac over the
// RFC 5849 base string, rawurlencode-style escaping).
func TestSignatureMatchesAnIndependentComputation(t *testing.T) {
	t.Parallel()
	q := url.Values{
		oauthConsumerKey: {"ck_1"}, oauthTimestamp: {"1700000000"}, oauthNonce: {"NONCE"},
		oauthSignatureMethod: {oauthHMACSHA256}, "code": {"SAVE 10%"},
	}
	require.Equal(t, "W1wDZpVMPr/MD56E+x/3zw7zvOO1JG13L8IrsNsZvlE=",
		oauthSignature256("get", "http://shop.example/wp-json/wc/v3/coupons", q, "cs_2"))
}

func TestSignAddsTheParametersAndASignatureOverThem(t *testing.T) {
	t.Parallel()
	q := url.Values{"code": {"SAVE-1"}, oauthSignature: {"stale"}}
	now := time.Unix(1700000000, 0)
	Sign("POST", "http://shop.example/wp-json/wc/v3/coupons", q, "ck_1", "cs_2", now)
	require.Equal(t, "ck_1", q.Get(oauthConsumerKey))
	require.Equal(t, "1700000000", q.Get(oauthTimestamp))
	require.Len(t, q.Get(oauthNonce), oauthNonceLen)
	require.Equal(t, oauthHMACSHA256, q.Get(oauthSignatureMethod))
	require.Len(t, q[oauthSignature], 1, "an old signature is replaced")
	require.Equal(t, oauthSignature256("POST", "http://shop.example/wp-json/wc/v3/coupons", q, "cs_2"), q.Get(oauthSignature))
	require.NotEqual(t, q.Get(oauthSignature), oauthSignature256("POST", "http://shop.example/wp-json/wc/v3/coupons", q, "other"))
	require.Equal(t, "a%20b%2B%2F~", oauthEscape("a b+/~"))
}
