package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/adapters/web"
	"github.com/boomerang-dev/boomerang/flows/event"
	"github.com/boomerang-dev/boomerang/processor"
	"github.com/boomerang-dev/boomerang/processor/redisstore"
)

// exportTTL is how long a data export is kept for the owner to fetch:
// Shopify gives the merchant 30 days to answer the customer.
const exportTTL = 30 * 24 * time.Hour

// The admin API serves the exports straight from the store.
var _ web.DataRequestStore = (*redis.Exports)(nil)

// exportJob answers customer.data_request (Shopify's customers/data_request,
// docs/privacy.md): it writes a JSON export of everything Boomerang holds
// on the customer in the shop, which the owner fetches through the admin
// API (GET /api/v1/data-requests). The export's id comes from the event's
// semantic key, so a second delivery of one request writes nothing new.
// On customer.redact the redact job calls forget, which deletes the
// customer's exports with the rest of their data.
type exportJob struct {
	exports *redis.Exports
	source  *redis.ExportSource
	store   *redisstore.Store
	supp    *redis.Suppressions
	sends   *redis.RecentSends
	now     func() time.Time
	log     *zap.Logger
}

// newExportJob returns the job on rdb; timers is the processor's timer
// store.
func newExportJob(rdb goredis.UniversalClient, keys redis.Keys, timers *redis.Timers, now func() time.Time, log *zap.Logger) *exportJob {
	return &exportJob{
		exports: redis.NewExports(rdb, keys, now),
		source:  redis.NewExportSource(rdb, keys, timers),
		store:   redisstore.New(redis.NewCustomerStore(rdb, keys, timers)),
		supp:    redis.NewSuppressions(rdb, keys),
		sends:   redis.NewRecentSends(rdb, keys),
		now:     now,
		log:     log,
	}
}

func (j *exportJob) handles(ev *event.Event) bool { return ev.Type == event.CustomerDataRequest }

func (j *exportJob) run(ctx context.Context, ev *event.Event) error {
	d, _ := ev.Data.(*event.Redact)
	if d == nil {
		d = &event.Redact{}
	}
	id := exportID(ev.Key)
	if seen, err := j.exports.Exists(ctx, ev.Shop, id); err != nil {
		return err
	} else if seen {
		j.log.Info("data request already answered", zap.String("shop", ev.Shop), zap.String("export", id))
		return nil
	}
	ready := j.now().UTC()
	doc := &exportDocument{
		exportSummary: exportSummary{
			ID: id, Shop: ev.Shop, RequestID: d.RequestID,
			Customer:    event.Customer{ID: d.CustomerID, Email: d.Email, Phone: d.Phone},
			RequestedAt: ev.OccurredAt.UTC(), ReadyAt: ready, ExpiresAt: ready.Add(exportTTL),
		},
		OrdersRequested: d.OrderIDs,
	}
	if err := j.gather(ctx, doc, redactKeys(d)); err != nil {
		return err
	}
	body, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding a data export: %w", err)
	}
	sum, err := json.Marshal(doc.exportSummary)
	if err != nil {
		return fmt.Errorf("encoding a data export: %w", err)
	}
	stored, err := j.exports.Save(ctx, &redis.Export{
		ID: id, Shop: ev.Shop, Customers: redactKeys(d), Summary: sum, Document: body, ExpiresAt: doc.ExpiresAt,
	})
	if err != nil {
		return err
	}
	j.log.Info("data request answered", zap.String("shop", ev.Shop), zap.String("export", id),
		zap.String("request", d.RequestID), zap.Bool("stored", stored), zap.Int("profiles", len(doc.Profiles)),
		zap.Int("runs", len(doc.Runs)), zap.Int("messages", len(doc.Messages)))
	return nil
}

// forget deletes the shop's exports of the customer a customer.redact
// names. A nil job forgets nothing.
func (j *exportJob) forget(ctx context.Context, shopID string, d *event.Redact) error {
	if j == nil || d == nil {
		return nil
	}
	n, err := j.exports.DeleteCustomers(ctx, shopID, redactKeys(d))
	if err != nil {
		return err
	}
	if n > 0 {
		j.log.Info("data exports deleted on redact", zap.String("shop", shopID), zap.Int("exports", n))
	}
	return nil
}

// exportID names the export of the request whose event key is key: a hex
// digest, so it holds no personal data and is safe in a URL.
func exportID(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:16])
}

// redactKeys are the processor's customer keys a redact or data request
// names: by email, by phone and by platform id (the processor keys a
// customer by the first of these its events carry).
func redactKeys(d *event.Redact) []string {
	var keys []string
	for _, c := range []*event.Customer{{Email: d.Email}, {Phone: d.Phone}, {ID: d.CustomerID}} {
		if k := processor.CustomerKey(&event.Event{Customer: c}); k != "" && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	return keys
}

// exportSummary is what the admin API lists of an export.
type exportSummary struct {
	ID          string         `json:"id"`
	Shop        string         `json:"shop"`
	RequestID   string         `json:"request_id,omitempty"`
	Customer    event.Customer `json:"customer"`
	RequestedAt time.Time      `json:"requested_at"`
	ReadyAt     time.Time      `json:"ready_at"`
	ExpiresAt   time.Time      `json:"expires_at"`
}

// exportDocument is the export: the summary, then what Boomerang holds.
type exportDocument struct {
	exportSummary
	// OrdersRequested echoes the orders the request names; Boomerang keeps
	// orders only as they show in the profile and in runs' events.
	OrdersRequested []string `json:"orders_requested,omitempty"`
	// Profiles holds one entry per customer key with data (by email, by
	// phone, by platform id).
	Profiles []exportProfile `json:"profiles"`
	// Runs are the customer's flow runs, active and finished (status
	// active, done or exited), with their step logs and trigger events.
	Runs []*processor.Run `json:"runs"`
	// PendingTimers are the timers of the active runs still scheduled.
	PendingTimers []exportTimer `json:"pending_timers"`
	// Messages are the outbox records of the customer's messages (sent,
	// skipped, failed, dev outbox), with the rendered content when stored.
	Messages []json.RawMessage `json:"messages"`
	// Suppressions are the suppression-list entries of the customer's
	// addresses.
	Suppressions []exportSuppression `json:"suppressions"`
}

type exportProfile struct {
	Key string `json:"key"`
	// Segments are computed from the profile at the export's time.
	Segments        []string           `json:"segments"`
	Profile         *processor.Profile `json:"profile"`
	RecentMarketing []exportRecentSend `json:"recent_marketing,omitempty"`
}

// exportRecentSend is when the customer last got marketing on a channel at
// a flow priority (what smart sending reads).
type exportRecentSend struct {
	Channel  string    `json:"channel"`
	Priority int       `json:"priority"`
	At       time.Time `json:"at"`
}

type exportTimer struct {
	ID       string    `json:"id"`
	Run      string    `json:"run"`
	Flow     string    `json:"flow"`
	Customer string    `json:"customer"`
	Due      time.Time `json:"due"`
	// WaitingFor is the event an event-wait waits for, when the timer is
	// its timeout.
	WaitingFor string `json:"waiting_for,omitempty"`
}

type exportSuppression struct {
	Channel string `json:"channel"`
	Address string `json:"address"`
	Reason  string `json:"reason"`
}

// gather fills doc from Redis for the customer keys.
func (j *exportJob) gather(ctx context.Context, doc *exportDocument, keys []string) error {
	shopID := doc.Shop
	emails, phones := addrSet{}, addrSet{}
	emails.add(doc.Customer.Email)
	phones.add(doc.Customer.Phone)
	runIDs := map[string]bool{}
	var waiting []*processor.Run
	doc.Profiles, doc.Runs, doc.PendingTimers, doc.Messages, doc.Suppressions =
		[]exportProfile{}, []*processor.Run{}, []exportTimer{}, []json.RawMessage{}, []exportSuppression{}
	for _, key := range keys {
		p, err := j.store.Profile(ctx, shopID, key)
		if err != nil {
			return err
		}
		active, finished, err := j.store.Runs(ctx, shopID, key)
		if err != nil {
			return err
		}
		recent, err := j.recentSends(ctx, shopID, key)
		if err != nil {
			return err
		}
		if p != nil || len(recent) > 0 {
			doc.Profiles = append(doc.Profiles, exportProfile{Key: key, Segments: processor.Segments(p, doc.ReadyAt), Profile: p, RecentMarketing: recent})
		}
		if p != nil {
			emails.add(p.Emails...)
			phones.add(p.Phones...)
		}
		sort.SliceStable(active, func(a, b int) bool { return active[a].StartedAt.Before(active[b].StartedAt) })
		for _, r := range append(active, finished...) {
			runIDs[r.ID] = true
			doc.Runs = append(doc.Runs, r)
			if r.Status == processor.RunActive && r.Wait != nil && r.Wait.TimerID != "" {
				waiting = append(waiting, r)
			}
		}
	}
	ids := make([]string, len(waiting))
	for i, r := range waiting {
		ids[i] = r.Wait.TimerID
	}
	pending, err := j.source.PendingTimers(ctx, ids)
	if err != nil {
		return err
	}
	for _, r := range waiting {
		if pending[r.Wait.TimerID] {
			doc.PendingTimers = append(doc.PendingTimers, exportTimer{
				ID: r.Wait.TimerID, Run: r.ID, Flow: r.Flow, Customer: r.Customer, Due: r.Wait.Due, WaitingFor: r.Wait.Event,
			})
		}
	}
	msgs, err := j.source.Messages(ctx, shopID, runIDs, append(emails.list(), phones.list()...))
	if err != nil {
		return err
	}
	doc.Messages = sortedMessages(msgs)
	for _, c := range []struct {
		channel string
		addrs   addrSet
	}{{event.ChannelEmail, emails}, {event.ChannelSMS, phones}} {
		for _, a := range c.addrs.list() {
			reason, err := j.supp.Reason(ctx, shopID, c.channel, a)
			if err != nil {
				return err
			}
			if reason != "" {
				doc.Suppressions = append(doc.Suppressions, exportSuppression{Channel: c.channel, Address: a, Reason: reason})
			}
		}
	}
	return nil
}

// recentSends reads the customer's recent-marketing record on both
// channels.
func (j *exportJob) recentSends(ctx context.Context, shopID, key string) ([]exportRecentSend, error) {
	var out []exportRecentSend
	for _, ch := range []string{event.ChannelEmail, event.ChannelSMS} {
		on, err := j.sends.On(ctx, shopID, key, ch)
		if err != nil {
			return nil, err
		}
		for prio, at := range on {
			out = append(out, exportRecentSend{Channel: ch, Priority: prio, At: at})
		}
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].Channel != out[b].Channel {
			return out[a].Channel < out[b].Channel
		}
		return out[a].Priority < out[b].Priority
	})
	return out, nil
}

// sortedMessages orders outbox records oldest first.
func sortedMessages(msgs [][]byte) []json.RawMessage {
	type rec struct {
		raw     json.RawMessage
		created time.Time
		id      string
	}
	all := make([]rec, 0, len(msgs))
	for _, b := range msgs {
		var head struct {
			ID        string    `json:"id"`
			CreatedAt time.Time `json:"created_at"`
		}
		_ = json.Unmarshal(b, &head)
		all = append(all, rec{raw: b, created: head.CreatedAt, id: head.ID})
	}
	sort.Slice(all, func(a, b int) bool {
		if !all[a].created.Equal(all[b].created) {
			return all[a].created.Before(all[b].created)
		}
		return all[a].id < all[b].id
	})
	out := make([]json.RawMessage, len(all))
	for i, r := range all {
		out[i] = r.raw
	}
	return out
}

// addrSet collects addresses as written, plus, for phone numbers, the
// processor's normal form (+ and digits), in first-seen order.
type addrSet []string

func (s *addrSet) add(addrs ...string) {
	for _, a := range addrs {
		a = strings.ToLower(strings.TrimSpace(a))
		forms := []string{a}
		if k := processor.CustomerKey(&event.Event{Customer: &event.Customer{Phone: a}}); !strings.Contains(a, "@") && k != "" {
			forms = append(forms, strings.TrimPrefix(k, "p:"))
		}
		for _, f := range forms {
			if f != "" && !slices.Contains(*s, f) {
				*s = append(*s, f)
			}
		}
	}
}

func (s addrSet) list() []string { return s }

// mountExports mounts the admin API's data-request routes (serve, send).
func mountExports(mux *http.ServeMux, rdb goredis.UniversalClient, token string, shops *shop.Registry) {
	web.MountExports(mux, web.ExportsConfig{
		Token: token, Store: redis.NewExports(rdb, redis.Keys{}, time.Now),
		Shops: func() []string {
			var ids []string
			for _, s := range shops.All() {
				ids = append(ids, s.ID)
			}
			return ids
		},
	})
}
