package bigcommerce

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// Fetcher turns Notifications into canonical events by reading the
// resources they name from the store's API. It is safe for concurrent use.
type Fetcher struct {
	cfg FetcherConfig
}

// NewFetcher returns a Fetcher, or an error when cfg is invalid.
func NewFetcher(cfg FetcherConfig) (*Fetcher, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	// Never follow redirects: X-Auth-Token must not leave the API host.
	client := *cfg.HTTPClient
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	cfg.HTTPClient = &client
	return &Fetcher{cfg: cfg}, nil
}

// Resolve reads what n names from s's API and returns the canonical events
// it becomes, possibly none (an incomplete order). Errors follow the policy
// in the package comment: *RetryAfterError, errors wrapping ErrPermanent,
// or plain errors to retry with backoff.
func (f *Fetcher) Resolve(ctx context.Context, s *shop.Shop, n *Notification) ([]*event.Event, error) {
	if s == nil || n == nil {
		return nil, permanentf("no shop or notification")
	}
	if n.Shop != "" && n.Shop != s.ID {
		return nil, permanentf("notification for shop %q given shop %q", n.Shop, s.ID)
	}
	if n.ReceivedAt.IsZero() {
		return nil, permanentf("notification has no received_at")
	}
	d, err := parseHookData(n.Scope, n.Data)
	if err != nil {
		return nil, permanentf("%.64q: %w", n.Scope, err)
	}
	b := &builder{shop: s.ID, n: n}
	if n.Scope == ScopeAppUninstalled {
		return []*event.Event{uninstalled(s, n)}, nil
	}
	if n.Scope == ScopeProductDeleted {
		// The id is all there is to say: nothing to fetch.
		return []*event.Event{b.productDeleted(d.ID, "")}, nil
	}
	c, err := f.session(s, n)
	if err != nil {
		return nil, err
	}
	switch n.Scope {
	case ScopeCartCreated, ScopeCartUpdated:
		return c.resolveCart(ctx, b, d)
	case ScopeCartAbandoned:
		return c.resolveAbandoned(ctx, b, d)
	case ScopeCartConverted:
		return c.resolveOrder(ctx, b, d.OrderID, orderPlacedOnly)
	case ScopeOrderCreated:
		return c.resolveOrder(ctx, b, d.ID, orderPlacedOnly)
	case ScopeOrderUpdated:
		return c.resolveOrder(ctx, b, d.ID, orderUpdatedOnly)
	case ScopeOrderStatusUpdated:
		return c.resolveStatus(ctx, b, d)
	case ScopeShipmentCreated, ScopeShipmentUpdated:
		return c.resolveShipment(ctx, b, d)
	case ScopeCustomerCreated:
		return c.resolveCustomer(ctx, b, d, event.CustomerCreated)
	case ScopeCustomerUpdated:
		return c.resolveCustomer(ctx, b, d, event.CustomerUpdated)
	case ScopeSubscriberCreated, ScopeSubscriberUpdated:
		return c.resolveSubscriber(ctx, b, d)
	case ScopeProductCreated, ScopeProductUpdated, ScopeProductInventoryUpdated:
		return c.resolveProduct(ctx, b, d)
	}
	return nil, permanentf("scope %.64q is not resolved", n.Scope)
}

// session starts a conversation with s's API.
func (f *Fetcher) session(s *shop.Shop, n *Notification) (*session, error) {
	hash := strings.TrimSpace(s.Domain)
	if hash == "" {
		hash, _ = storeHash(n.Producer)
	}
	tmpl := f.cfg.APIURL
	if s.APIURL != "" {
		tmpl = s.APIURL
	}
	if strings.Contains(tmpl, storeHashPlaceholder) {
		if hash == "" {
			return nil, permanentf("shop %q has no store hash", s.ID)
		}
		tmpl = strings.ReplaceAll(tmpl, storeHashPlaceholder, url.PathEscape(hash))
	}
	if err := checkBaseURL(tmpl); err != nil {
		return nil, errors.Join(ErrPermanent, err)
	}
	return &session{f: f, base: strings.TrimRight(tmpl, "/"), token: s.APIToken}, nil
}
