package flows_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/flows"
)

func library(t *testing.T) map[string]*flows.Flow {
	t.Helper()
	lib, err := flows.Library()
	require.NoError(t, err)
	out := map[string]*flows.Flow{}
	for _, f := range lib {
		out[f.ID] = f
	}
	return out
}

func TestLibraryFlowsParseValidateAndCompile(t *testing.T) {
	t.Parallel()
	lib, err := flows.Library()
	require.NoError(t, err)
	var got []string
	for _, f := range lib {
		got = append(got, f.ID)
		require.Equal(t, flows.SourceBuiltin, f.Source)
		require.NotEmpty(t, f.Raw)
		require.Empty(t, flows.Validate(f), f.ID)
		again, errs := flows.Parse("stored", f.Raw)
		require.Empty(t, errs, "Raw parses again")
		require.Equal(t, f.ID, again.ID)
		_, err := flows.Compile(f)
		require.NoError(t, err, f.ID)
	}
	require.Equal(t, []string{
		"abandoned-cart", "abandoned-checkout", "birthday", "browse-abandonment", "buy-x-get-y", "cross-sell",
		"delivery-confirmation", "holiday", "order-confirmation", "post-purchase", "profile-survey",
		"satisfaction-survey", "shipping-confirmation", "smart-abandonment", "welcome-series", "win-back",
		"win-back-churn-risk",
	}, got)
	progs := make([]*flows.Program, 0, len(lib))
	for _, f := range lib {
		p, err := flows.Compile(f)
		require.NoError(t, err)
		progs = append(progs, p)
	}
	_, err = flows.NewSet(progs...)
	require.NoError(t, err)
}

func sends(p *flows.Program) [][4]string {
	var out [][4]string
	for _, in := range p.Code {
		if in.Op == flows.OpSend {
			out = append(out, [4]string{in.StepID, in.Send.Channel, in.Send.Template, in.Send.Category})
		}
	}
	return out
}

func TestAbandonedCheckout(t *testing.T) {
	t.Parallel()
	p, err := flows.Compile(library(t)["abandoned-checkout"])
	require.NoError(t, err)
	require.Equal(t, 2, p.Flow.Version, "version 2 added the discount step")
	require.Equal(t, "checkout.updated", p.Trigger.Event)
	require.Equal(t, flows.Reentry{Kind: flows.ReentryOnce}, p.Reentry)
	require.Equal(t, flows.PriorityAbandonment, p.Priority)
	require.Equal(t, "event.data.token", p.Key.String())
	require.Len(t, p.ExitOn, 1)
	require.Equal(t, "order.placed", p.ExitOn[0].Event)
	require.Equal(t, [][4]string{
		{"reminder", "email", "abandoned-checkout-reminder", "marketing"},
		{"benefits", "email", "abandoned-checkout-benefits", "marketing"},
		{"nudge", "sms", "abandoned-checkout-sms", "marketing"},
		{"discount", "email", "abandoned-checkout-discount", "marketing"},
	}, sends(p))
	var (
		waits     []time.Duration
		discounts []*flows.Discount
	)
	for _, in := range p.Code {
		if in.Op == flows.OpDiscount {
			discounts = append(discounts, in.Discount)
		}
		if in.Op == flows.OpWait {
			waits = append(waits, in.Wait.For.D())
		}
	}
	require.Equal(t, []time.Duration{time.Hour, 23 * time.Hour, 48 * time.Hour}, waits)
	require.Len(t, discounts, 1, "one unique code, before the third email")
	require.Equal(t, "discount_percent", discounts[0].PercentParam)
	require.Equal(t, 10, p.Flow.Params["discount_percent"], "10 % unless the shop says otherwise")
	require.Equal(t, "72h", p.Flow.Params["discount_expires_in"])

	checkout := map[string]any{"data": map[string]any{"token": "c1", "email": "jon@example.com", "line_items": []any{map[string]any{"title": "Mug"}}}}
	ok, err := p.Trigger.If.Bool(vars(checkout, nil, nil))
	require.NoError(t, err)
	require.True(t, ok)
	key, err := p.Key.Eval(vars(checkout, nil, nil))
	require.NoError(t, err)
	require.Equal(t, "c1", key)

	run := map[string]any{"key": "c1", "started_at": t0, "customer": map[string]any{"email": "jon@example.com"}}
	order := map[string]any{"customer": map[string]any{"email": "other@example.com"}, "data": map[string]any{"checkout_token": "c1"}}
	ok, err = p.ExitOn[0].If.Bool(vars(order, nil, run))
	require.NoError(t, err)
	require.True(t, ok, "the order of the run's checkout ends it")

	ok, err = p.Filter.Bool(vars(nil, map[string]any{"order_times": []time.Time{t0.Add(time.Minute)}}, run))
	require.NoError(t, err)
	require.False(t, ok, "an order since the run started stops the sends")
}

func TestTransactionalFlows(t *testing.T) {
	t.Parallel()
	lib := library(t)
	order, err := flows.Compile(lib["order-confirmation"])
	require.NoError(t, err)
	require.Equal(t, "order.placed", order.Trigger.Event)
	require.Nil(t, order.Trigger.If)
	require.Equal(t, "event.data.id", order.Key.String())
	require.Equal(t, flows.PriorityTransactional, order.Priority)
	require.Equal(t, [][4]string{{"confirmation", "email", "order-confirmation", "transactional"}}, sends(order))

	ship, err := flows.Compile(lib["shipping-confirmation"])
	require.NoError(t, err)
	require.Equal(t, "shipment.updated", ship.Trigger.Event)
	require.Equal(t, "event.data.id", ship.Key.String())
	require.Equal(t, flows.PriorityTransactional, ship.Priority)
	require.Equal(t, [][4]string{{"shipped", "email", "shipping-confirmation", "transactional"}}, sends(ship))
	for _, tc := range []struct {
		data map[string]any
		want bool
	}{
		{map[string]any{"id": "s1", "status": "in_transit", "tracking_number": "1Z"}, true},
		{map[string]any{"id": "s1", "status": "confirmed", "tracking_url": "https://track.example/1Z"}, true},
		{map[string]any{"id": "s1", "status": "confirmed"}, false},
		{map[string]any{"id": "s1", "status": "delivered", "tracking_number": "1Z"}, false},
		{map[string]any{"id": "s1", "status": "in_transit", "tracking_number": ""}, false},
	} {
		ok, err := ship.Trigger.If.Bool(vars(map[string]any{"data": tc.data}, nil, nil))
		require.NoError(t, err, tc.data)
		require.Equal(t, tc.want, ok, tc.data)
	}
}

func TestWelcomeSeries(t *testing.T) {
	t.Parallel()
	p, err := flows.Compile(library(t)["welcome-series"])
	require.NoError(t, err)
	require.Nil(t, p.Key, "customer-keyed")
	require.Equal(t, flows.Reentry{Kind: flows.ReentryOnce}, p.Reentry)
	require.Equal(t, flows.PriorityWelcome, p.Priority)
	require.Equal(t, []string{"order.placed"}, []string{p.ExitOn[0].Event})
	require.Equal(t, [][4]string{
		{"welcome", "email", "welcome", "marketing"},
		{"brand-story", "email", "welcome-brand-story", "marketing"},
		{"first-order", "email", "welcome-first-order", "marketing"},
		{"welcome-buyer", "email", "welcome-buyer", "marketing"},
		{"buyer-brand-story", "email", "welcome-brand-story", "marketing"},
		{"second-order", "email", "welcome-second-order", "marketing"},
		{"welcome-back", "email", "welcome-repeat", "marketing"},
	}, sends(p))
	require.Equal(t, 15*time.Minute, p.Code[0].Wait.For.D(), "the order of an account made at checkout arrives first")
	require.Equal(t, flows.OpBranch, p.Code[1].Op, "never bought, first-time buyer or repeat buyer")
	require.Equal(t, flows.OpSend, p.Code[2].Op, "then the welcome email goes")
	require.Equal(t, 2*24*time.Hour, p.Code[3].Wait.For.D())

	created, ok := p.TriggerFor("customer.created")
	require.True(t, ok)
	for _, tc := range []struct {
		data map[string]any
		want bool
	}{
		{map[string]any{"id": "1", "email": "jon@example.com"}, true},
		{map[string]any{"id": "1", "email": "jon@example.com", "orders_count": float64(0)}, true},
		{map[string]any{"id": "1", "email": "jon@example.com", "orders_count": float64(3)}, true},
		{map[string]any{"id": "1", "phone": "+15005550006"}, false},
	} {
		got, err := created.If.Bool(vars(map[string]any{"data": tc.data}, nil, nil))
		require.NoError(t, err, tc.data)
		require.Equal(t, tc.want, got, tc.data)
	}
	consent, ok := p.TriggerFor("consent.updated")
	require.True(t, ok)
	for _, tc := range []struct {
		channel, state string
		want           bool
	}{{"email", "subscribed", true}, {"sms", "subscribed", false}, {"email", "unsubscribed", false}} {
		got, err := consent.If.Bool(vars(map[string]any{"data": map[string]any{"channel": tc.channel, "state": tc.state}}, nil, nil))
		require.NoError(t, err)
		require.Equal(t, tc.want, got, tc)
	}
}

func TestLoadReplacesAndAdds(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	replacement := lines("id: abandoned-checkout", "name: Fast abandonment for tests", "version: 2",
		"trigger: {event: checkout.updated}", "key: event.data.token", "steps:", "  - wait: 2s",
		"  - send: {id: reminder, channel: email, template: abandoned-checkout-reminder, category: marketing}")
	added := lines("id: win-back", "name: Win-back", "version: 1", "trigger: {event: prediction.updated}",
		"steps: [{send: {channel: email, template: win-back, category: marketing}}]")
	broken := lines("id: broken", "name: Broken", "version: 1", "trigger: {event: nope}", "steps: [wait: 1h]")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "ac.yaml"), []byte(replacement), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "win-back.yml"), []byte(added), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "broken.yaml"), []byte(broken), 0o600))

	got, errs := flows.Load(dir)
	require.Equal(t, []string{filepath.Join(dir, "broken.yaml") + `:4: trigger event "nope" is not a canonical event type (docs/events.md lists them)`}, errStrings(errs))
	bySource := map[string]string{}
	for _, f := range got {
		bySource[f.ID] = f.Source
	}
	want := map[string]string{}
	lib0, err := flows.Library()
	require.NoError(t, err)
	for _, f := range lib0 {
		want[f.ID] = "builtin"
	}
	want["abandoned-checkout"] = filepath.Join(dir, "ac.yaml")
	want["win-back"] = filepath.Join(dir, "win-back.yml")
	require.Equal(t, want, bySource)
	require.Equal(t, "abandoned-cart", got[0].ID, "sorted by id")
	require.Equal(t, "abandoned-checkout", got[1].ID)
	require.Equal(t, "Fast abandonment for tests", got[1].Name, "the file replaces the built-in")

	lib, errs := flows.Load("")
	require.Empty(t, errs)
	require.Len(t, lib, len(lib0))
}
