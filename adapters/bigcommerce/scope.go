package bigcommerce

// The webhook scopes Boomerang uses. Any other scope is answered 200 and
// ignored.
const (
	ScopeCartCreated        = "store/cart/created"
	ScopeCartUpdated        = "store/cart/updated"
	ScopeCartAbandoned      = "store/cart/abandoned"
	ScopeCartConverted      = "store/cart/converted"
	ScopeOrderCreated       = "store/order/created"
	ScopeOrderUpdated       = "store/order/updated"
	ScopeOrderStatusUpdated = "store/order/statusUpdated"
	ScopeShipmentCreated    = "store/shipment/created"
	ScopeShipmentUpdated    = "store/shipment/updated"
	ScopeCustomerCreated    = "store/customer/created"
	ScopeCustomerUpdated    = "store/customer/updated"
	ScopeSubscriberCreated  = "store/subscriber/created"
	ScopeSubscriberUpdated  = "store/subscriber/updated"
	ScopeAppUninstalled     = "store/app/uninstalled"

	ScopeProductCreated = "store/product/created"
	ScopeProductUpdated = "store/product/updated"
	ScopeProductDeleted = "store/product/deleted"
	// ScopeProductInventoryUpdated fires when a product's own stock level
	// changes (not for stock tracked by variant, nor for orders).
	ScopeProductInventoryUpdated = "store/product/inventory/updated"
)

// scopes maps each used scope to the shape its data must have.
var scopes = map[string]dataShape{
	ScopeCartCreated:        shapeCart,
	ScopeCartUpdated:        shapeCart,
	ScopeCartAbandoned:      shapeCart,
	ScopeCartConverted:      shapeCartConverted,
	ScopeOrderCreated:       shapeOrder,
	ScopeOrderUpdated:       shapeOrder,
	ScopeOrderStatusUpdated: shapeOrderStatus,
	ScopeShipmentCreated:    shapeShipment,
	ScopeShipmentUpdated:    shapeShipment,
	ScopeCustomerCreated:    shapeNumericID,
	ScopeCustomerUpdated:    shapeNumericID,
	ScopeSubscriberCreated:  shapeNumericID,
	ScopeSubscriberUpdated:  shapeNumericID,
	ScopeAppUninstalled:     shapeAny,

	ScopeProductCreated: shapeNumericID,
	ScopeProductUpdated: shapeNumericID,
	ScopeProductDeleted: shapeNumericID,
	// Its data also carries an inventory object; only the id is read.
	ScopeProductInventoryUpdated: shapeNumericID,
}

// Scopes lists the scopes Boomerang subscribes to, in a fixed order: the
// list an app install registers hooks for.
func Scopes() []string {
	return []string{
		ScopeCartCreated, ScopeCartUpdated, ScopeCartAbandoned, ScopeCartConverted,
		ScopeOrderCreated, ScopeOrderUpdated, ScopeOrderStatusUpdated,
		ScopeShipmentCreated, ScopeShipmentUpdated,
		ScopeCustomerCreated, ScopeCustomerUpdated,
		ScopeSubscriberCreated, ScopeSubscriberUpdated,
		ScopeProductCreated, ScopeProductUpdated, ScopeProductDeleted, ScopeProductInventoryUpdated,
		ScopeAppUninstalled,
	}
}

// Used reports whether Boomerang acts on scope.
func Used(scope string) bool {
	_, ok := scopes[scope]
	return ok
}
