package discount_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/discount"
	"github.com/boomerang-dev/boomerang/adapters/discount/discounttest"
)

func newShopify(t *testing.T) (*discount.Shopify, *discounttest.Shopify) {
	t.Helper()
	fake := discounttest.NewShopify(t)
	m, err := discount.NewShopify(discount.ShopifyConfig{BaseURL: fake.BaseURL + "/", AccessToken: fake.AccessToken, Now: fixedNow})
	require.NoError(t, err)
	return m, fake
}

func TestShopifyBasicCreateInput(t *testing.T) {
	t.Parallel()
	m, fake := newShopify(t)
	expires := testNow.Add(72 * time.Hour)
	created, err := m.Ensure(t.Context(), discount.Code{Code: "COMEBACK-7KQ2XW9A", Title: "Boomerang abandoned-checkout", Percent: 10, ExpiresAt: expires})
	require.NoError(t, err)
	require.True(t, created)
	d, ok := fake.Discount("COMEBACK-7KQ2XW9A")
	require.True(t, ok)
	require.JSONEq(t, `{
		"title": "Boomerang abandoned-checkout",
		"code": "COMEBACK-7KQ2XW9A",
		"startsAt": "2026-03-01T12:00:00Z",
		"endsAt": "2026-03-04T12:00:00Z",
		"context": {"all": "ALL"},
		"customerGets": {"value": {"percentage": 0.1}, "items": {"all": true}},
		"appliesOncePerCustomer": true,
		"usageLimit": 1
	}`, string(d.Raw))
	require.True(t, d.StartsAt.Equal(testNow), "a Code without StartsAt starts now")
}

func TestShopifyAmountForProducts(t *testing.T) {
	t.Parallel()
	m, fake := newShopify(t)
	starts := testNow.Add(time.Hour)
	_, err := m.Ensure(t.Context(), discount.Code{
		Code: "XSELL-1", Amount: "5.00", StartsAt: starts,
		ProductIDs: []string{"632910392", "gid://shopify/Product/921728736"},
	})
	require.NoError(t, err)
	d, ok := fake.Discount("XSELL-1")
	require.True(t, ok)
	var in map[string]any
	require.NoError(t, json.Unmarshal(d.Raw, &in))
	require.Equal(t, "Boomerang", in["title"], "the default title")
	require.Equal(t, "2026-03-01T13:00:00Z", in["startsAt"])
	require.NotContains(t, in, "endsAt", "no expiry")
	require.Equal(t, map[string]any{
		"value": map[string]any{"discountAmount": map[string]any{"amount": "5.00", "appliesOnEachItem": false}},
		"items": map[string]any{"products": map[string]any{"productsToAdd": []any{"gid://shopify/Product/632910392", "gid://shopify/Product/921728736"}}},
	}, in["customerGets"])
}

func TestShopifyFreeShippingUsesItsMutation(t *testing.T) {
	t.Parallel()
	m, fake := newShopify(t)
	_, err := m.Ensure(t.Context(), discount.Code{Code: "SHIP-1", FreeShipping: true, UsageLimit: 2})
	require.NoError(t, err)
	d, ok := fake.Discount("SHIP-1")
	require.True(t, ok)
	require.True(t, d.FreeShipping, "created through discountCodeFreeShippingCreate")
	var in map[string]any
	require.NoError(t, json.Unmarshal(d.Raw, &in))
	require.Equal(t, map[string]any{"all": true}, in["destination"])
	require.NotContains(t, in, "customerGets")
	require.InDelta(t, 2.0, in["usageLimit"], 0)

	_, err = m.Ensure(t.Context(), discount.Code{Code: "SHIP-2", FreeShipping: true, ProductIDs: []string{"1"}})
	de := requireKind(t, err, discount.ErrPermanent, 0, "")
	require.Equal(t, "validate", de.Op)
	require.Contains(t, err.Error(), "cannot be limited to products")
}

func TestShopifyThrottledIsTemporaryWithTheBucketWait(t *testing.T) {
	t.Parallel()
	m, fake := newShopify(t)
	fake.Respond(fake.Throttled())
	_, err := m.Ensure(t.Context(), discount.Code{Code: "THROTTLE-1", Percent: 10})
	de := requireKind(t, err, discount.ErrTemporary, 200, fake.AccessToken)
	require.Equal(t, 2*time.Second, discount.RetryAfter(err), "(202 - 2) / 100 per second")
	require.Equal(t, []string{"THROTTLED: Throttled"}, de.Messages)
}

func TestShopifyUserErrorIsPermanent(t *testing.T) {
	t.Parallel()
	m, fake := newShopify(t)
	fake.Respond(discounttest.Response{Status: 200, Body: `{"data":{"codeDiscountNodeByCode":null}}`})
	fake.Respond(discounttest.Response{Status: 200, Body: `{"data":{"discountCodeBasicCreate":{"codeDiscountNode":null,"userErrors":[
		{"field":["basicCodeDiscount","endsAt"],"code":"END_DATE_BEFORE_START_DATE","message":"Ends at needs to be after starts_at"}]}}}`})
	_, err := m.Ensure(t.Context(), discount.Code{Code: "BAD-DATES", Percent: 10})
	de := requireKind(t, err, discount.ErrPermanent, 0, "")
	require.Equal(t, "create", de.Op)
	require.Equal(t, []string{"END_DATE_BEFORE_START_DATE basicCodeDiscount.endsAt: Ends at needs to be after starts_at"}, de.Messages)
}

func TestShopifyTakenOnAnotherFieldIsNotADuplicate(t *testing.T) {
	t.Parallel()
	m, fake := newShopify(t)
	fake.Respond(discounttest.Response{Status: 200, Body: `{"data":{"codeDiscountNodeByCode":null}}`})
	fake.Respond(discounttest.Response{Status: 200, Body: `{"data":{"discountCodeBasicCreate":{"codeDiscountNode":null,"userErrors":[
		{"field":["basicCodeDiscount","title"],"code":"TAKEN","message":"Title is taken"}]}}}`})
	_, err := m.Ensure(t.Context(), discount.Code{Code: "TITLE-TAKEN", Percent: 10})
	requireKind(t, err, discount.ErrPermanent, 0, "")
}

func TestShopifyGraphQLErrorIsPermanent(t *testing.T) {
	t.Parallel()
	m, fake := newShopify(t)
	fake.Respond(discounttest.Response{Status: 200, Body: `{"errors":[{"message":"Access denied for codeDiscountNodeByCode field. Required access: read_discounts access scope.","extensions":{"code":"ACCESS_DENIED"}}]}`})
	_, err := m.Ensure(t.Context(), discount.Code{Code: "SCOPE-1", Percent: 10})
	de := requireKind(t, err, discount.ErrPermanent, 200, "")
	require.Contains(t, de.Messages[0], "ACCESS_DENIED")
}

func TestShopifySendsTheDocumentedRequest(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.Method != http.MethodPost || r.URL.Path != "/admin/api/2025-10/graphql.json" ||
			r.Header.Get("X-Shopify-Access-Token") != "tok" || r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "unexpected request", http.StatusTeapot)
			return
		}
		var body struct {
			Query     string         `json:"query"`
			Variables map[string]any `json:"variables"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Variables["code"] != "V-1" {
			http.Error(w, "unexpected body", http.StatusTeapot)
			return
		}
		_, _ = w.Write([]byte(`{"data":{"codeDiscountNodeByCode":{"id":"gid://shopify/DiscountCodeNode/1"}}}`))
	}))
	t.Cleanup(srv.Close)
	m, err := discount.NewShopify(discount.ShopifyConfig{BaseURL: srv.URL, AccessToken: "tok", APIVersion: "2025-10"})
	require.NoError(t, err)
	created, err := m.Ensure(t.Context(), discount.Code{Code: "V-1", Percent: 10})
	require.NoError(t, err)
	require.False(t, created)
	require.Equal(t, int32(1), calls.Load())
}

func TestShopifyDoesNotFollowRedirects(t *testing.T) {
	t.Parallel()
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { elsewhere.Add(1) }))
	t.Cleanup(other.Close)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/steal?token=x", http.StatusTemporaryRedirect)
	}))
	t.Cleanup(srv.Close)
	m, err := discount.NewShopify(discount.ShopifyConfig{BaseURL: srv.URL, AccessToken: "tok-secret"})
	require.NoError(t, err)
	_, err = m.Ensure(t.Context(), discount.Code{Code: "R-1", Percent: 10})
	requireKind(t, err, discount.ErrPermanent, http.StatusTemporaryRedirect, "tok-secret")
	require.Contains(t, err.Error(), "redirected to "+other.URL+"/steal")
	require.NotContains(t, err.Error(), "token=x")
	require.Zero(t, elsewhere.Load(), "the token never reached the other host")
}

func TestNewShopifyValidates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  discount.ShopifyConfig
		want string
	}{
		{"no base", discount.ShopifyConfig{AccessToken: "t"}, "BaseURL"},
		{"relative base", discount.ShopifyConfig{BaseURL: "shop.myshopify.com", AccessToken: "t"}, "BaseURL"},
		{"user info", discount.ShopifyConfig{BaseURL: "https://u:p@shop.myshopify.com", AccessToken: "t"}, "user info"},
		{"no token", discount.ShopifyConfig{BaseURL: "https://shop.myshopify.com"}, "AccessToken"},
		{"bad version", discount.ShopifyConfig{BaseURL: "https://shop.myshopify.com", AccessToken: "t", APIVersion: "latest"}, "APIVersion"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := discount.NewShopify(tt.cfg)
			require.ErrorContains(t, err, tt.want)
		})
	}
	m, err := discount.NewShopify(discount.ShopifyConfig{BaseURL: "https://shop.myshopify.com", AccessToken: "t"})
	require.NoError(t, err)
	require.NotNil(t, m)
}
