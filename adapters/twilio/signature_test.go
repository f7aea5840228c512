package twilio_test

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/twilio/twilio-go/client"

	"github.com/boomerang-dev/boomerang/adapters/twilio"
)

// Twilio's published example (docs/usage/webhooks/webhooks-security).
const (
	docToken     = "12345"
	docURL       = "https://mycompany.com/myapp.php?foo=1&bar=2"
	docSignature = "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
)

func docParams() url.Values {
	return url.Values{
		"CallSid": {"CA1234567890ABCDE"},
		"Caller":  {"+12349013030"},
		"Digits":  {"1234"},
		"From":    {"+12349013030"},
		"To":      {"+18005551212"},
	}
}

func TestVerifySignatureTwilioExample(t *testing.T) {
	t.Parallel()
	require.Equal(t, docSignature, twilio.Sign(docToken, docURL, docParams()))
	require.NoError(t, twilio.VerifySignature(docToken, docURL, docParams(), docSignature))
	// Twilio's own validator agrees.
	v := client.NewRequestValidator(docToken)
	flat := map[string]string{}
	for k, vs := range docParams() {
		flat[k] = vs[0]
	}
	require.True(t, v.Validate(docURL, flat, twilio.Sign(docToken, docURL, docParams())))
}

func TestVerifySignatureDefaultPort(t *testing.T) {
	t.Parallel()
	require.NoError(t, twilio.VerifySignature(docToken, "https://mycompany.com:443/myapp.php?foo=1&bar=2", docParams(), docSignature))
	withPort := twilio.Sign(docToken, "http://app.example:80/webhooks/twilio", nil)
	require.NoError(t, twilio.VerifySignature(docToken, "http://app.example/webhooks/twilio", nil, withPort))
	require.Error(t, twilio.VerifySignature(docToken, "https://mycompany.com:8443/myapp.php?foo=1&bar=2", docParams(), docSignature))
}

func TestVerifySignatureRejects(t *testing.T) {
	t.Parallel()
	tampered := docParams()
	tampered.Set("Digits", "1235")
	extra := docParams()
	extra.Set("Body", "STOP")
	for name, err := range map[string]error{
		"url":           twilio.VerifySignature(docToken, "https://mycompany.com/myapp.php?foo=1&bar=3", docParams(), docSignature),
		"param":         twilio.VerifySignature(docToken, docURL, tampered, docSignature),
		"extra param":   twilio.VerifySignature(docToken, docURL, extra, docSignature),
		"token":         twilio.VerifySignature("54321", docURL, docParams(), docSignature),
		"no token":      twilio.VerifySignature("", docURL, docParams(), docSignature),
		"missing":       twilio.VerifySignature(docToken, docURL, docParams(), ""),
		"not base64":    twilio.VerifySignature(docToken, docURL, docParams(), "%%%"),
		"truncated":     twilio.VerifySignature(docToken, docURL, docParams(), docSignature[:8]),
		"wrong sig":     twilio.VerifySignature(docToken, docURL, docParams(), "1/KCTR6DLpKmkAf8muzZqo1nDgQ="),
		"scheme change": twilio.VerifySignature(docToken, "http://mycompany.com/myapp.php?foo=1&bar=2", docParams(), docSignature),
	} {
		require.ErrorIs(t, err, twilio.ErrSignature, name)
		require.NotContains(t, err.Error(), docToken, name)
	}
}

func TestSignRepeatedParams(t *testing.T) {
	t.Parallel()
	// Every value of a repeated name is signed, sorted (as twilio-python and
	// twilio-node do), so the order of values in the body does not matter.
	a := url.Values{"MediaUrl": {"b", "a"}, "To": {"+1"}}
	b := url.Values{"MediaUrl": {"a", "b"}, "To": {"+1"}}
	require.Equal(t, twilio.Sign("t", "https://x.example/", a), twilio.Sign("t", "https://x.example/", b))
	require.NotEqual(t, twilio.Sign("t", "https://x.example/", a),
		twilio.Sign("t", "https://x.example/", url.Values{"MediaUrl": {"a"}, "To": {"+1"}}))
}
