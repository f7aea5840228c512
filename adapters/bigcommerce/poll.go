package bigcommerce

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"time"

	"github.com/boomerang-dev/boomerang/adapters/reconcile"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/flows/event"
)

var _ reconcile.Source = (*Fetcher)(nil)

const (
	// pollPageSize is the page size asked of the order and customer lists:
	// the most either API returns.
	pollPageSize = 250
	// pollPrefix starts the delivery id of every polled event.
	pollPrefix = "poll:"
	// v2DateLayout is how the v2 API's date filters are written (RFC 2822,
	// the form the v2 API itself writes dates in).
	v2DateLayout = time.RFC1123Z
	// v3DateLayout is how the v3 API's date filters are written, in UTC, as
	// its reference shows them ("2024-05-14T09:34:00").
	v3DateLayout = "2006-01-02T15:04:05"
)

// Changes implements reconcile.Source: it lists what changed in s's store
// in w through the API the fetch worker uses, and calls emit with the events
// the webhook path (Resolve) would have made, built by the same code, so the
// semantic keys and the data are the webhook's.
//
// Orders: GET /v2/orders?min_date_modified=…&max_date_modified=…
// &sort=date_modified:asc&limit=250&page=N (a 204 or a short page ends the
// list), then each order's products (GET /v2/orders/{id}/products), as the
// webhook path reads them. An order whose date_modified lies in w yields, in
// this order:
//   - order.placed (the store/order/created event) when its status counts as
//     placed and its date_created is at or after w.Since;
//   - order.updated (store/order/updated), always, versioned by
//     date_modified;
//   - order.paid when its status means paid, order.cancelled when it is
//     Cancelled: BigCommerce keeps no time of these transitions, so the
//     order's date_modified (in w) stands for it — an old paid order modified
//     again in w yields order.paid again, with the same one-time key;
//   - order.fulfilled when its status means fulfilled and its date_shipped
//     (date_modified when it has none, such as a digital order Completed) is
//     at or after w.Since.
//
// The one-time events carry the topic store/order/statusUpdated, as the
// webhook path's do for status changes. An order deleted between the list
// and its products (404) is skipped; so is an order without a numeric id or
// a date_modified, and a customer without an id or a date_modified.
//
// Customers, when w.Customers: GET /v3/customers?date_modified:min=…
// &date_modified:max=…&sort=date_modified:asc&limit=250&page=N, each one
// customer.updated as store/customer/updated makes it. Checkouts: BigCommerce
// lists no abandoned carts (its abandoned-cart API maps a token from a
// store/cart/abandoned webhook to its cart), so w.Checkouts adds nothing.
//
// Paging is by key, not by page number alone: each next request asks from
// the last date_modified seen (one second earlier, whether the API's bounds
// are inclusive or not), skipping entries already seen at that second, and
// turns the page (page=2, 3, …) only while a page brings no later
// date_modified, as when more than a page of orders share one second. An
// order modified while Changes pages moves to the end of the list; with
// plain page numbers it would push another order across a page boundary
// unseen.
//
// Every event's Source.DeliveryID is "poll:<scope>:<id>:<date_modified>"
// and its ID is derived from it, so polling the same unchanged order again
// gives the same JetStream message ids. Errors follow Resolve's policy: a
// 429 is waited out through FetcherConfig.Sleep (the wait the API gives,
// honouring ctx) up to MaxWait per request, then *RetryAfterError; 401, 403
// and any other 4xx wrap ErrPermanent; 5xx and network errors are plain.
func (f *Fetcher) Changes(ctx context.Context, s *shop.Shop, w reconcile.Window, emit func(*event.Event) error) error {
	if s == nil || emit == nil {
		return permanentf("no shop or emit function")
	}
	c, err := f.session(s, &Notification{})
	if err != nil {
		return err
	}
	p := &poll{c: c, shop: s.ID, w: w, at: f.cfg.Now().UTC(), emit: emit}
	if err := keyset(ctx, w.Since, p.orderPage, orderStamp, p.order); err != nil {
		return err
	}
	if w.Customers {
		return keyset(ctx, w.Since, p.customerPage, customerStamp, p.customer)
	}
	return nil
}

// poll is one Changes call.
type poll struct {
	c    *session
	shop string
	w    reconcile.Window
	at   time.Time
	emit func(*event.Event) error
}

// get reads one answer; the rate-limit budget (MaxWait) is per request.
func (p *poll) get(ctx context.Context, path string, out any) error {
	p.c.waited = 0
	return p.c.get(ctx, path, out)
}

// orderPage lists one page of orders modified from from.
func (p *poll) orderPage(ctx context.Context, from time.Time, page int) ([]apiOrder, bool, error) {
	q := url.Values{}
	if !from.IsZero() {
		q.Set("min_date_modified", from.Add(-time.Second).Format(v2DateLayout))
	}
	if !p.w.Until.IsZero() {
		q.Set("max_date_modified", ceilSecond(p.w.Until).Format(v2DateLayout))
	}
	q.Set("sort", "date_modified:asc")
	q.Set("limit", strconv.Itoa(pollPageSize))
	q.Set("page", strconv.Itoa(page))
	var batch []apiOrder
	if err := p.get(ctx, "/v2/orders?"+q.Encode(), &batch); err != nil {
		return nil, false, err
	}
	return batch, len(batch) < pollPageSize, nil
}

// orderStamp is an order's identity and sort key.
func orderStamp(o *apiOrder) (string, time.Time) { return o.ID.String(), o.DateModified.Time() }

// order emits the events of one listed order (see Changes).
func (p *poll) order(ctx context.Context, o *apiOrder) error {
	id, modified := orderStamp(o)
	if !p.w.Contains(modified) || !isNumericID(id) {
		return nil
	}
	p.c.waited = 0
	products, err := p.c.orderProducts(ctx, id)
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, pe := range p.orderEvents(o) {
		b := &builder{shop: p.shop, n: &Notification{Shop: p.shop, Scope: pe.scope, ReceivedAt: p.at}}
		if err := p.emit(p.relabel(b.orderEvent(pe.t, o, products), pe.scope, id, modified)); err != nil {
			return err
		}
	}
	return nil
}

// polledEvent is one event an order yields and the scope it stands for.
type polledEvent struct {
	t     event.Type
	scope string
}

// orderEvents chooses the events of an order modified in the window, by the
// rules in Changes' comment.
func (p *poll) orderEvents(o *apiOrder) []polledEvent {
	status := o.StatusID.String()
	var out []polledEvent
	if placed(status) && p.since(o.DateCreated.Time()) {
		out = append(out, polledEvent{event.OrderPlaced, ScopeOrderCreated})
	}
	out = append(out, polledEvent{event.OrderUpdated, ScopeOrderUpdated})
	if paid(status) {
		out = append(out, polledEvent{event.OrderPaid, ScopeOrderStatusUpdated})
	}
	if fulfilled(status) && p.since(firstTime(o.DateShipped.Time(), o.DateModified.Time())) {
		out = append(out, polledEvent{event.OrderFulfilled, ScopeOrderStatusUpdated})
	}
	if status == statusCancelled {
		out = append(out, polledEvent{event.OrderCancelled, ScopeOrderStatusUpdated})
	}
	return out
}

// since reports whether a transition at t happened at or after the
// window's start.
func (p *poll) since(t time.Time) bool { return !t.IsZero() && !t.Before(p.w.Since) }

// customerPage is GET /v3/customers' answer with its pagination.
type customerPage struct {
	Data []apiCustomer `json:"data"`
	Meta struct {
		Pagination struct {
			TotalPages int `json:"total_pages"`
		} `json:"pagination"`
	} `json:"meta"`
}

// customerPage lists one page of customers modified from from. The filter
// names carry a colon, written as the API documents them.
func (p *poll) customerPage(ctx context.Context, from time.Time, page int) ([]apiCustomer, bool, error) {
	path := "/v3/customers?"
	if !from.IsZero() {
		path += "date_modified:min=" + url.QueryEscape(from.Add(-time.Second).UTC().Format(v3DateLayout)) + "&"
	}
	if !p.w.Until.IsZero() {
		path += "date_modified:max=" + url.QueryEscape(ceilSecond(p.w.Until).UTC().Format(v3DateLayout)) + "&"
	}
	path += "sort=date_modified:asc&limit=" + strconv.Itoa(pollPageSize) + "&page=" + strconv.Itoa(page)
	var env customerPage
	if err := p.get(ctx, path, &env); err != nil {
		return nil, false, err
	}
	last := len(env.Data) < pollPageSize
	if total := env.Meta.Pagination.TotalPages; total > 0 {
		last = page >= total
	}
	return env.Data, last, nil
}

// customerStamp is a customer's identity and sort key.
func customerStamp(c *apiCustomer) (string, time.Time) { return c.ID.String(), c.DateModified.Time() }

// customer emits customer.updated for one listed customer.
func (p *poll) customer(_ context.Context, c *apiCustomer) error {
	id, modified := customerStamp(c)
	if id == "" || !p.w.Contains(modified) {
		return nil
	}
	b := &builder{shop: p.shop, n: &Notification{Shop: p.shop, Scope: ScopeCustomerUpdated, ReceivedAt: p.at}}
	return p.emit(p.relabel(b.customerEvent(event.CustomerUpdated, c), ScopeCustomerUpdated, id, modified))
}

// relabel gives a polled event its delivery id, "poll:<scope>:<id>:<modified>",
// and the message id derived from it.
func (p *poll) relabel(ev *event.Event, scope, id string, modified time.Time) *event.Event {
	d := pollPrefix + scope + ":" + id + ":" + modified.UTC().Format(time.RFC3339Nano)
	ev.ID = event.DeliveryID(Name, p.shop, d, ev.Type)
	ev.Source.DeliveryID = d
	return ev
}

// ceilSecond rounds t up to a whole second.
func ceilSecond(t time.Time) time.Time {
	if f := t.Truncate(time.Second); !f.Equal(t) {
		return f.Add(time.Second)
	}
	return t
}

// keyset is reconcile.Keyset with an ignored paging made permanent.
func keyset[T any](ctx context.Context, since time.Time,
	fetch func(ctx context.Context, from time.Time, page int) ([]T, bool, error),
	stamp func(*T) (string, time.Time),
	visit func(ctx context.Context, item *T) error,
) error {
	err := reconcile.Keyset(ctx, since, fetch, stamp, visit)
	if errors.Is(err, reconcile.ErrPagingIgnored) {
		return permanentf("%v", err)
	}
	return err
}
