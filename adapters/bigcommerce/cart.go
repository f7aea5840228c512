package bigcommerce

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strings"

	"github.com/boomerang-dev/boomerang/flows/event"
)

// cartInclude asks the cart API for the physical and digital items'
// options (variant titles). redirect_urls is not asked for: BigCommerce
// makes them only for carts created through its Management API, and each is
// single-use; Boomerang reads them when an answer carries them.
const cartInclude = "line_items.physical_items.options,line_items.digital_items.options"

// cartEnvelope is GET /v3/carts/{id}'s answer.
type cartEnvelope struct {
	Data *apiCart `json:"data"`
}

// apiCart is the v3 cart (Cart_Full) as far as Boomerang reads it.
type apiCart struct {
	ID         flexID `json:"id"`
	CustomerID flexID `json:"customer_id"`
	Email      string `json:"email"`
	Currency   struct {
		Code string `json:"code"`
	} `json:"currency"`
	BaseAmount decimal `json:"base_amount"`
	CartAmount decimal `json:"cart_amount"`
	LineItems  struct {
		Physical         []apiCartItem        `json:"physical_items"`
		Digital          []apiCartItem        `json:"digital_items"`
		Custom           []apiCartItem        `json:"custom_items"`
		GiftCertificates []apiGiftCertificate `json:"gift_certificates"`
	} `json:"line_items"`
	CreatedTime  apiTime `json:"created_time"`
	UpdatedTime  apiTime `json:"updated_time"`
	RedirectURLs *struct {
		CartURL     string `json:"cart_url"`
		CheckoutURL string `json:"checkout_url"`
	} `json:"redirect_urls"`
}

// apiCartItem is a physical, digital or custom cart item.
type apiCartItem struct {
	ID        flexID          `json:"id"`
	ParentID  json.RawMessage `json:"parent_id"`
	VariantID flexID          `json:"variant_id"`
	ProductID flexID          `json:"product_id"`
	SKU       string          `json:"sku"`
	Name      string          `json:"name"`
	URL       string          `json:"url"`
	Quantity  int             `json:"quantity"`
	ListPrice decimal         `json:"list_price"`
	SalePrice decimal         `json:"sale_price"`
	ImageURL  string          `json:"image_url"`
	Options   []struct {
		Name  string          `json:"name"`
		Value json.RawMessage `json:"value"`
	} `json:"options"`
}

// apiGiftCertificate is a gift certificate in a cart.
type apiGiftCertificate struct {
	ID       flexID  `json:"id"`
	Name     string  `json:"name"`
	Theme    string  `json:"theme"`
	Amount   decimal `json:"amount"`
	Quantity int     `json:"quantity"`
}

// customersEnvelope is GET /v3/customers' answer.
type customersEnvelope struct {
	Data []apiCustomer `json:"data"`
}

// resolveCart handles store/cart/created and store/cart/updated.
func (c *session) resolveCart(ctx context.Context, b *builder, d hookData) ([]*event.Event, error) {
	cart, err := c.cart(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	email, err := c.cartEmail(ctx, cart)
	if err != nil {
		return nil, err
	}
	return b.cartEvents(cart, email), nil
}

// resolveAbandoned handles store/cart/abandoned. A cart already gone (404)
// still yields cart.abandoned with the id and token.
func (c *session) resolveAbandoned(ctx context.Context, b *builder, d hookData) ([]*event.Event, error) {
	cart, err := c.cart(ctx, d.ID)
	if isNotFound(err) {
		return []*event.Event{b.abandoned(&apiCart{ID: flexID(d.ID)}, d.Token, "")}, nil
	}
	if err != nil {
		return nil, err
	}
	email, err := c.cartEmail(ctx, cart)
	if err != nil {
		return nil, err
	}
	return []*event.Event{b.abandoned(cart, d.Token, email)}, nil
}

// cart fetches one cart.
func (c *session) cart(ctx context.Context, id string) (*apiCart, error) {
	var env cartEnvelope
	if err := c.get(ctx, "/v3/carts/"+url.PathEscape(id)+"?include="+cartInclude, &env); err != nil {
		return nil, err
	}
	if env.Data == nil {
		return nil, permanentf("cart %s: answer has no data", id)
	}
	if env.Data.ID == "" {
		env.Data.ID = flexID(id)
	}
	return env.Data, nil
}

// cartEmail is the cart's email, else its customer's. A customer that
// cannot be read leaves the email unknown, unless the failure is worth a
// retry (rate limit, server error).
func (c *session) cartEmail(ctx context.Context, cart *apiCart) (string, error) {
	if e := strings.TrimSpace(cart.Email); e != "" {
		return e, nil
	}
	id := cart.CustomerID.orNone()
	if id == "" || !isNumericID(id) {
		return "", nil
	}
	cust, err := c.customer(ctx, id)
	switch {
	case errors.Is(err, ErrPermanent):
		return "", nil
	case err != nil:
		return "", err
	}
	return strings.TrimSpace(cust.Email), nil
}

// cartEvents builds cart.updated and, once an email and line items are
// known, checkout.updated keyed on the cart id (BigCommerce's checkout id
// is its cart id).
func (b *builder) cartEvents(cart *apiCart, email string) []*event.Event {
	data := cartData(cart, email)
	cust := &event.Customer{ID: cart.CustomerID.orNone(), Email: email}
	r := resource{
		id:         data.ID,
		version:    b.changeVersion(data.UpdatedAt),
		updated:    data.UpdatedAt,
		created:    data.CreatedAt,
		apiVersion: apiV3,
	}
	out := []*event.Event{b.event(event.CartUpdated, r, cust, data)}
	if email == "" || len(data.LineItems) == 0 {
		return out
	}
	co := &event.Checkout{
		Token:     data.ID,
		ID:        data.ID,
		CartToken: data.ID,
		Email:     email,
		Currency:  data.Currency,
		Subtotal:  dec(cart.BaseAmount),
		Total:     data.Total,
		LineItems: data.LineItems,
		CreatedAt: data.CreatedAt,
		UpdatedAt: data.UpdatedAt,
	}
	if cart.RedirectURLs != nil {
		co.RecoveryURL = cart.RedirectURLs.CheckoutURL
	}
	return append(out, b.event(event.CheckoutUpdated, r, cust, co))
}

// abandoned builds cart.abandoned, a one-time transition.
func (b *builder) abandoned(cart *apiCart, token, email string) *event.Event {
	data := cartData(cart, email)
	data.Token = token
	r := resource{id: data.ID, updated: data.UpdatedAt, created: data.CreatedAt, apiVersion: apiV3}
	return b.event(event.CartAbandoned, r, &event.Customer{ID: cart.CustomerID.orNone(), Email: email}, data)
}

// cartData maps a cart.
func cartData(cart *apiCart, email string) *event.Cart {
	data := &event.Cart{
		ID:        cart.ID.String(),
		Email:     email,
		Currency:  strings.ToUpper(cart.Currency.Code),
		Total:     dec(cart.CartAmount),
		LineItems: cartItems(cart),
		CreatedAt: cart.CreatedTime.Time(),
		UpdatedAt: cart.UpdatedTime.Time(),
	}
	if cart.RedirectURLs != nil {
		data.RecoveryURL = cart.RedirectURLs.CartURL
	}
	return data
}

// cartItems maps every item of a cart, leaving out the children of bundles
// (items with a parent).
func cartItems(cart *apiCart) []event.LineItem {
	out := []event.LineItem{}
	for _, group := range [][]apiCartItem{cart.LineItems.Physical, cart.LineItems.Digital, cart.LineItems.Custom} {
		for _, it := range group {
			if hasParent(it.ParentID) {
				continue
			}
			price := it.SalePrice
			if price == "" {
				price = it.ListPrice
			}
			out = append(out, event.LineItem{
				ID:           it.ID.String(),
				ProductID:    it.ProductID.orNone(),
				VariantID:    it.VariantID.orNone(),
				SKU:          it.SKU,
				Title:        it.Name,
				VariantTitle: optionTitle(it),
				Quantity:     it.Quantity,
				Price:        dec(price),
				ImageURL:     it.ImageURL,
				URL:          it.URL,
			})
		}
	}
	for _, g := range cart.LineItems.GiftCertificates {
		out = append(out, event.LineItem{
			ID:       g.ID.String(),
			Title:    firstNonEmpty(g.Name, g.Theme),
			Quantity: g.Quantity,
			Price:    dec(g.Amount),
		})
	}
	return out
}

// optionTitle joins an item's option values: "Small / Red".
func optionTitle(it apiCartItem) string {
	vals := make([]string, 0, len(it.Options))
	for _, o := range it.Options {
		if s, _, err := scalarText(o.Value); err == nil {
			vals = append(vals, s)
		}
	}
	return joinNonEmpty(" / ", vals...)
}

// hasParent reports whether a cart item's parent_id names a parent: a
// number or a non-empty string (the docs' examples also show {} and null).
func hasParent(raw json.RawMessage) bool {
	s, _, err := scalarText(raw)
	return err == nil && s != "" && s != "0"
}
