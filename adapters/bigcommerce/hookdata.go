package bigcommerce

import (
	"encoding/json"
	"errors"
	"fmt"
)

// dataShape names what a scope's data object must carry.
type dataShape int

const (
	// shapeAny accepts any data object (store/app/uninstalled).
	shapeAny dataShape = iota
	// shapeCart needs a cart id; token is optional.
	shapeCart
	// shapeCartConverted needs a cart id and a numeric orderId.
	shapeCartConverted
	// shapeOrder needs a numeric order id.
	shapeOrder
	// shapeOrderStatus needs a numeric order id and status.new_status_id.
	shapeOrderStatus
	// shapeShipment needs a numeric shipment id and orderId.
	shapeShipment
	// shapeNumericID needs a numeric id (customers, subscribers).
	shapeNumericID
)

// hookData is what Boomerang reads from a notification's data object.
type hookData struct {
	// ID is the resource id: a cart UUID or a numeric id.
	ID string
	// Token is the abandoned-cart token of store/cart/abandoned.
	Token string
	// OrderID is the order of store/cart/converted and store/shipment/*.
	OrderID string
	// PreviousStatus and NewStatus are the status ids of
	// store/order/statusUpdated; PreviousStatus is "" when not given.
	PreviousStatus string
	NewStatus      string
}

// parseHookData reads and checks the data object of a delivery of scope.
// Its errors say what is wrong without quoting the payload.
func parseHookData(scope string, raw json.RawMessage) (hookData, error) {
	var d hookData
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return d, errors.New("data is not a JSON object")
	}
	shape, ok := scopes[scope]
	if !ok {
		return d, fmt.Errorf("scope %.64q is not used", scope)
	}
	var err error
	switch shape {
	case shapeAny:
		return d, nil
	case shapeCart, shapeCartConverted:
		if d.ID, err = field(m, "id", isTokenID); err != nil {
			return d, err
		}
		if d.Token, err = optionalField(m, "token", isOpaque); err != nil {
			return d, err
		}
		if shape == shapeCartConverted {
			d.OrderID, err = field(m, "orderId", isNumericID)
		}
	case shapeOrder, shapeNumericID:
		d.ID, err = field(m, "id", isNumericID)
	case shapeOrderStatus:
		if d.ID, err = field(m, "id", isNumericID); err != nil {
			return d, err
		}
		d.PreviousStatus, d.NewStatus, err = parseStatus(m["status"])
	case shapeShipment:
		if d.ID, err = field(m, "id", isNumericID); err != nil {
			return d, err
		}
		d.OrderID, err = field(m, "orderId", isNumericID)
	}
	return d, err
}

// parseStatus reads statusUpdated's {previous_status_id, new_status_id}.
func parseStatus(raw json.RawMessage) (previous, current string, err error) {
	var m map[string]json.RawMessage
	if len(raw) == 0 {
		return "", "", errors.New("data.status is missing")
	}
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return "", "", errors.New("data.status is not a JSON object")
	}
	if current, err = field(m, "new_status_id", isNumericID); err != nil {
		return "", "", fmt.Errorf("data.status: %w", err)
	}
	if previous, err = optionalField(m, "previous_status_id", isNumericID); err != nil {
		return "", "", fmt.Errorf("data.status: %w", err)
	}
	return previous, current, nil
}

// field reads the required id-like key from m and checks it with valid.
func field(m map[string]json.RawMessage, key string, valid func(string) bool) (string, error) {
	v, err := optionalField(m, key, valid)
	if err != nil {
		return "", err
	}
	if v == "" {
		return "", fmt.Errorf("data.%s is missing", key)
	}
	return v, nil
}

// optionalField reads an id-like key from m when present and checks it
// with valid; absent or null is "".
func optionalField(m map[string]json.RawMessage, key string, valid func(string) bool) (string, error) {
	raw, ok := m[key]
	if !ok {
		return "", nil
	}
	var id flexID
	if err := json.Unmarshal(raw, &id); err != nil {
		return "", fmt.Errorf("data.%s: %w", key, err)
	}
	if id != "" && !valid(string(id)) {
		return "", fmt.Errorf("data.%s has an invalid form", key)
	}
	return string(id), nil
}

// isOpaque accepts any id-like text up to 256 bytes: values Boomerang only
// carries along, never puts in a URL.
func isOpaque(s string) bool { return len(s) <= 256 }
