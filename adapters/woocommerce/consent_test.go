package woocommerce_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/flows/event"
)

func TestConsentFromTheShopsMetaKey(t *testing.T) {
	t.Parallel()
	body := func(value string) []byte {
		return []byte(`{"id":727,"order_key":"wc_order_k","status":"processing","currency":"USD","total":"9.00",` +
			`"date_created_gmt":"2026-07-01T10:00:00","date_modified_gmt":"2026-07-01T10:00:00",` +
			`"billing":{"email":"ann@example.com"},"line_items":[],` +
			`"meta_data":[{"id":1,"key":"_newsletter_optin","value":` + value + `}]}`)
	}
	for _, tc := range []struct {
		key, value string
		want       bool
	}{
		{"_newsletter_optin", `"yes"`, true},
		{"_newsletter_optin", `"1"`, true},
		{"_newsletter_optin", `true`, true},
		{"_newsletter_optin", `"no"`, false},
		{"_newsletter_optin", `""`, false},
		{"", `"yes"`, false},
		{"_other_key", `"yes"`, false},
	} {
		b := setup(t)
		b.shop.WooCommerce.ConsentMetaKey = tc.key
		res := b.normalize(t, "order.created", body(tc.value))
		o := events(t, res)[0].Data.(*event.Order)
		require.Equal(t, tc.want, o.AcceptsMarketing, "key %q value %s", tc.key, tc.value)
	}
}
