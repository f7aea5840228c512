package cli_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/flows/event"
	"github.com/boomerang-dev/boomerang/processor/replay"
)

// Replay scenarios for the built-in flows: real published payloads (the
// adapters' golden files, which hold what normalize prints for the
// platforms' documented sample webhooks), adjusted only where a scenario
// needs it, and the events Boomerang emits itself built as docs/events.md
// describes them. Each scenario asserts the whole timeline of the flows it
// names: what happens when (after the first event), in which order, with
// which template, to whom and why not.

const (
	minute = time.Minute
	hour   = time.Hour
	day    = 24 * time.Hour
)

// t0 is a Monday, 10:00 in New York (the demo shop's zone), far from a
// daylight-saving change.
var t0 = time.Date(2026, 6, 1, 14, 0, 0, 0, time.UTC)

// The shoppers.
const (
	ann      = "ann@example.com"
	annPhone = "+12125550123"
	// annUK is a London number: its quiet hours are London's.
	annUK = "+447700900123"
)

// The golden files the scenarios take their payloads from, under adapters/.
const (
	shopifyCheckout    = "shopify/testdata/golden/checkouts_update.golden"
	shopifyOrder       = "shopify/testdata/golden/orders_create.golden"
	shopifyFulfillment = "shopify/testdata/golden/fulfillments_update.golden"
	shopifyCustomer    = "shopify/testdata/golden/customers_create.golden"
	shopifyConsent     = "shopify/testdata/golden/customers_email_marketing_consent_update.golden"
	bcCart             = "bigcommerce/testdata/resolve/store_cart_abandoned.golden"
	bcSubscriber       = "bigcommerce/testdata/resolve/store_subscriber_created.golden"
	bcShipment         = "bigcommerce/testdata/resolve/store_shipment_created.golden"
	wooOrder           = "woocommerce/testdata/golden/order.created.golden"
	wooCompleted       = "woocommerce/testdata/golden/order.updated.completed.golden"
)

// Facts of those payloads the scenarios rely on.
const (
	shopifyCheckoutToken = "123123123"          // checkouts_update's token
	shopifyProduct       = "788032119674292922" // the sunglasses in orders_create
	bcShopper            = "janedoe@example.com"
	bcCartShopper        = "customer@example.com"
	bobShopper           = "bob@biller.com" // customers_create's customer
)

// payload loads the first event of type typ that a golden file publishes
// and applies the edits; its key and id are then derived afresh from what
// the edits made of it, so two events built from one payload stay two.
func payload(t *testing.T, file string, typ event.Type, edits ...edit) *event.Event {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "adapters", file))
	require.NoError(t, err)
	dec := json.NewDecoder(bytes.NewReader(b))
	for dec.More() {
		var msg struct {
			Value json.RawMessage `json:"value"`
		}
		require.NoError(t, dec.Decode(&msg), file)
		ev := new(event.Event)
		require.NoError(t, json.Unmarshal(msg.Value, ev), file)
		if ev.Type != typ {
			continue
		}
		for _, e := range edits {
			e(ev)
		}
		rekey(ev)
		require.NoError(t, ev.Validate(), file)
		return ev
	}
	t.Fatalf("%s publishes no %s event", file, typ)
	return nil
}

// own builds an event Boomerang emits itself (answer links, the storefront
// snippet, the daily and predict jobs), about the shopper with email.
func own(typ event.Type, after time.Duration, email string, data any) *event.Event {
	ev := &event.Event{
		SchemaVersion: event.SchemaVersion, Type: typ, Shop: "demo", Platform: event.PlatformBoomerang,
		OccurredAt: t0.Add(after), ReceivedAt: t0.Add(after), Customer: &event.Customer{Email: email},
		Data: data, Source: event.Source{Topic: "scenario"},
	}
	rekey(ev)
	return ev
}

// rekey derives the event's semantic key and id from its resource, as the
// adapters do: versioned by occurred_at for resources that change.
func rekey(ev *event.Event) {
	resource, versioned := "", true
	switch d := ev.Data.(type) {
	case *event.Checkout:
		resource = d.Token
	case *event.Order:
		resource, versioned = d.ID, false
	case *event.Shipment:
		resource = d.ID
	case *event.Cart:
		resource = d.ID
	case *event.Consent:
		resource = d.Channel + ":" + d.Email + d.Phone
	case *event.CustomerData:
		resource = d.ID
	case *event.ProductView:
		resource = d.ProductID
	case *event.CartItem:
		resource = d.Item.ProductID
	case *event.Feedback:
		resource, versioned = d.Run+":"+d.Question+":"+d.Answer, false
	case *event.Survey:
		resource, versioned = d.Run+":"+d.Survey, false
	case *event.DateEvent:
		resource, versioned = d.Kind+":"+d.Name+":"+d.Date, false
	case *event.Message:
		resource, versioned = d.MessageID, false
	}
	if resource == "" && ev.Customer != nil {
		resource = ev.Customer.Email
	}
	var version time.Time
	if versioned {
		version = ev.OccurredAt
	}
	ev.Key = event.SemanticKey(ev.Type, ev.Shop, resource, version)
	ev.ID = event.DeliveryID(ev.Platform, ev.Shop, ev.Key, ev.Type)
}

// edit adjusts a published payload for a scenario.
type edit func(*event.Event)

// at moves the event, and the resource's own change time, to t0+after.
func at(after time.Duration) edit { return on(t0.Add(after)) }

// on moves the event, and the resource's own change time, to ts.
func on(ts time.Time) edit {
	return func(ev *event.Event) {
		ev.OccurredAt, ev.ReceivedAt = ts, ts
		switch d := ev.Data.(type) {
		case *event.Checkout:
			d.CreatedAt, d.UpdatedAt = ts.Add(-10*minute), ts
		case *event.Order:
			d.CreatedAt, d.UpdatedAt = ts, ts
			d.CancelledAt, d.CancelReason = nil, "" // the Shopify sample is a cancelled order
		case *event.Shipment:
			d.UpdatedAt = ts
		case *event.Cart:
			d.CreatedAt, d.UpdatedAt = ts.Add(-30*minute), ts
		case *event.Consent:
			if !d.UpdatedAt.IsZero() {
				d.UpdatedAt = ts
			}
		case *event.CustomerData:
			d.CreatedAt, d.UpdatedAt = ts, ts
		}
	}
}

// to makes the payload the shopper's: the envelope's and the data's email.
func to(email string) edit {
	return func(ev *event.Event) {
		if ev.Customer == nil {
			ev.Customer = &event.Customer{}
		}
		ev.Customer.Email = email
		switch d := ev.Data.(type) {
		case *event.Checkout:
			d.Email = email
		case *event.Order:
			d.Email = email
		case *event.Shipment:
			d.Email = email
		case *event.Cart:
			d.Email = email
		case *event.Consent:
			d.Email = email
		case *event.CustomerData:
			d.Email = email
		}
	}
}

// emailConsent sets the buyer's email marketing checkbox (checkout, order)
// or the consent change's state.
func emailConsent(yes bool) edit {
	return func(ev *event.Event) {
		switch d := ev.Data.(type) {
		case *event.Checkout:
			d.AcceptsEmailMarketing = yes
		case *event.Order:
			d.AcceptsMarketing = yes
		case *event.Consent:
			d.State = event.ConsentNotSubscribed
			if yes {
				d.State = event.ConsentSubscribed
			}
		}
	}
}

// smsConsent ticks the checkout's SMS marketing box for phone.
func smsConsent(phone string) edit {
	return func(ev *event.Event) {
		d := ev.Data.(*event.Checkout) //nolint:forcetypeassert // only checkouts carry the SMS box
		d.AcceptsSMSMarketing, d.SMSMarketingPhone = true, phone
	}
}

// shipment sets a shipment's status.
func shipment(status string) edit {
	return func(ev *event.Event) { ev.Data.(*event.Shipment).Status = status } //nolint:forcetypeassert // shipments only
}

// orderID renumbers an order; checkoutToken links it to its checkout.
func orderID(id string) edit {
	return func(ev *event.Event) { ev.Data.(*event.Order).ID = id } //nolint:forcetypeassert // orders only
}

func checkoutToken(token string) edit {
	return func(ev *event.Event) { ev.Data.(*event.Order).CheckoutToken = token } //nolint:forcetypeassert // orders only
}

// The payloads the scenarios use most.

// checkout is Shopify's checkouts/update sample: ann's, with items.
func checkout(t *testing.T, after time.Duration, edits ...edit) *event.Event {
	t.Helper()
	return payload(t, shopifyCheckout, event.CheckoutUpdated, append([]edit{at(after), to(ann)}, edits...)...)
}

// order is Shopify's orders/create sample: ann's, accepting email marketing.
func order(t *testing.T, after time.Duration, edits ...edit) *event.Event {
	t.Helper()
	return payload(t, shopifyOrder, event.OrderPlaced, append([]edit{at(after), to(ann)}, edits...)...)
}

// delivered is Shopify's fulfillments/update sample for ann, delivered.
func delivered(t *testing.T, after time.Duration) *event.Event {
	t.Helper()
	return payload(t, shopifyFulfillment, event.ShipmentUpdated, at(after), to(ann), shipment(event.ShipmentDelivered))
}

// subscribes is Shopify's email consent sample: ann subscribes, first.
func subscribes(t *testing.T) *event.Event {
	t.Helper()
	return payload(t, shopifyConsent, event.ConsentUpdated, at(0), to(ann), emailConsent(true))
}

// unsubscribes is what the unsubscribe link publishes: the consent change
// and the engagement event.
func unsubscribes(after time.Duration, email, message string) []*event.Event {
	ts := t0.Add(after)
	return []*event.Event{
		own(event.ConsentUpdated, after, email, &event.Consent{
			Channel: event.ChannelEmail, Email: email, State: event.ConsentUnsubscribed,
			CollectedFrom: "unsubscribe_link", UpdatedAt: ts,
		}),
		own(event.MessageUnsubscribed, after, email, &event.Message{MessageID: message, Channel: event.ChannelEmail, To: email}),
	}
}

// viewed is the storefront snippet's product view by ann, identified.
func viewed(after time.Duration, product, title string) *event.Event {
	return own(event.ProductViewed, after, ann, &event.ProductView{
		ProductID: product, Title: title, URL: "https://demo.example/products/" + product, Price: "25.00", Currency: "USD",
	})
}

// answered is the feedback.submitted a one-click answer link publishes.
func answered(after time.Duration, email, flow, run, step, question, answer string) *event.Event {
	fb := &event.Feedback{Flow: flow, Run: run, Step: step, Question: question, Answer: answer}
	if question == "score" {
		n := int(answer[0] - '0')
		fb.Score = &n
	}
	return own(event.FeedbackSubmitted, after, email, fb)
}

// dateReached is the daily job's date.reached for ann, at midnight in New
// York.
func dateReached(t *testing.T, date, kind, name string) *event.Event {
	t.Helper()
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	d, err := time.ParseInLocation(time.DateOnly, date, ny)
	require.NoError(t, err)
	return own(event.DateReached, d.Sub(t0), ann, &event.DateEvent{Kind: kind, Date: date, Name: name})
}

// A row is one expected line of a timeline, compactly.
type row struct {
	at       time.Duration // after the first event
	action   string
	flow     string
	step     string
	template string
	reason   string
	// detail is compared for exits by an exit step (its reason), webhooks
	// (the URL's host) and updates (the properties set).
	detail string
	// code is a discount's code prefix ("COMEBACK-").
	code string
	// until is when a deferred send may go, after the first event.
	until time.Duration
}

func start(at time.Duration, flow string) row { return row{at: at, action: "start", flow: flow} }

func send(at time.Duration, flow, step, template string) row {
	return row{at: at, action: "send", flow: flow, step: step, template: template}
}

func skip(at time.Duration, flow, step, template, reason string) row {
	return row{at: at, action: "skip", flow: flow, step: step, template: template, reason: reason}
}

// notStarted is a run that a trigger would have started: prevented by an
// earlier exit event (exit_on) or too soon again (reentry).
func notStarted(at time.Duration, flow, reason string) row {
	return row{at: at, action: "skip", flow: flow, reason: reason}
}

func deferred(at time.Duration, flow, step, template string, until time.Duration) row {
	return row{at: at, action: "defer", flow: flow, step: step, template: template, reason: "quiet_hours", until: until}
}

func discount(at time.Duration, flow, step, prefix string) row {
	return row{at: at, action: "discount", flow: flow, step: step, code: prefix}
}

func exit(at time.Duration, flow, reason string) row {
	return row{at: at, action: "exit", flow: flow, reason: reason}
}

// exitStep is a run ended by its exit step, with the step's reason.
func exitStep(at time.Duration, flow, why string) row {
	return row{at: at, action: "exit", flow: flow, reason: "exit_step", detail: why}
}

func webhook(at time.Duration, flow, step, host string) row {
	return row{at: at, action: "webhook", flow: flow, step: step, detail: host}
}

func update(at time.Duration, flow, step, props string) row {
	return row{at: at, action: "update", flow: flow, step: step, detail: props}
}

func (r row) String() string {
	parts := []string{"+" + offset(r.at), r.action, r.flow}
	for _, s := range []string{r.step, r.template, r.reason, r.detail, r.code} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	if r.action == "defer" {
		parts = append(parts, "until +"+offset(r.until))
	}
	return strings.Join(parts, " ")
}

// offset prints a duration with days: 3d1h30m, 0.
func offset(d time.Duration) string {
	if d == 0 {
		return "0"
	}
	var b strings.Builder
	if d < 0 {
		b.WriteString("-")
		d = -d
	}
	for _, u := range []struct {
		unit time.Duration
		name string
	}{{day, "d"}, {hour, "h"}, {minute, "m"}, {time.Second, "s"}} {
		if n := d / u.unit; n > 0 {
			fmt.Fprintf(&b, "%d%s", n, u.name)
			d -= n * u.unit
		}
	}
	return b.String()
}

// asRow is a printed line as a row, relative to origin.
func asRow(l replay.Line, origin time.Time) row {
	r := row{at: l.At.Sub(origin), action: l.Action, flow: l.Flow, step: l.Step, template: l.Template, reason: l.Reason}
	switch {
	case l.Action == "exit" && l.Reason == "exit_step", l.Action == "webhook", l.Action == "update":
		r.detail = l.Detail
	case l.Action == "discount":
		prefix, _, _ := strings.Cut(l.Code, "-")
		r.code = prefix + "-"
	case l.Action == "defer" && l.Until != nil:
		r.until = l.Until.Sub(origin)
	}
	return r
}

// A scenario is events and the timeline they make of some flows.
type scenario struct {
	name string
	// events are replayed as given (replay orders them by occurred_at,
	// keeping the given order for equal times).
	events []*event.Event
	// answers, when set, are events that need the run ids of a first
	// replay of events (answer links name their run), by flow.
	answers func(runs map[string]string) []*event.Event
	// shops is a shops file (default: the demo shop), until --until.
	shops string
	until time.Duration
	// flows are the flows whose lines the timeline holds.
	flows []string
	// email and phone are where every email and SMS line must go.
	email, phone string
	want         []row
}

// transactional lists the built-in templates sent as transactional; every
// other one is marketing.
var transactional = map[string]bool{
	"order-confirmation": true, "shipping-confirmation": true, "delivery-confirmation": true, "satisfaction-apology": true,
}

// shopsFile is the demo shop as a shops file, with flow settings (YAML
// under flows:, indented by six spaces).
func shopsFile(flowSettings string) string {
	return `shops:
  - id: demo
    platform: shopify
    domain: demo.myshopify.com
    webhook_secret: scenario-secret
    timezone: America/New_York
    email: {from: "Demo Store <hello@demo.example>", address: "1 Main St, Springfield"}
    sms: {from: "+15005550006", help_text: "Demo Store: help at demo.example/help. Reply STOP to opt out."}
    flows:
` + flowSettings
}

// jsonLines is events as replay reads them, one canonical event a line.
func jsonLines(t *testing.T, events []*event.Event) string {
	t.Helper()
	var b strings.Builder
	for _, ev := range events {
		require.NoError(t, ev.Validate())
		line, err := json.Marshal(ev)
		require.NoError(t, err)
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.String()
}

// replayLines runs `boomerang replay` on events and returns its lines.
func replayLines(t *testing.T, events []*event.Event, shops string, until time.Duration) []replay.Line {
	t.Helper()
	args := []string{"replay", "--events", "-", "--flows", ""}
	if shops != "" {
		path := filepath.Join(t.TempDir(), "shops.yaml")
		require.NoError(t, os.WriteFile(path, []byte(shops), 0o600))
		args = append(args, "--shops", path)
	}
	if until > 0 {
		args = append(args, "--until", until.String())
	}
	code, out, errOut := run(t, args, jsonLines(t, events), nil)
	require.Equal(t, 0, code, errOut)
	var lines []replay.Line
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 0, 1<<20), 1<<20)
	for sc.Scan() {
		var l replay.Line
		require.NoError(t, json.Unmarshal(sc.Bytes(), &l), sc.Text())
		lines = append(lines, l)
	}
	require.NoError(t, sc.Err())
	return lines
}

// play replays a scenario and checks its timeline and what every line of
// its flows says about recipients, categories and codes.
func play(t *testing.T, sc scenario) {
	t.Helper()
	events := sc.events
	if sc.answers != nil {
		runs := map[string]string{}
		for _, l := range replayLines(t, events, sc.shops, sc.until) {
			if l.Action == "start" {
				runs[l.Flow] = l.Run
			}
		}
		events = append(slices.Clone(events), sc.answers(runs)...)
	}
	origin := events[0].OccurredAt
	for _, ev := range events {
		if ev.OccurredAt.Before(origin) {
			origin = ev.OccurredAt
		}
	}
	lines := replayLines(t, events, sc.shops, sc.until)

	var got []string
	codes := map[string]string{} // run: its newest discount code
	for _, l := range lines {
		if !slices.Contains(sc.flows, l.Flow) {
			continue
		}
		got = append(got, asRow(l, origin).String())
		switch l.Channel {
		case event.ChannelEmail:
			require.Equal(t, sc.email, l.To, "%s %s/%s goes to the shopper's email", l.Action, l.Flow, l.Step)
		case event.ChannelSMS:
			require.Equal(t, sc.phone, l.To, "%s %s/%s goes to the shopper's phone", l.Action, l.Flow, l.Step)
		}
		if l.Template != "" {
			want := "marketing"
			if transactional[l.Template] {
				want = "transactional"
			}
			require.Equal(t, want, l.Category, "%s is %s", l.Template, want)
			if want == "transactional" {
				require.NotContains(t, []string{"consent", "unsubscribed", "smart_sending", "quiet_hours", "stale"}, l.Reason,
					"transactional messages need no consent and always go")
			}
		}
		switch l.Action {
		case "discount":
			codes[l.Run] = l.Code
		case "send":
			require.Equal(t, codes[l.Run], l.Code, "%s/%s shows its run's newest code", l.Flow, l.Step)
		}
	}
	want := make([]string, len(sc.want))
	for i, r := range sc.want {
		want[i] = r.String()
	}
	require.Equal(t, want, got, "timeline of %v", sc.flows)
}

func TestReplayFlowScenarios(t *testing.T) {
	t.Parallel()
	for _, sc := range flowScenarios(t) {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			play(t, sc)
		})
	}
}

// Flow ids, for the tables.
const (
	acFlow      = "abandoned-checkout"
	cartFlow    = "abandoned-cart"
	smartFlow   = "smart-abandonment"
	browseFlow  = "browse-abandonment"
	orderFlow   = "order-confirmation"
	shipFlow    = "shipping-confirmation"
	deliverFlow = "delivery-confirmation"
	welcomeFlow = "welcome-series"
	postFlow    = "post-purchase"
	surveyFlow  = "satisfaction-survey"
	winFlow     = "win-back"
	churnFlow   = "win-back-churn-risk"
	bdayFlow    = "birthday"
	holidayFlow = "holiday"
	crossFlow   = "cross-sell"
	bxgyFlow    = "buy-x-get-y"
	profileFlow = "profile-survey"
)

func flowScenarios(t *testing.T) []scenario {
	t.Helper()
	var out []scenario
	out = append(out, abandonedCheckoutScenarios(t)...)
	out = append(out, confirmationScenarios(t)...)
	out = append(out, welcomeScenarios(t)...)
	out = append(out, abandonedCartScenarios(t)...)
	out = append(out, smartAbandonmentScenarios(t)...)
	out = append(out, browseScenarios(t)...)
	out = append(out, afterDeliveryScenarios(t)...)
	out = append(out, winBackScenarios(t)...)
	out = append(out, dateScenarios(t)...)
	out = append(out, offerScenarios(t)...)
	out = append(out, sendingScenarios(t)...)
	return out
}

func abandonedCheckoutScenarios(t *testing.T) []scenario {
	t.Helper()
	return []scenario{{
		name:   "abandoned checkout: the full timeline, SMS with SMS consent",
		events: []*event.Event{checkout(t, 0, emailConsent(true), smsConsent(annPhone))},
		flows:  []string{acFlow}, email: ann, phone: annPhone,
		want: []row{
			start(0, acFlow),
			send(1*hour, acFlow, "reminder", "abandoned-checkout-reminder"),
			send(1*day, acFlow, "benefits", "abandoned-checkout-benefits"),
			send(1*day, acFlow, "nudge", "abandoned-checkout-sms"),
			discount(3*day, acFlow, "code", "COMEBACK-"),
			send(3*day, acFlow, "discount", "abandoned-checkout-discount"),
			exit(3*day, acFlow, "completed"),
		},
	}, {
		name:   "abandoned checkout: no SMS without SMS consent",
		events: []*event.Event{checkout(t, 0, emailConsent(true))},
		flows:  []string{acFlow}, email: ann,
		want: []row{
			start(0, acFlow),
			send(1*hour, acFlow, "reminder", "abandoned-checkout-reminder"),
			send(1*day, acFlow, "benefits", "abandoned-checkout-benefits"),
			discount(3*day, acFlow, "code", "COMEBACK-"),
			send(3*day, acFlow, "discount", "abandoned-checkout-discount"),
			exit(3*day, acFlow, "completed"),
		},
	}, {
		// While nothing is sent, a newer update counts the first wait afresh.
		name:   "abandoned checkout: the checkout updated again moves the first reminder",
		events: []*event.Event{checkout(t, 0, emailConsent(true)), checkout(t, 40*minute, emailConsent(true))},
		until:  1 * hour,
		flows:  []string{acFlow}, email: ann,
		want: []row{
			start(0, acFlow),
			send(1*hour+40*minute, acFlow, "reminder", "abandoned-checkout-reminder"),
		},
	}, {
		name: "abandoned checkout: an order placed after the checkout ends it",
		events: []*event.Event{
			checkout(t, 0, emailConsent(true)),
			order(t, 30*minute, checkoutToken(shopifyCheckoutToken)),
		},
		flows: []string{acFlow, orderFlow}, email: ann,
		want: []row{
			start(0, acFlow),
			exit(30*minute, acFlow, "exit_on"),
			start(30*minute, orderFlow),
			send(30*minute, orderFlow, "confirmation", "order-confirmation"),
			exit(30*minute, orderFlow, "completed"),
		},
	}, {
		// orders/create often beats the last checkouts/update: same time,
		// the order handled first.
		name: "abandoned checkout: an order handled before its checkout means no run",
		events: []*event.Event{
			order(t, 0, checkoutToken(shopifyCheckoutToken)),
			checkout(t, 0, emailConsent(true)),
		},
		flows: []string{acFlow, orderFlow}, email: ann,
		want: []row{
			start(0, orderFlow),
			send(0, orderFlow, "confirmation", "order-confirmation"),
			exit(0, orderFlow, "completed"),
			notStarted(0, acFlow, "exit_on"),
		},
	}, {
		name: "consent: marketing skips without it, the order confirmation still goes",
		events: []*event.Event{
			checkout(t, 0),
			order(t, 25*hour, emailConsent(false), checkoutToken(shopifyCheckoutToken)),
		},
		flows: []string{acFlow, orderFlow}, email: ann,
		want: []row{
			start(0, acFlow),
			skip(1*hour, acFlow, "reminder", "abandoned-checkout-reminder", "consent"),
			skip(1*day, acFlow, "benefits", "abandoned-checkout-benefits", "consent"),
			exit(25*hour, acFlow, "exit_on"),
			start(25*hour, orderFlow),
			send(25*hour, orderFlow, "confirmation", "order-confirmation"),
			exit(25*hour, orderFlow, "completed"),
		},
	}, {
		name: "consent: an unsubscribe mid-series stops the later emails, not the SMS",
		events: append([]*event.Event{checkout(t, 0, emailConsent(true), smsConsent(annPhone))},
			unsubscribes(2*hour, ann, "reminder-message")...),
		flows: []string{acFlow}, email: ann, phone: annPhone,
		want: []row{
			start(0, acFlow),
			send(1*hour, acFlow, "reminder", "abandoned-checkout-reminder"),
			skip(1*day, acFlow, "benefits", "abandoned-checkout-benefits", "unsubscribed"),
			send(1*day, acFlow, "nudge", "abandoned-checkout-sms"),
			discount(3*day, acFlow, "code", "COMEBACK-"),
			skip(3*day, acFlow, "discount", "abandoned-checkout-discount", "unsubscribed"),
			exit(3*day, acFlow, "completed"),
		},
	}}
}

func confirmationScenarios(t *testing.T) []scenario {
	t.Helper()
	// BigCommerce's shipment sample: in transit with tracking, for a
	// shopper who never consented to marketing.
	return []scenario{{
		name: "shipping and delivery confirmations: once per shipment, without consent",
		events: []*event.Event{
			payload(t, bcShipment, event.ShipmentUpdated, at(0)),
			payload(t, bcShipment, event.ShipmentUpdated, at(1*day)),
			payload(t, bcShipment, event.ShipmentUpdated, at(2*day), shipment(event.ShipmentDelivered)),
		},
		flows: []string{shipFlow, deliverFlow}, email: bcShopper,
		want: []row{
			start(0, shipFlow),
			send(0, shipFlow, "shipped", "shipping-confirmation"),
			exit(0, shipFlow, "completed"),
			notStarted(1*day, shipFlow, "reentry"),
			start(2*day, deliverFlow),
			send(2*day, deliverFlow, "delivered", "delivery-confirmation"),
			exit(2*day, deliverFlow, "completed"),
		},
	}}
}

func welcomeScenarios(t *testing.T) []scenario {
	t.Helper()
	subscriber := func(after time.Duration) *event.Event {
		return payload(t, bcSubscriber, event.ConsentUpdated, at(after))
	}
	bobOrder := func(after time.Duration, id string) *event.Event {
		return payload(t, shopifyOrder, event.OrderPlaced, at(after), to(bobShopper), orderID(id))
	}
	bobAccount := func(after time.Duration) *event.Event {
		return payload(t, shopifyCustomer, event.CustomerCreated, at(after))
	}
	return []scenario{{
		name:   "welcome series: a subscriber who never bought",
		events: []*event.Event{subscriber(0)},
		flows:  []string{welcomeFlow}, email: bcShopper,
		want: []row{
			start(0, welcomeFlow),
			send(15*minute, welcomeFlow, "welcome", "welcome"),
			send(2*day+15*minute, welcomeFlow, "brand-story", "welcome-brand-story"),
			discount(5*day+15*minute, welcomeFlow, "first-order-code", "WELCOME-"),
			send(5*day+15*minute, welcomeFlow, "first-order", "welcome-first-order"),
			exitStep(5*day+15*minute, welcomeFlow, "series done"),
		},
	}, {
		name: "welcome series: an order ends the subscriber's series",
		events: []*event.Event{
			subscriber(0),
			payload(t, shopifyOrder, event.OrderPlaced, at(3*day), to(bcShopper)),
		},
		flows: []string{welcomeFlow}, email: bcShopper,
		want: []row{
			start(0, welcomeFlow),
			send(15*minute, welcomeFlow, "welcome", "welcome"),
			send(2*day+15*minute, welcomeFlow, "brand-story", "welcome-brand-story"),
			exit(3*day, welcomeFlow, "exit_on"),
		},
	}, {
		// The account is made with the first order, which ticked the
		// marketing box. The profile survey that order started asks at
		// +3d (post-purchase priority, above welcome), so the brand story a
		// minute later is held back by smart sending.
		name:   "welcome series: a first-time buyer",
		events: []*event.Event{bobOrder(0, "1001"), bobAccount(1 * minute)},
		flows:  []string{welcomeFlow}, email: bobShopper,
		want: []row{
			start(1*minute, welcomeFlow),
			send(16*minute, welcomeFlow, "welcome-buyer", "welcome-buyer"),
			skip(3*day+16*minute, welcomeFlow, "buyer-brand-story", "welcome-brand-story", "smart_sending"),
			discount(7*day+16*minute, welcomeFlow, "second-order-code", "AGAIN-"),
			send(7*day+16*minute, welcomeFlow, "second-order", "welcome-second-order"),
			exit(7*day+16*minute, welcomeFlow, "completed"),
		},
	}, {
		// Shopify's usual order of things: the account is created a
		// minute before the order it was made for. The 15 minutes the
		// series waits first let the order arrive, so the buyer is
		// welcomed as a buyer, not offered a first-order code.
		name:   "welcome series: an account made a minute before its order",
		events: []*event.Event{bobAccount(0), bobOrder(1*minute, "1001")},
		flows:  []string{welcomeFlow}, email: bobShopper,
		want: []row{
			start(0, welcomeFlow),
			send(15*minute, welcomeFlow, "welcome-buyer", "welcome-buyer"),
			skip(3*day+15*minute, welcomeFlow, "buyer-brand-story", "welcome-brand-story", "smart_sending"),
			discount(7*day+15*minute, welcomeFlow, "second-order-code", "AGAIN-"),
			send(7*day+15*minute, welcomeFlow, "second-order", "welcome-second-order"),
			exit(7*day+15*minute, welcomeFlow, "completed"),
		},
	}, {
		name:   "welcome series: a repeat buyer",
		events: []*event.Event{bobOrder(0, "1001"), bobOrder(1*day, "1002"), bobAccount(1*day + 1*minute)},
		flows:  []string{welcomeFlow}, email: bobShopper,
		want: []row{
			start(1*day+1*minute, welcomeFlow),
			send(1*day+16*minute, welcomeFlow, "welcome-back", "welcome-repeat"),
			exit(1*day+16*minute, welcomeFlow, "completed"),
		},
	}}
}

func abandonedCartScenarios(t *testing.T) []scenario {
	t.Helper()
	subscriber := payload(t, bcSubscriber, event.ConsentUpdated, at(0), to(bcCartShopper))
	cart := payload(t, bcCart, event.CartAbandoned, at(1*day))
	return []scenario{{
		name:   "abandoned cart: BigCommerce's abandoned cart, the full timeline",
		events: []*event.Event{subscriber, cart},
		flows:  []string{cartFlow}, email: bcCartShopper,
		want: []row{
			start(1*day, cartFlow),
			send(1*day+1*hour, cartFlow, "reminder", "abandoned-cart-reminder"),
			discount(4*day, cartFlow, "code", "CART-"),
			send(4*day, cartFlow, "final", "abandoned-cart-final"),
			exit(4*day, cartFlow, "completed"),
		},
	}, {
		// The checkout flow takes over; its reminder, the second
		// abandonment email (equal priority) within 16 h, is held back.
		name: "abandoned cart: a checkout for the same email ends it",
		events: []*event.Event{
			subscriber, cart,
			payload(t, shopifyCheckout, event.CheckoutUpdated, at(1*day+2*hour), to(bcCartShopper), emailConsent(true)),
		},
		until: 2 * hour,
		flows: []string{cartFlow, acFlow}, email: bcCartShopper,
		want: []row{
			start(1*day, cartFlow),
			send(1*day+1*hour, cartFlow, "reminder", "abandoned-cart-reminder"),
			exit(1*day+2*hour, cartFlow, "exit_on"),
			start(1*day+2*hour, acFlow),
			skip(1*day+3*hour, acFlow, "reminder", "abandoned-checkout-reminder", "smart_sending"),
		},
	}}
}

func smartAbandonmentScenarios(t *testing.T) []scenario {
	t.Helper()
	shops := shopsFile("      smart-abandonment: {enabled: true}\n      abandoned-checkout: {enabled: false}\n")
	answer := func(a string) func(map[string]string) []*event.Event {
		return func(runs map[string]string) []*event.Event {
			return []*event.Event{answered(2*hour, ann, smartFlow, runs[smartFlow], "ask", "why", a)}
		}
	}
	asked := []row{start(0, smartFlow), send(1*hour, smartFlow, "ask", "smart-abandonment-why")}
	sc := func(name, a string, rest ...row) scenario {
		s := scenario{
			name: "smart abandonment: " + name, shops: shops,
			events: []*event.Event{checkout(t, 0, emailConsent(true))},
			flows:  []string{smartFlow, acFlow}, email: ann,
			want: append(slices.Clone(asked), rest...),
		}
		if a != "" {
			s.answers = answer(a)
		}
		return s
	}
	return []scenario{
		sc("price, a discount and the reply", "price",
			discount(2*hour, smartFlow, "price-code", "SAVE-"),
			send(2*hour, smartFlow, "price-reply", "smart-abandonment-price"),
			exitStep(2*hour, smartFlow, "answered price")),
		sc("shipping, a free-shipping code", "shipping",
			discount(2*hour, smartFlow, "shipping-code", "SHIP-"),
			send(2*hour, smartFlow, "shipping-reply", "smart-abandonment-shipping"),
			exitStep(2*hour, smartFlow, "answered shipping")),
		sc("timing, a reminder 3 days later", "timing",
			send(3*day+2*hour, smartFlow, "later", "smart-abandonment-later"),
			exit(3*day+2*hour, smartFlow, "completed")),
		sc("a question, help", "question",
			send(2*hour, smartFlow, "help-reply", "smart-abandonment-help"),
			exitStep(2*hour, smartFlow, "answered question")),
		sc("just browsing, nothing more", "browsing",
			exit(2*hour, smartFlow, "completed")),
		sc("no answer", "",
			exitStep(3*day+1*hour, smartFlow, "no answer")),
	}
}

func browseScenarios(t *testing.T) []scenario {
	t.Helper()
	return []scenario{{
		name: "browse abandonment: one email 4 h after the last view",
		events: []*event.Event{
			subscribes(t),
			viewed(1*day, "p-1", "Linen shirt"),
			viewed(1*day+30*minute, "p-2", "Canvas tote"),
		},
		flows: []string{browseFlow}, email: ann,
		want: []row{
			start(1*day, browseFlow),
			send(1*day+4*hour+30*minute, browseFlow, "browse", "browse-abandonment"),
			exit(1*day+4*hour+30*minute, browseFlow, "completed"),
		},
	}, {
		// What the shopper viewed but already bought is not shown; with
		// nothing left, nothing is sent.
		name:   "browse abandonment: nothing to show when the viewed product was bought",
		events: []*event.Event{order(t, 0), viewed(1*day, shopifyProduct, "Aviator sunglasses")},
		flows:  []string{browseFlow}, email: ann,
		want: []row{
			start(1*day, browseFlow),
			skip(1*day+4*hour, browseFlow, "browse", "browse-abandonment", "no_recommendation"),
			exit(1*day+4*hour, browseFlow, "completed"),
		},
	}, {
		name: "browse abandonment: adding to the cart stops it",
		events: []*event.Event{
			subscribes(t),
			viewed(1*day, "p-1", "Linen shirt"),
			own(event.CartItemAdded, 1*day+1*hour, ann, &event.CartItem{
				CartToken: "c-1", Item: event.LineItem{ProductID: "p-1", Title: "Linen shirt", Quantity: 1, Price: "25.00"}, Currency: "USD",
			}),
		},
		flows: []string{browseFlow}, email: ann,
		want: []row{
			start(1*day, browseFlow),
			exit(1*day+1*hour, browseFlow, "exit_on"),
		},
	}, {
		name: "browse abandonment: once per 7 days",
		events: []*event.Event{
			subscribes(t),
			viewed(1*day, "p-1", "Linen shirt"),
			viewed(3*day, "p-2", "Canvas tote"),
			viewed(8*day+1*minute, "p-3", "Straw hat"),
		},
		until: 1 * day,
		flows: []string{browseFlow}, email: ann,
		want: []row{
			start(1*day, browseFlow),
			send(1*day+4*hour, browseFlow, "browse", "browse-abandonment"),
			exit(1*day+4*hour, browseFlow, "completed"),
			notStarted(3*day, browseFlow, "reentry"),
			start(8*day+1*minute, browseFlow),
			send(8*day+4*hour+1*minute, browseFlow, "browse", "browse-abandonment"),
			exit(8*day+4*hour+1*minute, browseFlow, "completed"),
		},
	}}
}

func afterDeliveryScenarios(t *testing.T) []scenario {
	t.Helper()
	// Ann orders (ticking the marketing box) and the order is delivered 3
	// days later.
	bought := func() []*event.Event { return []*event.Event{order(t, 0), delivered(t, 3*day)} }
	score := func(n string) func(map[string]string) []*event.Event {
		return func(runs map[string]string) []*event.Event {
			return []*event.Event{answered(7*day+1*hour, ann, surveyFlow, runs[surveyFlow], "ask", "score", n)}
		}
	}
	const alertURL = "https://hooks.zapier.com/hooks/catch/123/abc"
	asked := []row{start(3*day, surveyFlow), send(7*day, surveyFlow, "ask", "satisfaction-survey")}
	return []scenario{{
		name:   "post-purchase: tips, review and loyalty 2, 7 and 14 days after delivery",
		events: bought(),
		flows:  []string{postFlow}, email: ann,
		want: []row{
			start(3*day, postFlow),
			send(5*day, postFlow, "tips", "post-purchase-tips"),
			send(10*day, postFlow, "review", "post-purchase-review"),
			send(17*day, postFlow, "loyalty", "post-purchase-loyalty"),
			exit(17*day, postFlow, "completed"),
		},
	}, {
		// WooCommerce reports no delivery: its completed order, plus the
		// 3-day delivery estimate, stands for it.
		name:   "post-purchase: a WooCommerce order completed",
		events: []*event.Event{subscribes(t), payload(t, wooCompleted, event.OrderFulfilled, at(0), to(ann))},
		flows:  []string{postFlow}, email: ann,
		want: []row{
			start(0, postFlow),
			send(5*day, postFlow, "tips", "post-purchase-tips"),
			send(10*day, postFlow, "review", "post-purchase-review"),
			send(17*day, postFlow, "loyalty", "post-purchase-loyalty"),
			exit(17*day, postFlow, "completed"),
		},
	}, {
		name:   "cross-sell: nothing worth recommending without a catalogue",
		events: bought(),
		flows:  []string{crossFlow}, email: ann,
		want: []row{
			start(3*day, crossFlow),
			skip(13*day, crossFlow, "recommend", "cross-sell", "no_recommendation"),
			exit(13*day, crossFlow, "completed"),
		},
	}, {
		name: "satisfaction survey: a 5 asks for a referral", events: bought(), answers: score("5"),
		flows: []string{surveyFlow}, email: ann,
		want: append(slices.Clone(asked),
			update(7*day+1*hour, surveyFlow, "remember-score", "satisfaction_score"),
			send(7*day+1*hour, surveyFlow, "referral", "satisfaction-referral"),
			exit(7*day+1*hour, surveyFlow, "completed")),
	}, {
		name: "satisfaction survey: a 1 alerts the shop and apologises", events: bought(), answers: score("1"),
		shops: shopsFile("      satisfaction-survey: {params: {alert_url: \"" + alertURL + "\"}}\n"),
		flows: []string{surveyFlow}, email: ann,
		want: append(slices.Clone(asked),
			update(7*day+1*hour, surveyFlow, "remember-score", "satisfaction_score"),
			webhook(7*day+1*hour, surveyFlow, "alert", "hooks.zapier.com"), // the URL's path is its key: host only
			send(7*day+1*hour, surveyFlow, "apology", "satisfaction-apology"),
			exit(7*day+1*hour, surveyFlow, "completed")),
	}, {
		name: "satisfaction survey: a 1 without alert_url still apologises", events: bought(), answers: score("1"),
		flows: []string{surveyFlow}, email: ann,
		want: append(slices.Clone(asked),
			update(7*day+1*hour, surveyFlow, "remember-score", "satisfaction_score"),
			row{at: 7*day + 1*hour, action: "skip", flow: surveyFlow, step: "alert", reason: "no_webhook_url"},
			send(7*day+1*hour, surveyFlow, "apology", "satisfaction-apology"),
			exit(7*day+1*hour, surveyFlow, "completed")),
	}, {
		name: "satisfaction survey: no answer", events: bought(),
		flows: []string{surveyFlow}, email: ann,
		want: append(slices.Clone(asked), exitStep(14*day, surveyFlow, "no answer")),
	}}
}

func winBackScenarios(t *testing.T) []scenario {
	t.Helper()
	return []scenario{{
		name:   "win-back: 90 days after the last order",
		events: []*event.Event{order(t, 0)},
		until:  100 * day,
		flows:  []string{winFlow}, email: ann,
		want: []row{
			start(0, winFlow),
			discount(90*day, winFlow, "code", "MISSYOU-"),
			send(90*day, winFlow, "miss-you", "win-back"),
			send(97*day, winFlow, "last-chance", "win-back-last-chance"),
			exit(97*day, winFlow, "completed"),
		},
	}, {
		name:   "win-back: a newer order starts the wait afresh",
		events: []*event.Event{order(t, 0, orderID("1001")), order(t, 30*day, orderID("1002"))},
		until:  100 * day,
		flows:  []string{winFlow}, email: ann,
		want: []row{
			start(0, winFlow),
			exit(30*day, winFlow, "exit_on"),
			start(30*day, winFlow),
			discount(120*day, winFlow, "code", "MISSYOU-"),
			send(120*day, winFlow, "miss-you", "win-back"),
			send(127*day, winFlow, "last-chance", "win-back-last-chance"),
			exit(127*day, winFlow, "completed"),
		},
	}, {
		// The predict job moves ann into the high churn band at 02:00 in
		// New York; the offer goes at 10:00 there.
		name: "win-back on churn risk: the high band",
		events: []*event.Event{
			subscribes(t),
			own(event.PredictionUpdated, 13*day+16*hour, ann, &event.Prediction{
				PAlive: 0.18, ChurnRisk: 0.82, ChurnBand: "high", ExpectedOrders: 0.3, Model: "bgnbd",
			}),
		},
		flows: []string{churnFlow}, email: ann,
		want: []row{
			start(13*day+16*hour, churnFlow),
			discount(14*day, churnFlow, "code", "MISSYOU-"),
			send(14*day, churnFlow, "miss-you", "win-back"),
			send(21*day, churnFlow, "last-chance", "win-back-last-chance"),
			exit(21*day, churnFlow, "completed"),
		},
	}}
}

func dateScenarios(t *testing.T) []scenario {
	t.Helper()
	// date.reached comes at midnight in New York (04:00 UTC); the wishes at
	// 10:00 there (14:00 UTC).
	return []scenario{{
		name:   "birthday: at 10:00 in the shopper's zone, with a code",
		events: []*event.Event{subscribes(t), dateReached(t, "2026-06-10", "birthday", "")},
		flows:  []string{bdayFlow}, email: ann,
		want: []row{
			start(8*day+14*hour, bdayFlow),
			discount(9*day, bdayFlow, "birthday-code", "BDAY-"),
			send(9*day, bdayFlow, "birthday", "birthday"),
			exit(9*day, bdayFlow, "completed"),
		},
	}, {
		name:   "birthday: an anniversary, without a code",
		events: []*event.Event{subscribes(t), dateReached(t, "2026-06-10", "anniversary", "")},
		flows:  []string{bdayFlow}, email: ann,
		want: []row{
			start(8*day+14*hour, bdayFlow),
			send(9*day, bdayFlow, "anniversary", "anniversary"),
			exit(9*day, bdayFlow, "completed"),
		},
	}, {
		name:   "holiday: at 10:00 in the shopper's zone, with a code",
		events: []*event.Event{subscribes(t), dateReached(t, "2026-07-04", "holiday", "Independence Day")},
		flows:  []string{holidayFlow}, email: ann,
		want: []row{
			start(32*day+14*hour, holidayFlow),
			discount(33*day, holidayFlow, "holiday-code", "HOLIDAY-"),
			send(33*day, holidayFlow, "holiday", "holiday"),
			exit(33*day, holidayFlow, "completed"),
		},
	}}
}

func offerScenarios(t *testing.T) []scenario {
	t.Helper()
	// Two offers: the Shopify sample order holds the first one's product
	// (and lines without a product id, as custom items have).
	shops := shopsFile(`      buy-x-get-y:
        params:
          offers:
            - buy: "` + shopifyProduct + `"
              get: {id: "9001", title: Sunglasses case, url: "https://demo.example/products/case", price: "12.00", currency: USD}
            - buy: "555"
              get: {id: "9002", title: Beach towel, price: "19.00", currency: USD}
`)
	survey := func(runs map[string]string) []*event.Event {
		return []*event.Event{own(event.SurveySubmitted, 3*day+2*hour, ann, &event.Survey{
			Survey: "profile", Run: runs[profileFlow],
			Answers: map[string]string{"birthday": "06-10", "household_size": "2", "city": "Lisbon", "country": "PT", "interests": "outdoor"},
		})}
	}
	return []scenario{{
		name:   "buy X get Y: an order with X gets a code for Y",
		events: []*event.Event{order(t, 0)}, shops: shops,
		flows: []string{bxgyFlow}, email: ann,
		want: []row{
			start(0, bxgyFlow),
			discount(2*day, bxgyFlow, "code", "GET-"),
			send(2*day, bxgyFlow, "offer", "buy-x-get-y"),
			exit(2*day, bxgyFlow, "completed"),
		},
	}, {
		name:   "buy X get Y: an order without X starts nothing",
		events: []*event.Event{payload(t, wooOrder, event.OrderPlaced, at(0), to(ann))}, shops: shops,
		flows: []string{bxgyFlow, orderFlow}, email: ann,
		want: []row{
			start(0, orderFlow),
			send(0, orderFlow, "confirmation", "order-confirmation"),
			exit(0, orderFlow, "completed"),
		},
	}, {
		name:   "profile survey: asked 3 days after the first order, the answers saved",
		events: []*event.Event{order(t, 0)}, answers: survey,
		flows: []string{profileFlow}, email: ann,
		want: []row{
			start(0, profileFlow),
			send(3*day, profileFlow, "ask", "profile-survey"),
			update(3*day+2*hour, profileFlow, "save", "birthday,city,country,household_size,interests"),
			exit(3*day+2*hour, profileFlow, "completed"),
		},
	}, {
		name:   "profile survey: no answer",
		events: []*event.Event{order(t, 0)},
		flows:  []string{profileFlow}, email: ann,
		want: []row{
			start(0, profileFlow),
			send(3*day, profileFlow, "ask", "profile-survey"),
			exitStep(17*day, profileFlow, "no answer"),
		},
	}}
}

func sendingScenarios(t *testing.T) []scenario {
	t.Helper()
	// 21:30 UTC is 22:30 in London: the nudge a day later falls in the
	// recipient's quiet hours (21:00-08:00) and waits for 08:00 there.
	late := time.Date(2026, 6, 1, 21, 30, 0, 0, time.UTC)
	return []scenario{{
		name:   "quiet hours: an SMS due at night waits for 08:00 where the recipient is",
		events: []*event.Event{payload(t, shopifyCheckout, event.CheckoutUpdated, on(late), to(ann), emailConsent(true), smsConsent(annUK))},
		flows:  []string{acFlow}, email: ann, phone: annUK,
		want: []row{
			start(0, acFlow),
			send(1*hour, acFlow, "reminder", "abandoned-checkout-reminder"),
			send(1*day, acFlow, "benefits", "abandoned-checkout-benefits"),
			deferred(1*day, acFlow, "nudge", "abandoned-checkout-sms", 1*day+9*hour+30*minute),
			send(1*day+9*hour+30*minute, acFlow, "nudge", "abandoned-checkout-sms"),
			discount(3*day, acFlow, "code", "COMEBACK-"),
			send(3*day, acFlow, "discount", "abandoned-checkout-discount"),
			exit(3*day, acFlow, "completed"),
		},
	}, {
		name:   "smart sending: a welcome email does not hold back an abandonment email",
		events: []*event.Event{subscribes(t), checkout(t, 30*minute, emailConsent(true))},
		until:  2 * hour,
		flows:  []string{welcomeFlow, acFlow}, email: ann,
		want: []row{
			start(0, welcomeFlow),
			send(15*minute, welcomeFlow, "welcome", "welcome"),
			start(30*minute, acFlow),
			send(1*hour+30*minute, acFlow, "reminder", "abandoned-checkout-reminder"),
		},
	}, {
		name:   "smart sending: an abandonment email holds back a welcome email",
		events: []*event.Event{subscribes(t), checkout(t, 1*day+12*hour, emailConsent(true))},
		until:  13 * hour,
		flows:  []string{welcomeFlow, acFlow}, email: ann,
		want: []row{
			start(0, welcomeFlow),
			send(15*minute, welcomeFlow, "welcome", "welcome"),
			start(1*day+12*hour, acFlow),
			send(1*day+13*hour, acFlow, "reminder", "abandoned-checkout-reminder"),
			skip(2*day+15*minute, welcomeFlow, "brand-story", "welcome-brand-story", "smart_sending"),
		},
	}}
}

// TestReplayScenariosCoverEveryFlow fails when a built-in flow has no
// scenario.
func TestReplayScenariosCoverEveryFlow(t *testing.T) {
	t.Parallel()
	code, out, errOut := run(t, []string{"flows", "list", "--flows", ""}, "", nil)
	require.Equal(t, 0, code, errOut)
	covered := map[string]bool{}
	for _, sc := range flowScenarios(t) {
		for _, r := range sc.want {
			covered[r.flow] = true
		}
	}
	var missing []string
	for line := range strings.Lines(out) {
		id, _, _ := strings.Cut(line, "\t")
		if !covered[id] {
			missing = append(missing, id)
		}
	}
	require.Len(t, strings.Split(strings.TrimSpace(out), "\n"), 17, "the library's flows")
	require.Empty(t, missing, "built-in flows without a replay scenario")
}

// TestReplayOutputContract checks, on a busy mix of events, that replay
// prints its lines in non-decreasing time and that every line has the ten
// contract fields.
func TestReplayOutputContract(t *testing.T) {
	t.Parallel()
	events := []*event.Event{
		subscribes(t),
		payload(t, shopifyCheckout, event.CheckoutUpdated, on(t0.Add(7*hour+30*minute)), to(ann), emailConsent(true), smsConsent(annUK)),
		viewed(2*hour, "p-1", "Linen shirt"),
		order(t, 4*day),
		payload(t, bcShipment, event.ShipmentUpdated, at(5*day), to(ann)),
		delivered(t, 6*day),
		payload(t, bcCart, event.CartAbandoned, at(1*day)),
		dateReached(t, "2026-06-10", "birthday", ""),
	}
	code, out, errOut := run(t, []string{"replay", "--events", "-", "--flows", ""}, jsonLines(t, events), nil)
	require.Equal(t, 0, code, errOut)
	fields := []string{"at", "action", "flow", "run", "step", "channel", "template", "to", "category", "reason"}
	var (
		last    time.Time
		n       int
		actions = map[string]bool{}
	)
	for line := range strings.Lines(out) {
		var m map[string]json.RawMessage
		require.NoError(t, json.Unmarshal([]byte(line), &m), line)
		for _, f := range fields {
			require.Contains(t, m, f, "line %d lacks %q: %s", n+1, f, line)
		}
		var at time.Time
		require.NoError(t, json.Unmarshal(m["at"], &at), line)
		require.False(t, at.Before(last), "line %d goes back in time: %s", n+1, line)
		last = at
		var action string
		require.NoError(t, json.Unmarshal(m["action"], &action), line)
		actions[action] = true
		n++
	}
	require.Greater(t, n, 40, "a busy timeline")
	for _, a := range []string{"start", "send", "skip", "defer", "exit", "discount"} {
		require.True(t, actions[a], "the mix exercises %s", a)
	}
}
