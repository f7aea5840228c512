package woocommerce

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/boomerang-dev/boomerang/adapters/ingest"
	"github.com/boomerang-dev/boomerang/adapters/reconcile"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	wooadapter "github.com/boomerang-dev/boomerang/adapters/woocommerce"
	"github.com/boomerang-dev/boomerang/adapters/woocommerce/wcauth"
	"github.com/boomerang-dev/boomerang/flows/event"
)

// ErrPermanent marks a poll that retrying will not mend: the keys are
// refused (401, 403), the REST route is missing (404: WooCommerce inactive,
// permalinks off), another 4xx, a redirect (the site moved; keys are never
// sent after one), an answer that is not the documented JSON, or a shop
// record that cannot be polled (no keys, no usable site URL). Match it with
// errors.Is.
var ErrPermanent = errors.New("woocommerce: permanent API failure")

// Defaults of PollerConfig.
const (
	DefaultPollPerPage  = 100
	DefaultPollAttempts = 5
	DefaultPollBackoff  = time.Second
	DefaultPollTimeout  = 60 * time.Second
)

// REST names the poller uses.
const (
	ordersPath    = "/wp-json/wc/v3/orders"
	customersPath = "/wp-json/wc/v3/customers"
	// headerTotalPages is X-WP-TotalPages, canonicalised.
	headerTotalPages = "X-Wp-Totalpages"
	headerRetryAfter = "Retry-After"
	// wooDateLayout writes the date filters: ISO 8601 without an offset,
	// read as GMT with dates_are_gmt=true.
	wooDateLayout = "2006-01-02T15:04:05"
	// maxPollAnswer bounds one list page read into memory: 100 orders with
	// many lines and meta can pass the webhook calls' bound.
	maxPollAnswer = 32 << 20
	// maxPollBackoff caps one wait between attempts.
	maxPollBackoff = 30 * time.Second
	// pollPrefix starts the delivery id of every polled event.
	pollPrefix = "poll:"
)

// PollerConfig configures a Poller. The zero value is usable.
type PollerConfig struct {
	// HTTPClient calls the stores. Default: a client with a
	// DefaultPollTimeout timeout whose dialer enforces AllowPrivateHosts.
	// The Poller uses a copy that never follows redirects.
	HTTPClient *http.Client
	// AllowPrivateHosts lets shops' site URLs name loopback, private and
	// link-local addresses (tests, a store on the same network). Default
	// false.
	AllowPrivateHosts bool
	// PerPage is the page size asked of the lists. Default
	// DefaultPollPerPage, the API's maximum.
	PerPage int
	// Attempts bounds the tries of one request answered 429, 408 or 5xx,
	// or failing in transport. Default DefaultPollAttempts.
	Attempts int
	// Backoff is the first wait between attempts, doubled after each one
	// up to 30 s; a Retry-After in seconds wins. Default DefaultPollBackoff.
	Backoff time.Duration
	// Sleep waits d or until ctx ends. Default: a timer that honours ctx.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock: OAuth timestamps and the events' received_at.
	// Default time.Now.
	Now func() time.Time
	// Logger reports the entries skipped because their body cannot be
	// read. Default zap.NewNop().
	Logger *zap.Logger
}

func (c *PollerConfig) fill() error {
	if c.PerPage < 0 || c.PerPage > DefaultPollPerPage || c.Attempts < 0 || c.Backoff < 0 {
		return fmt.Errorf("woocommerce poller: PerPage must be 0 to %d, Attempts and Backoff not negative", DefaultPollPerPage)
	}
	if c.HTTPClient == nil {
		c.HTTPClient = guardedClient(c.AllowPrivateHosts)
		c.HTTPClient.Timeout = DefaultPollTimeout
	}
	if c.PerPage == 0 {
		c.PerPage = DefaultPollPerPage
	}
	if c.Attempts == 0 {
		c.Attempts = DefaultPollAttempts
	}
	if c.Backoff == 0 {
		c.Backoff = DefaultPollBackoff
	}
	if c.Sleep == nil {
		c.Sleep = sleepCtx
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = zap.NewNop()
	}
	c.Logger = c.Logger.Named("poll.woocommerce")
	return nil
}

// Poller is the reconcile.Source of WooCommerce shops: it lists orders (and
// customers) changed in a window through the REST API with the keys the
// install saved, and turns each into the events its webhook would have
// made, by running the WooCommerce adapter's normaliser on it. It is safe
// for concurrent use.
type Poller struct {
	cfg  PollerConfig
	norm *wooadapter.Adapter
}

var _ reconcile.Source = (*Poller)(nil)

// NewPoller returns a Poller, or an error when cfg is invalid.
func NewPoller(cfg PollerConfig) (*Poller, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	return &Poller{cfg: cfg, norm: wooadapter.New()}, nil
}

// Changes implements reconcile.Source for a WooCommerce shop: s.APIURL (else
// s.Domain, https:// when it names no scheme) is the site, s.APIToken its
// "consumer_key:consumer_secret", sent as HTTP Basic over https and OAuth
// 1.0a over http.
//
// Orders: GET /wp-json/wc/v3/orders?modified_after=…&modified_before=…
// &orderby=modified&order=asc&per_page=100&page=N&dates_are_gmt=true. A REST
// order is the body of an order webhook, so each order whose
// date_modified_gmt lies in w goes through the adapter's normaliser twice,
// with the headers a delivery of order.created and of order.updated would
// carry (X-WC-Webhook-Source the shop's site): the event keys, data and
// JetStream message ids are the webhook's (WooCommerce's delivery identity
// is the site, topic, order id and date_modified_gmt), and only
// Source.DeliveryID differs, "poll:" before the webhook's. Of what the
// normaliser makes, one-time transitions are kept only when their own time
// is at or after w.Since:
//
//	order.placed     date_created_gmt    (from order.created; nothing else is taken from it)
//	order.paid       date_paid_gmt
//	order.fulfilled  date_completed_gmt  (a completed order without one is not fulfilled again)
//	order.cancelled  date_modified_gmt   (WooCommerce keeps no cancel time)
//
// order.updated always; checkout.updated, which the normaliser makes of
// checkout-draft orders with an email (the Checkout Block's drafts), only
// when w.Checkouts. WooCommerce has no other list of open checkouts: its
// carts live in sessions, and Boomerang's storefront plugin reports them.
//
// Customers, when w.Customers: the customers API has no date filter, so
// every customer is listed (orderby=id, order=asc, page by page) and those
// whose date_modified_gmt (date_created_gmt when never modified) lies in w
// go through the normaliser as customer.updated.
//
// Paging of orders is by key: each next request asks from the last
// date_modified_gmt seen (one second earlier: modified_after is exclusive)
// and skips the orders already seen at that second, turning the page only
// while a page brings no later time; X-WP-TotalPages and a short page end the
// list. An order modified while Changes pages moves to the end of the list
// instead of pushing another across a page boundary unseen. An entry whose
// body the normaliser refuses is logged and skipped.
//
// Errors: 429, 408 and 5xx answers and transport failures are retried
// (Attempts, Backoff doubling, or the Retry-After given) through Sleep,
// which honours ctx; past the attempts the last error is returned as is.
// Everything ErrPermanent lists wraps ErrPermanent.
func (p *Poller) Changes(ctx context.Context, s *shop.Shop, w reconcile.Window, emit func(*event.Event) error) error {
	if s == nil || emit == nil {
		return fmt.Errorf("%w: no shop or emit function", ErrPermanent)
	}
	site, err := pollSite(s, p.cfg.AllowPrivateHosts)
	if err != nil {
		return fmt.Errorf("%w: shop %s: %w", ErrPermanent, s.ID, err)
	}
	key, secret, ok := strings.Cut(s.APIToken, ":")
	if !ok || key == "" || secret == "" {
		return fmt.Errorf("%w: shop %s: api_token is not consumer_key:consumer_secret", ErrPermanent, s.ID)
	}
	source := s.Domain
	if source == "" {
		source = site
	}
	r := &wooPoll{
		p: p, store: newStore(site, key, secret, p.cfg.HTTPClient, p.cfg.Now), shop: s, w: w,
		source: source, at: p.cfg.Now().UTC(), emit: emit, log: p.cfg.Logger.With(zap.String("shop", s.ID)),
	}
	if err := pollKeyset(ctx, w.Since, r.orderPage, orderStamp, r.order); err != nil {
		return err
	}
	if w.Customers {
		return r.customers(ctx)
	}
	return nil
}

// pollSite is the site URL of s, checked as an install checks one.
func pollSite(s *shop.Shop, allowPrivate bool) (string, error) {
	site := strings.TrimSpace(s.APIURL)
	if site == "" {
		site = strings.TrimSpace(s.Domain)
	}
	if site == "" {
		return "", errors.New("no site URL (domain or api_url)")
	}
	return cleanStoreURL(site, allowPrivate)
}

// wooPoll is one Changes call.
type wooPoll struct {
	p      *Poller
	store  *store
	shop   *shop.Shop
	w      reconcile.Window
	source string
	at     time.Time
	emit   func(*event.Event) error
	log    *zap.Logger
}

// listedOrder is an order of the list: its body, and what the poller reads
// of it to choose the events.
type listedOrder struct {
	body                               json.RawMessage
	id, status                         string
	created, modified, paid, completed time.Time
}

// orderHead is the part of an order the poller reads itself.
type orderHead struct {
	ID        wooID   `json:"id"`
	Status    string  `json:"status"`
	Created   wooTime `json:"date_created_gmt"`
	Modified  wooTime `json:"date_modified_gmt"`
	Paid      wooTime `json:"date_paid_gmt"`
	Completed wooTime `json:"date_completed_gmt"`
}

// parseListedOrder reads an order of the list. Its errors quote nothing of
// the body.
func parseListedOrder(body json.RawMessage) (listedOrder, error) {
	var h orderHead
	if err := json.Unmarshal(body, &h); err != nil {
		return listedOrder{}, errors.New("the order is not the documented JSON")
	}
	if h.ID == "" {
		return listedOrder{}, errors.New("the order has no id")
	}
	return listedOrder{
		body: body, id: string(h.ID), status: h.Status,
		created: h.Created.t, modified: h.Modified.t, paid: h.Paid.t, completed: h.Completed.t,
	}, nil
}

// orderStamp is an order's identity and sort key; an entry that could not
// be read has none and is skipped.
func orderStamp(o *listedOrder) (string, time.Time) { return o.id, o.modified }

// orderPage lists one page of orders modified from from.
func (r *wooPoll) orderPage(ctx context.Context, from time.Time, page int) ([]listedOrder, bool, error) {
	q := url.Values{
		"orderby":       {"modified"},
		"order":         {"asc"},
		"per_page":      {strconv.Itoa(r.p.cfg.PerPage)},
		"page":          {strconv.Itoa(page)},
		"dates_are_gmt": {"true"},
	}
	if !from.IsZero() {
		q.Set("modified_after", from.Add(-time.Second).UTC().Format(wooDateLayout))
	}
	if !r.w.Until.IsZero() {
		q.Set("modified_before", ceilSecond(r.w.Until).UTC().Format(wooDateLayout))
	}
	items, last, err := r.page(ctx, ordersPath, q, page)
	if err != nil {
		return nil, false, err
	}
	out := make([]listedOrder, 0, len(items))
	for _, body := range items {
		o, err := parseListedOrder(body)
		if err != nil {
			r.log.Warn("order skipped", zap.Error(err))
		}
		out = append(out, o) // unread entries keep their place in the page
	}
	return out, last, nil
}

// order emits the events of one listed order (see Changes).
func (r *wooPoll) order(_ context.Context, o *listedOrder) error {
	if !r.w.Contains(o.modified) {
		return nil
	}
	var out []*event.Event
	if r.since(o.created) {
		evs, err := r.normalize(o.body, "order.created")
		if err != nil {
			r.log.Warn("order skipped", zap.String("order_id", o.id), zap.Error(err))
			return nil
		}
		for _, ev := range evs {
			if ev.Type == event.OrderPlaced {
				out = append(out, ev)
			}
		}
	}
	evs, err := r.normalize(o.body, "order.updated")
	if err != nil {
		r.log.Warn("order skipped", zap.String("order_id", o.id), zap.Error(err))
		return nil
	}
	for _, ev := range evs {
		if r.keep(ev.Type, o) {
			out = append(out, ev)
		}
	}
	for _, ev := range out {
		if err := r.emit(ev); err != nil {
			return err
		}
	}
	return nil
}

// keep applies the window to an event order.updated's normalisation made.
func (r *wooPoll) keep(t event.Type, o *listedOrder) bool {
	switch t {
	case event.OrderUpdated:
		return true
	case event.OrderPaid:
		return r.since(o.paid)
	case event.OrderFulfilled:
		return r.since(o.completed)
	case event.OrderCancelled:
		return r.since(o.modified)
	case event.CheckoutUpdated:
		return r.w.Checkouts
	default:
		return false
	}
}

// since reports whether a transition at t happened at or after the window's
// start.
func (r *wooPoll) since(t time.Time) bool { return !t.IsZero() && !t.Before(r.w.Since) }

// normalize runs the adapter's normaliser on a REST body as a delivery of
// topic, and returns its events relabelled as polled.
func (r *wooPoll) normalize(body []byte, topic string) ([]*event.Event, error) {
	resource, action, _ := strings.Cut(topic, ".")
	h := http.Header{}
	h.Set(wooadapter.HeaderSource, r.source)
	h.Set(wooadapter.HeaderTopic, topic)
	h.Set(wooadapter.HeaderResource, resource)
	h.Set(wooadapter.HeaderEvent, action)
	res, err := r.p.norm.Normalize(r.shop, &ingest.Request{Header: h, Body: body, ReceivedAt: r.at})
	if err != nil {
		return nil, err
	}
	out := make([]*event.Event, 0, len(res.Messages))
	for _, m := range res.Messages {
		if ev, ok := m.Value.(*event.Event); ok {
			ev.Source.DeliveryID = pollPrefix + ev.Source.DeliveryID
			out = append(out, ev)
		}
	}
	return out, nil
}

// customerHead is the part of a customer the poller reads itself.
type customerHead struct {
	ID       wooID   `json:"id"`
	Created  wooTime `json:"date_created_gmt"`
	Modified wooTime `json:"date_modified_gmt"`
}

// customers lists every customer and emits customer.updated for those
// changed in the window.
func (r *wooPoll) customers(ctx context.Context) error {
	previous := ""
	for page := 1; ; page++ {
		q := url.Values{
			"orderby":  {"id"},
			"order":    {"asc"},
			"per_page": {strconv.Itoa(r.p.cfg.PerPage)},
			"page":     {strconv.Itoa(page)},
		}
		items, last, err := r.page(ctx, customersPath, q, page)
		if err != nil {
			return err
		}
		var first string
		for i, body := range items {
			var c customerHead
			if err := json.Unmarshal(body, &c); err != nil || c.ID == "" {
				r.log.Warn("customer skipped: not the documented JSON")
				continue
			}
			if i == 0 {
				first = string(c.ID)
			}
			if !r.w.Contains(firstTime(c.Modified.t, c.Created.t)) {
				continue
			}
			evs, err := r.normalize(body, "customer.updated")
			if err != nil {
				r.log.Warn("customer skipped", zap.String("customer_id", string(c.ID)), zap.Error(err))
				continue
			}
			for _, ev := range evs {
				if ev.Type != event.CustomerUpdated {
					continue
				}
				if err := r.emit(ev); err != nil {
					return err
				}
			}
		}
		if last || len(items) == 0 {
			return nil
		}
		if first != "" && first == previous {
			return fmt.Errorf("%w: GET %s: page %d repeats page %d, the API ignores the paging", ErrPermanent, customersPath, page, page-1)
		}
		previous = first
	}
}

// page GETs one page of a list and returns its entries, and whether it is
// the last page (X-WP-TotalPages, else a short page). It retries as
// Changes describes.
func (r *wooPoll) page(ctx context.Context, path string, q url.Values, page int) ([]json.RawMessage, bool, error) {
	what := http.MethodGet + " " + path
	for attempt := 1; ; attempt++ {
		raw, header, status, err := r.get(ctx, path, q)
		var wait time.Duration
		switch {
		case err != nil && ctx.Err() != nil:
			return nil, false, fmt.Errorf("%s: %w", what, ctx.Err())
		case err != nil:
			err = fmt.Errorf("%s: %w", what, err)
		case status >= 200 && status <= 299:
			var items []json.RawMessage
			if json.Unmarshal(raw, &items) != nil {
				return nil, false, fmt.Errorf("%w: %s: the answer is not the documented JSON list", ErrPermanent, what)
			}
			last := len(items) < r.p.cfg.PerPage
			if total, ok := totalPages(header); ok {
				last = page >= total
			}
			return items, last, nil
		case status == http.StatusTooManyRequests || status == http.StatusRequestTimeout || status >= 500:
			err = &apiError{what: what, status: status, code: errorCode(raw)}
			wait = retryAfter(header)
		default:
			return nil, false, fmt.Errorf("%w: %w", ErrPermanent, &apiError{what: what, status: status, code: errorCode(raw)})
		}
		if attempt >= r.p.cfg.Attempts {
			return nil, false, err
		}
		if wait == 0 {
			wait = min(r.p.cfg.Backoff<<(attempt-1), maxPollBackoff)
		}
		if serr := r.p.cfg.Sleep(ctx, wait); serr != nil {
			return nil, false, fmt.Errorf("%s: waiting %s to retry: %w", what, wait, serr)
		}
	}
}

// get sends one authenticated GET of site+path with q and reads the
// answer. Errors hold no URL (it may hold OAuth parameters).
func (r *wooPoll) get(ctx context.Context, path string, q url.Values) ([]byte, http.Header, int, error) {
	s := r.store
	params := url.Values{}
	for k, v := range q {
		params[k] = append([]string(nil), v...)
	}
	base := s.site + path
	if !s.https {
		wcauth.Sign(http.MethodGet, base, params, s.key, s.secret, s.now())
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"?"+params.Encode(), nil)
	if err != nil {
		return nil, nil, 0, errors.New("building the request")
	}
	req.Header.Set(headerAccept, mediaJSON)
	if s.https {
		req.SetBasicAuth(s.key, s.secret)
	}
	resp, err := s.http.Do(req)
	if err != nil {
		if ue, ok := errors.AsType[*url.Error](err); ok {
			err = ue.Err
		}
		return nil, nil, 0, err
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxPollAnswer+1))
	if err != nil {
		return nil, nil, 0, fmt.Errorf("reading the answer: %w", err)
	}
	if len(raw) > maxPollAnswer {
		return nil, nil, 0, fmt.Errorf("answer larger than %d bytes", maxPollAnswer)
	}
	return raw, resp.Header, resp.StatusCode, nil
}

// totalPages reads X-WP-TotalPages.
func totalPages(h http.Header) (int, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(h.Get(headerTotalPages)))
	return n, err == nil && n >= 0
}

// retryAfter reads a Retry-After in seconds, capped at maxPollBackoff; 0
// when absent or in another form.
func retryAfter(h http.Header) time.Duration {
	s, err := strconv.Atoi(strings.TrimSpace(h.Get(headerRetryAfter)))
	if err != nil || s <= 0 {
		return 0
	}
	return min(time.Duration(s)*time.Second, maxPollBackoff)
}

// wooID is a REST id: a JSON integer or a string of digits, kept as text;
// null and 0 are "".
type wooID string

func (id *wooID) UnmarshalJSON(b []byte) error {
	s := string(bytes.TrimSpace(b))
	if s == "null" {
		*id = ""
		return nil
	}
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	if s == "" || len(s) > 20 || strings.Trim(s, "0123456789") != "" {
		return errors.New("id is not a non-negative integer")
	}
	*id = wooID(strings.TrimLeft(s, "0"))
	return nil
}

// wooTime is a *_gmt date as the normaliser reads it: UTC without an offset
// ("2017-03-22T19:28:02") or RFC 3339; null and "" are the zero time.
type wooTime struct{ t time.Time }

func (w *wooTime) UnmarshalJSON(b []byte) error {
	if string(bytes.TrimSpace(b)) == "null" {
		w.t = time.Time{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errors.New("date is not a string")
	}
	t, err := parseWooTime(s)
	if err != nil {
		return err
	}
	w.t = t
	return nil
}

// parseWooTime parses a *_gmt date; "" is the zero time.
func parseWooTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	t, err := time.ParseInLocation("2006-01-02T15:04:05.999999999", s, time.UTC)
	if err != nil {
		return time.Time{}, errors.New("date is not a WooCommerce GMT date")
	}
	return t, nil
}

// firstTime returns the first non-zero time, or the zero time.
func firstTime(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

// ceilSecond rounds t up to a whole second.
func ceilSecond(t time.Time) time.Time {
	if f := t.Truncate(time.Second); !f.Equal(t) {
		return f.Add(time.Second)
	}
	return t
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// pollKeyset is reconcile.Keyset with an ignored paging made permanent.
func pollKeyset[T any](ctx context.Context, since time.Time,
	fetch func(ctx context.Context, from time.Time, page int) ([]T, bool, error),
	stamp func(*T) (string, time.Time),
	visit func(ctx context.Context, item *T) error,
) error {
	err := reconcile.Keyset(ctx, since, fetch, stamp, visit)
	if errors.Is(err, reconcile.ErrPagingIgnored) {
		return fmt.Errorf("%w: %w", ErrPermanent, err)
	}
	return err
}
