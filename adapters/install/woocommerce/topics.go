package woocommerce

// topics are the webhook topics the WooCommerce adapter
// (adapters/woocommerce) acts on; every other topic it ignores.
var topics = []string{
	"order.created", "order.updated",
	"customer.created", "customer.updated",
	"coupon.created", "coupon.updated", "coupon.restored", "coupon.deleted",
	"product.created", "product.updated", "product.restored", "product.deleted",
}

// Topics lists the webhook topics an install subscribes to, in a fixed
// order.
func Topics() []string { return append([]string(nil), topics...) }
