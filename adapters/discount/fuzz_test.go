package discount

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// The response parsers take whatever a platform (or a proxy in front of it)
// answers: they return a result or an error wrapping ErrMalformed, never
// panic, and agree with themselves.

var fuzzNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// requireMessages checks messages are bounded.
func requireMessages(t *testing.T, msgs []string) {
	t.Helper()
	require.LessOrEqual(t, len(msgs), maxMessages)
	for _, m := range msgs {
		require.NotEmpty(t, m)
		require.LessOrEqual(t, len(m), maxMessageLen+len("…"))
	}
}

func FuzzParseShopifyResponse(f *testing.F) {
	for _, s := range []string{
		`{"data":{"codeDiscountNodeByCode":null}}`,
		`{"data":{"codeDiscountNodeByCode":{"id":"gid://shopify/DiscountCodeNode/1"}}}`,
		`{"data":{"codeDiscountNodeByCode":{"id":""}}}`,
		`{"data":{"discountCodeBasicCreate":{"codeDiscountNode":{"id":"gid://shopify/DiscountCodeNode/2"},"userErrors":[]}}}`,
		`{"data":{"discountCodeBasicCreate":{"codeDiscountNode":null,"userErrors":[{"field":["basicCodeDiscount","code"],"code":"TAKEN","message":"Code must be unique."}]}}}`,
		`{"data":{"discountCodeFreeShippingCreate":{"codeDiscountNode":null,"userErrors":[{"field":null,"code":"INVALID","message":""}]}}}`,
		`{"data":{"discountCodeBasicCreate":{"codeDiscountNode":null}}}`,
		`{"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED"}}],"extensions":{"cost":{"requestedQueryCost":202,"throttleStatus":{"currentlyAvailable":2,"restoreRate":100}}}}`,
		`{"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED"}}],"extensions":{"cost":{"requestedQueryCost":1e308,"throttleStatus":{"currentlyAvailable":-1e308,"restoreRate":1e-308}}}}`,
		`{"errors":"[API] Invalid API key or access token"}`,
		`{"errors":[{}]}`, `{"errors":[]}`, `{"errors":{}}`, `{"data":null}`, `{}`, `[]`, `null`, ``, `<html>`,
		`{"data":[1,2]}`, `{"data":{"discountCodeBasicCreate":[]}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		res, err := parseShopifyResponse(body)
		again, err2 := parseShopifyResponse(body)
		require.Equal(t, err == nil, err2 == nil, "deterministic")
		if err != nil {
			require.ErrorIs(t, err, ErrMalformed)
			require.Nil(t, res)
			return
		}
		require.Equal(t, res, again)
		if len(res.errors) > 0 {
			requireMessages(t, res.errors)
			if res.throttled {
				require.GreaterOrEqual(t, res.throttleWait, time.Second)
				require.LessOrEqual(t, res.throttleWait, maxRetryAfter)
			}
			return
		}
		require.True(t, hasJSON(res.data))
		found, err := parseShopifyLookup(res.data)
		if err != nil {
			require.ErrorIs(t, err, ErrMalformed)
			require.False(t, found)
		}
		for _, field := range []string{"discountCodeBasicCreate", "discountCodeFreeShippingCreate"} {
			created, err := parseShopifyCreate(res.data, field)
			if err != nil {
				require.ErrorIs(t, err, ErrMalformed)
				require.Nil(t, created)
				continue
			}
			outcomes := 0
			if created.taken {
				outcomes++
			}
			if len(created.messages) > 0 {
				outcomes++
				requireMessages(t, created.messages)
			}
			if created.id != "" {
				outcomes++
			}
			require.GreaterOrEqual(t, outcomes, 1, "taken, refused or created")
			if created.id != "" {
				require.Equal(t, 1, outcomes, "a created discount has no user errors")
			}
		}
	})
}

func FuzzShopifyMessages(f *testing.F) {
	for _, s := range []string{
		`{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}`,
		`{"errors":[{"message":"Internal error"}]}`,
		`{"errors":{"query":["Required parameter missing or invalid"],"b":["x","y"]}}`,
		`{"errors":null}`, `<html><body>502</body></html>`, ``, `"x"`, `{"errors":123}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		msgs := shopifyMessages(body)
		requireMessages(t, msgs)
		require.Equal(t, msgs, shopifyMessages(body))
	})
}

func FuzzParseBigCommerceCoupons(f *testing.F) {
	for _, s := range []string{
		`[{"id":1,"name":"$5 off","type":"per_total_discount","amount":"5.0000","code":"S2549JM0Y","applies_to":{"entity":"categories","ids":[0]}}]`,
		`[{"id":1,"code":"s2549jm0y"},{"id":"2","code":"OTHER"}]`,
		`[{"id":1}]`, `[{"id":1,"code":null}]`, `[]`, ``, `{}`, `null`, `[null]`, `[1]`, `{"id":1,"code":"S2549JM0Y"}`,
	} {
		f.Add([]byte(s), "S2549JM0Y")
	}
	f.Fuzz(func(t *testing.T, body []byte, code string) {
		found, err := parseBigCommerceCoupons(body, code)
		if err != nil {
			require.ErrorIs(t, err, ErrMalformed)
			require.False(t, found)
		}
		again, err2 := parseBigCommerceCoupons(body, code)
		require.Equal(t, found, again)
		require.Equal(t, err == nil, err2 == nil)
		if err := parseBigCommerceCreated(body); err != nil {
			require.ErrorIs(t, err, ErrMalformed)
		}
		requireMessages(t, bigCommerceMessages(body))

		// A list the API would send for code always finds it.
		if utf8.ValidString(code) {
			valid, err := json.Marshal([]map[string]any{{"id": 7, "code": code}})
			require.NoError(t, err)
			found, err := parseBigCommerceCoupons(valid, code)
			require.NoError(t, err)
			require.True(t, found)
		}
	})
}

func FuzzParseWooCoupons(f *testing.F) {
	for _, s := range []string{
		`[{"id":720,"code":"comeback-7kq2xw9a","amount":"10.00","discount_type":"percent"}]`,
		`[]`, `[{"id":720}]`, `[{"code":5}]`, `{"code":"woocommerce_rest_coupon_code_already_exists","message":"The coupon code already exists","data":{"status":400}}`,
		`{"code":"","message":""}`, "<br />\n<b>Notice</b>: x<br />\n[]", ``, `null`,
	} {
		f.Add([]byte(s), "COMEBACK-7KQ2XW9A")
	}
	f.Fuzz(func(t *testing.T, body []byte, code string) {
		found, err := parseWooCoupons(body, code)
		if err != nil {
			require.ErrorIs(t, err, ErrMalformed)
			require.False(t, found)
		}
		if err := parseWooCreated(body); err != nil {
			require.ErrorIs(t, err, ErrMalformed)
		}
		msgs, errCode := wooError(body)
		requireMessages(t, msgs)
		if errCode != "" {
			require.NotEmpty(t, msgs)
			require.Contains(t, msgs[0], errCode[:min(len(errCode), 50)])
		}
		if utf8.ValidString(code) {
			valid, err := json.Marshal([]map[string]any{{"id": 1, "code": code}})
			require.NoError(t, err)
			found, err := parseWooCoupons(valid, code)
			require.NoError(t, err)
			require.True(t, found)
		}
	})
}

func FuzzRateLimitHeaders(f *testing.F) {
	f.Add("2", "", "")
	f.Add("Sun, 01 Mar 2026 12:01:30 GMT", "2500", "3")
	f.Add("-1", "-5", "x")
	f.Add("NaN", "9223372036854775807", "9223372036854775807")
	f.Add("1e400", "", "")
	f.Add("0.5", "0", "0")
	f.Fuzz(func(t *testing.T, retry, resetMs, xRetry string) {
		h := http.Header{}
		h.Set(headerRetryAfter, retry)
		h.Set(headerRateLimitReset, resetMs)
		h.Set(headerXRetryAfter, xRetry)
		d, ok := retryAfter(h, fuzzNow)
		require.GreaterOrEqual(t, d, time.Duration(0))
		require.LessOrEqual(t, d, maxRetryAfter)
		if !ok {
			require.Zero(t, d)
		}
		w := bigCommerceWait(h, fuzzNow)
		require.GreaterOrEqual(t, w, d, "BigCommerce takes the longest wait")
		require.LessOrEqual(t, w, maxRetryAfter)
	})
}
