package twilio_test

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/twilio"
)

// FuzzVerifySignature checks that what Sign produces verifies, that any
// other token, URL or signature is rejected with ErrSignature, and that no
// input panics. Seeded with Twilio's published example.
func FuzzVerifySignature(f *testing.F) {
	f.Add(docToken, docURL, docParams().Encode(), docSignature)
	f.Add(docToken, "https://mycompany.com:443/myapp.php?foo=1&bar=2", docParams().Encode(), docSignature)
	f.Add("t", "http://[::1]:80/x?y", "a=1&a=2&b=", "")
	f.Add("", "", "", "====")
	f.Add("\x00", "%zz://", "a=%zz", "not base64")
	f.Fuzz(func(t *testing.T, token, rawURL, body, signature string) {
		params, _ := url.ParseQuery(body)
		err := twilio.VerifySignature(token, rawURL, params, signature)
		if err != nil {
			require.ErrorIs(t, err, twilio.ErrSignature)
		}
		if token == "" {
			require.Error(t, err)
			return
		}
		good := twilio.Sign(token, rawURL, params)
		require.NoError(t, twilio.VerifySignature(token, rawURL, params, good))
		if strings.TrimRight(token+"x", "\x00") != strings.TrimRight(token, "\x00") {
			require.ErrorIs(t, twilio.VerifySignature(token+"x", rawURL, params, good), twilio.ErrSignature)
		}
		require.ErrorIs(t, twilio.VerifySignature(token, rawURL+"/extra", params, good), twilio.ErrSignature)
		raw, decErr := base64.StdEncoding.DecodeString(good)
		require.NoError(t, decErr)
		raw[0] ^= 1
		require.ErrorIs(t, twilio.VerifySignature(token, rawURL, params, base64.StdEncoding.EncodeToString(raw)), twilio.ErrSignature)
	})
}

// FuzzWebhook posts any form, query and signature and checks that the
// answer is one of the documented ones, that an unsigned request never gets
// past 401, and that a signed one is never refused as unsigned.
func FuzzWebhook(f *testing.F) {
	f.Add("flow=f&mid=m&shop=demo", statusForm("delivered").Encode(), true)
	f.Add("", inboundForm("STOP").Encode(), true)
	f.Add("", inboundForm("help").Encode(), true)
	f.Add("shop=%zz", "MessageSid=SM1&MessageStatus=failed&ErrorCode=30007", true)
	f.Add("", "a=%zz&b", false)
	f.Add("", "", true)
	f.Fuzz(func(t *testing.T, query, body string, sign bool) {
		b := setupWebhook(t)
		target := "/webhooks/twilio"
		if query != "" {
			target += "?" + url.PathEscape(query)
		}
		req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "http://app.example/", strings.NewReader(body))
		u, err := url.ParseRequestURI(target)
		if err != nil {
			return
		}
		req.URL = u
		params, _ := url.ParseQuery(body)
		if sign {
			req.Header.Set(twilio.HeaderSignature, twilio.Sign(testToken, publicURL+u.RequestURI(), params))
		}
		rec := httptest.NewRecorder()
		b.hook.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK:
			require.True(t, sign)
			require.True(t, strings.HasPrefix(rec.Body.String(), "<Response"))
			for _, m := range b.pub.all() {
				require.NoError(t, m.event.Validate())
				require.Equal(t, m.event.ID, m.msgID)
			}
		case http.StatusBadRequest:
			require.True(t, sign)
		case http.StatusUnauthorized:
			require.False(t, sign)
		default:
			t.Fatalf("unexpected answer %d", rec.Code)
		}
	})
}

// FuzzWebhookShopPath posts any form to any path under the webhook, signed
// with the role's token, a subaccount's, or a forged one, and checks the
// order of the answers: nothing but 401 unless the token is the one the
// path calls for (a shop's own for its path, else the role's — unknown
// shops included), 404 only for an unknown shop, and every event published
// from a shop's path is that shop's.
func FuzzWebhookShopPath(f *testing.F) {
	f.Add("sub", "", inboundForm("STOP").Encode(), uint8(1))
	f.Add("sub", "mid=m&shop=sub", statusForm("sent").Encode(), uint8(1))
	f.Add("sub", "mid=m&shop=demo", statusForm("sent").Encode(), uint8(1))
	f.Add("sub", "", inboundForm("STOP").Encode(), uint8(0))
	f.Add("demo", "", inboundForm("help").Encode(), uint8(0))
	f.Add("nobody", "", inboundForm("STOP").Encode(), uint8(0))
	f.Add("nobody", "", inboundForm("STOP").Encode(), uint8(2))
	f.Add("a/b", "", "", uint8(0))
	f.Add("%zz", "x=%zz", "a=%zz&b", uint8(1))
	f.Fuzz(func(t *testing.T, seg, query, body string, signer uint8) {
		b := setupWebhook(t)
		target := "/webhooks/twilio/" + seg
		if query != "" {
			target += "?" + query
		}
		u, err := url.ParseRequestURI(target)
		if err != nil {
			return
		}
		req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "http://app.example/", strings.NewReader(body))
		req.URL = u
		token := [...]string{testToken, subToken, "forged"}[int(signer)%3]
		params, _ := url.ParseQuery(body)
		req.Header.Set(twilio.HeaderSignature, twilio.Sign(token, publicURL+u.RequestURI(), params))
		rec := httptest.NewRecorder()
		b.hook.ServeHTTP(rec, req)

		id, _ := strings.CutPrefix(u.Path, "/webhooks/twilio/")
		sh, known := testShops().Shop(id)
		want := testToken
		if known && sh.AuthToken != "" {
			want = sh.AuthToken
		}
		if token != want {
			require.Equal(t, http.StatusUnauthorized, rec.Code)
			require.Empty(t, b.pub.all())
			return
		}
		switch rec.Code {
		case http.StatusNotFound:
			require.False(t, known)
		case http.StatusOK, http.StatusBadRequest:
			require.True(t, known)
		default:
			t.Fatalf("unexpected answer %d", rec.Code)
		}
		for _, m := range b.pub.all() {
			require.NoError(t, m.event.Validate())
			require.Equal(t, id, m.event.Shop, "a shop's path publishes only that shop's events")
		}
	})
}
