package woocommerce_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/ingest/ingesttest"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// TestGolden normalises every sample in testdata/webhooks (named
// <resource>.<event>[.<variant>].json, the topic being the first two parts)
// and compares the messages with testdata/golden/<sample>.golden.
// UPDATE_GOLDEN=1 rewrites them.
func TestGolden(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("testdata", "webhooks", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			parts := strings.SplitN(name, ".", 3)
			require.Len(t, parts[:2], 2)
			topic := parts[0] + "." + parts[1]
			body, err := os.ReadFile(file)
			require.NoError(t, err)
			res := b.normalize(t, topic, body)
			require.Equal(t, topic, res.Topic)
			require.NotEmpty(t, res.DeliveryID)
			ingesttest.Golden(t, filepath.Join("testdata", "golden", name+".golden"), ingesttest.JSONLines(t, res))
		})
	}
}

// TestMapping pins the events each sample becomes, beside the golden files.
func TestMapping(t *testing.T) {
	t.Parallel()
	cases := []struct {
		topic, sample string
		want          []event.Type
	}{
		{"order.created", "order.created.json", []event.Type{event.OrderPlaced, event.OrderPaid}},
		{"order.created", "order.created.guest.json", []event.Type{event.OrderPlaced}},
		{"order.created", "order.created.checkout-draft.json", []event.Type{event.CheckoutUpdated}},
		{"order.updated", "order.updated.json", []event.Type{event.OrderUpdated, event.OrderPaid, event.OrderFulfilled}},
		{"order.updated", "order.updated.completed.json", []event.Type{event.OrderUpdated, event.OrderFulfilled}},
		{"order.updated", "order.updated.cancelled.json", []event.Type{event.OrderUpdated, event.OrderCancelled}},
		{"order.updated", "order.updated.checkout-draft.json", []event.Type{event.CheckoutUpdated}},
		{"order.updated", "order.updated.checkout-draft-no-email.json", nil},
		{"order.updated", "order.updated.rest-error.json", nil},
		{"order.created", "order.updated.rest-error.json", nil},
		{"customer.created", "customer.created.json", []event.Type{event.CustomerCreated}},
		{"customer.updated", "customer.updated.json", []event.Type{event.CustomerUpdated}},
		{"coupon.created", "coupon.created.json", []event.Type{event.CouponUpdated}},
		{"coupon.updated", "coupon.updated.json", []event.Type{event.CouponUpdated}},
		{"coupon.restored", "coupon.updated.json", []event.Type{event.CouponUpdated}},
		{"coupon.deleted", "coupon.deleted.json", []event.Type{event.CouponUpdated}},
		{"product.created", "product.created.json", []event.Type{event.ProductUpdated}},
		{"product.updated", "product.updated.json", []event.Type{event.ProductUpdated}},
		{"product.restored", "product.updated.json", []event.Type{event.ProductUpdated}},
		{"product.deleted", "product.deleted.json", []event.Type{event.ProductDeleted}},
	}
	for _, tc := range cases {
		t.Run(tc.topic+"/"+tc.sample, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			res := b.normalize(t, tc.topic, readSample(t, tc.sample))
			var got []event.Type
			for _, ev := range events(t, res) {
				got = append(got, ev.Type)
			}
			require.Equal(t, tc.want, got)
		})
	}
}
