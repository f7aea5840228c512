package discount_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/discount"
	"github.com/boomerang-dev/boomerang/adapters/discount/discounttest"
)

func newBigCommerce(t *testing.T) (*discount.BigCommerce, *discounttest.BigCommerce) {
	t.Helper()
	fake := discounttest.NewBigCommerce(t)
	m, err := discount.NewBigCommerce(discount.BigCommerceConfig{BaseURL: fake.BaseURL, AccessToken: fake.AccessToken, Now: fixedNow})
	require.NoError(t, err)
	return m, fake
}

func TestBigCommerceCreateBody(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		code discount.Code
		want string
	}{
		{
			name: "percent off everything, expiring",
			code: discount.Code{Code: "COMEBACK-7KQ2XW9A", Title: "Boomerang abandoned-checkout", Percent: 10, ExpiresAt: testNow.Add(72 * time.Hour)},
			want: `{"name":"Boomerang abandoned-checkout COMEBACK-7KQ2XW9A","type":"percentage_discount","amount":"10","code":"COMEBACK-7KQ2XW9A",
				"enabled":true,"applies_to":{"entity":"categories","ids":[0]},"expires":"Wed, 04 Mar 2026 12:00:00 +0000",
				"max_uses":1,"max_uses_per_customer":1}`,
		},
		{
			name: "amount off products",
			code: discount.Code{Code: "XSELL-1", Amount: "7.50", ProductIDs: []string{"77", "78"}, UsageLimit: 5},
			want: `{"name":"Boomerang XSELL-1","type":"per_total_discount","amount":"7.50","code":"XSELL-1","enabled":true,
				"applies_to":{"entity":"products","ids":[77,78]},"max_uses":5,"max_uses_per_customer":1}`,
		},
		{
			name: "free shipping",
			code: discount.Code{Code: "SHIP-1", FreeShipping: true},
			want: `{"name":"Boomerang SHIP-1","type":"free_shipping","amount":"0","code":"SHIP-1","enabled":true,
				"applies_to":{"entity":"categories","ids":[0]},"max_uses":1,"max_uses_per_customer":1}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, fake := newBigCommerce(t)
			created, err := m.Ensure(t.Context(), tt.code)
			require.NoError(t, err)
			require.True(t, created)
			d, ok := fake.Discount(tt.code.Code)
			require.True(t, ok)
			require.JSONEq(t, tt.want, string(d.Raw))
		})
	}
}

func TestBigCommerceLongTitleKeepsTheCodeInTheName(t *testing.T) {
	t.Parallel()
	m, fake := newBigCommerce(t)
	_, err := m.Ensure(t.Context(), discount.Code{Code: "LONG-1", Title: strings.Repeat("é", 80), Percent: 10})
	require.NoError(t, err)
	d, ok := fake.Discount("LONG-1")
	require.True(t, ok)
	require.LessOrEqual(t, len(d.Title), 100)
	require.True(t, strings.HasSuffix(d.Title, " LONG-1"), d.Title)
	require.True(t, json.Valid([]byte(`"`+d.Title+`"`)))
}

func TestBigCommerceNameClashWithAnotherCodeIsPermanent(t *testing.T) {
	t.Parallel()
	m, fake := newBigCommerce(t)
	// A coupon already bears the name this one would get, under another code.
	fake.Add(discounttest.Discount{Code: "OTHER", Title: "Boomerang CLASH-1", Percent: 5})
	created, err := m.Ensure(t.Context(), discount.Code{Code: "CLASH-1", Percent: 10})
	require.False(t, created)
	de := requireKind(t, err, discount.ErrPermanent, 409, fake.AccessToken)
	require.Equal(t, "create", de.Op)
	require.Contains(t, de.Messages[0], "name")
	require.Equal(t, 2, fake.Lookups(), "the 409 was checked with a second lookup")
}

func TestBigCommerceDuplicateCodeIsSuccess(t *testing.T) {
	t.Parallel()
	m, fake := newBigCommerce(t)
	fake.Add(discounttest.Discount{Code: "DUP-1", Title: "made elsewhere", Percent: 10})
	fake.HideFromLookup("DUP-1", 1)
	created, err := m.Ensure(t.Context(), discount.Code{Code: "DUP-1", Percent: 10})
	require.NoError(t, err)
	require.False(t, created)
	require.Equal(t, 1, fake.Creates())
}

func TestBigCommerceRateLimitHeaders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		header map[string]string
		want   time.Duration
	}{
		{"reset ms", map[string]string{"X-Rate-Limit-Time-Reset-Ms": "2500"}, 2500 * time.Millisecond},
		{"x-retry-after wins when longer", map[string]string{"X-Rate-Limit-Time-Reset-Ms": "2500", "X-Retry-After": "4"}, 4 * time.Second},
		{"retry-after date", map[string]string{"Retry-After": testNow.Add(90 * time.Second).Format("Mon, 02 Jan 2006 15:04:05 GMT")}, 90 * time.Second},
		{"none", map[string]string{}, 0},
		{"capped", map[string]string{"X-Rate-Limit-Time-Reset-Ms": "999999999999"}, time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, fake := newBigCommerce(t)
			h := hdr()
			for k, v := range tt.header {
				h.Set(k, v)
			}
			fake.Respond(discounttest.Response{Status: 429, Header: h, Body: `{"status":429,"title":"Too many requests"}`})
			_, err := m.Ensure(t.Context(), discount.Code{Code: "RL-1", Percent: 10})
			de := requireKind(t, err, discount.ErrTemporary, 429, "")
			require.Equal(t, tt.want, discount.RetryAfter(err))
			require.Equal(t, []string{"Too many requests"}, de.Messages)
		})
	}
}

func TestBigCommerceProductIDsMustBeNumeric(t *testing.T) {
	t.Parallel()
	m, fake := newBigCommerce(t)
	_, err := m.Ensure(t.Context(), discount.Code{Code: "P-1", Percent: 10, ProductIDs: []string{"gid://shopify/Product/1"}})
	de := requireKind(t, err, discount.ErrPermanent, 0, "")
	require.Equal(t, "validate", de.Op)
	require.Equal(t, 0, fake.Creates())
}

func TestNewBigCommerceValidates(t *testing.T) {
	t.Parallel()
	_, err := discount.NewBigCommerce(discount.BigCommerceConfig{AccessToken: "t"})
	require.ErrorContains(t, err, "BaseURL")
	_, err = discount.NewBigCommerce(discount.BigCommerceConfig{BaseURL: "https://api.bigcommerce.com/stores/abc?x=1", AccessToken: "t"})
	require.ErrorContains(t, err, "query")
	_, err = discount.NewBigCommerce(discount.BigCommerceConfig{BaseURL: "https://api.bigcommerce.com/stores/abc"})
	require.ErrorContains(t, err, "AccessToken")
}
