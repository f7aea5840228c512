package flows_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/flows"
)

func compile(t *testing.T, src string) *flows.Program {
	t.Helper()
	f, errs := flows.Parse("f.yaml", []byte(src))
	require.Empty(t, errs)
	p, err := flows.Compile(f)
	require.NoError(t, err)
	return p
}

// op is an instruction reduced to what the layout tests compare.
type op struct {
	Op      flows.Op
	StepID  string
	Target  int
	Targets []int
}

func layout(p *flows.Program) []op {
	out := make([]op, len(p.Code))
	for i, in := range p.Code {
		out[i] = op{Op: in.Op, StepID: in.StepID, Target: in.Target, Targets: in.Targets}
	}
	return out
}

func TestCompileBranchLayout(t *testing.T) {
	t.Parallel()
	p := compile(t, withSteps(
		"  - wait: 1h", // steps[0]
		"  - branch:",  // steps[1]
		"      if: profile.consent.sms",
		"      then:",
		"        - send: {id: nudge, channel: sms, template: t, category: marketing}",
		"        - wait: 2h",
		"      else:",
		"        - send: {channel: email, template: t, category: marketing}",
		"  - exit", // steps[2]
	))
	require.Equal(t, []op{
		{Op: flows.OpWait, StepID: "steps[0]"},
		{Op: flows.OpBranch, StepID: "steps[1]", Target: 5},
		{Op: flows.OpSend, StepID: "nudge"},
		{Op: flows.OpWait, StepID: "steps[1].then[1]"},
		{Op: flows.OpJump, StepID: "steps[1].then.end", Target: 6},
		{Op: flows.OpSend, StepID: "steps[1].else[0]"},
		{Op: flows.OpExit, StepID: "steps[2]"},
	}, layout(p))
	require.NotNil(t, p.Code[1].Cond)
	require.Equal(t, 7, p.Code[1].Line)
	require.Equal(t, 10, p.Code[2].Line)
	pc, ok := p.PC("nudge")
	require.True(t, ok)
	require.Equal(t, 2, pc)
	pc, ok = p.PC("steps[1].else[0]")
	require.True(t, ok)
	require.Equal(t, 5, pc)
}

func TestCompileBranchWithoutElse(t *testing.T) {
	t.Parallel()
	p := compile(t, withSteps(
		"  - branch:",
		"      if: true",
		"      then: [wait: 1h]",
		"  - send: {channel: email, template: t, category: marketing}",
	))
	require.Equal(t, []op{
		{Op: flows.OpBranch, StepID: "steps[0]", Target: 3},
		{Op: flows.OpWait, StepID: "steps[0].then[0]"},
		{Op: flows.OpJump, StepID: "steps[0].then.end", Target: 3},
		{Op: flows.OpSend, StepID: "steps[1]"},
	}, layout(p))
}

func TestCompileSplitLayout(t *testing.T) {
	t.Parallel()
	p := compile(t, withSteps(
		"  - wait: 1h",
		"  - wait: 2h",
		"  - wait: 3h",
		"  - wait: 4h",
		"  - wait: 5h",
		"  - split:", // steps[5]
		"      id: subject-test",
		"      paths:",
		"        - name: short",
		"          weight: 3",
		"          steps:",
		"            - send: {channel: email, template: short, category: marketing}",
		"        - weight: 1",
		"          steps:",
		"            - wait: 1d",
		"            - send: {channel: email, template: long, category: marketing}",
		"        - {name: holdout, weight: 1}",
		"  - exit: {id: done}",
	))
	require.Equal(t, []op{
		{Op: flows.OpWait, StepID: "steps[0]"},
		{Op: flows.OpWait, StepID: "steps[1]"},
		{Op: flows.OpWait, StepID: "steps[2]"},
		{Op: flows.OpWait, StepID: "steps[3]"},
		{Op: flows.OpWait, StepID: "steps[4]"},
		{Op: flows.OpSplit, StepID: "subject-test", Targets: []int{6, 8, 11}},
		{Op: flows.OpSend, StepID: "steps[5].paths[0].steps[0]"},
		{Op: flows.OpJump, StepID: "subject-test.paths[0].end", Target: 12},
		{Op: flows.OpWait, StepID: "steps[5].paths[1].steps[0]"},
		{Op: flows.OpSend, StepID: "steps[5].paths[1].steps[1]"},
		{Op: flows.OpJump, StepID: "subject-test.paths[1].end", Target: 12},
		{Op: flows.OpJump, StepID: "subject-test.paths[2].end", Target: 12},
		{Op: flows.OpExit, StepID: "done"},
	}, layout(p))
	split := p.Code[5]
	require.Equal(t, []int{3, 1, 1}, split.Weights)
	require.Equal(t, []string{"short", "b", "holdout"}, split.Names)
}

func TestCompileWaitsAndSteps(t *testing.T) {
	t.Parallel()
	p := compile(t, withSteps(
		"  - wait: 90s",
		"  - wait: {until: \"10:00\"}",
		"  - wait: {until: \"18:30\", zone: Europe/Berlin}",
		"  - wait: {event: feedback.submitted, if: event.data.score >= 4, timeout: 7d}",
		"  - update: {set: {vip: 'true', last_flow: run.flow}}",
		"  - webhook: {url: \"https://hooks.example.com/x\", body: {email: event.data.email}}",
		"  - discount: {percent: 10, expires_in: 72h}",
		"  - send: {channel: email, template: t, category: marketing}",
	))
	require.Equal(t, 90*time.Second, p.Code[0].Wait.For.D())
	require.Equal(t, flows.ZoneCustomer, p.Code[1].Wait.Zone, "zone defaults to the customer's")
	require.Equal(t, "Europe/Berlin", p.Code[2].Wait.Zone)
	require.Equal(t, "feedback.submitted", p.Code[3].Wait.Event)
	require.Equal(t, 7*24*time.Hour, p.Code[3].Wait.Timeout.D())
	require.NotNil(t, p.Code[3].WaitIf)
	require.Equal(t, flows.OpUpdate, p.Code[4].Op)
	require.Len(t, p.Code[4].Set, 2)
	got, err := p.Code[4].Set["last_flow"].Eval(vars(nil, nil, map[string]any{"flow": "test-flow"}))
	require.NoError(t, err)
	require.Equal(t, "test-flow", got)
	require.Equal(t, flows.OpWebhook, p.Code[5].Op)
	require.Contains(t, p.Code[5].Body, "email")
	require.Equal(t, flows.OpDiscount, p.Code[6].Op)
	require.Equal(t, 10, p.Code[6].Discount.Percent)
}

func TestCompileDefaults(t *testing.T) {
	t.Parallel()
	p := compile(t, withSteps("  - send: {channel: email, template: t, category: marketing}"))
	require.Equal(t, flows.Reentry{Kind: flows.ReentryOnce}, p.Reentry)
	require.Equal(t, 24*time.Hour, p.MaxLateness)
	require.Nil(t, p.Key, "no key: the customer")
	require.Nil(t, p.Filter)
	require.Equal(t, "checkout.updated", p.Trigger.Event)
	require.Nil(t, p.Trigger.If)
	require.Equal(t, flows.PriorityAbandonment, p.Priority)

	p = compile(t, lines(
		"id: t", "name: T", "version: 3", "priority: 75", "trigger: {event: date.reached}",
		"reentry: once per 2w", "max_lateness: 6h", "key: event.data.kind",
		"steps: [{send: {channel: sms, template: t, category: marketing}}]"))
	require.Equal(t, flows.Reentry{Kind: flows.ReentryOncePer, Every: 14 * 24 * time.Hour}, p.Reentry)
	require.Equal(t, 6*time.Hour, p.MaxLateness)
	require.Equal(t, 75, p.Priority)
	require.NotNil(t, p.Key)
}

func TestDefaultPriority(t *testing.T) {
	t.Parallel()
	marketing := []flows.Step{{Send: &flows.Send{Category: flows.CategoryMarketing}}}
	transactional := []flows.Step{{Send: &flows.Send{Category: flows.CategoryTransactional}}}
	cases := []struct {
		trigger string
		steps   []flows.Step
		want    int
	}{
		{"checkout.updated", marketing, 50},
		{"cart.abandoned", marketing, 50},
		{"product.viewed", marketing, 40},
		{"order.fulfilled", marketing, 30},
		{"shipment.updated", marketing, 30},
		{"customer.created", marketing, 20},
		{"prediction.updated", marketing, 10},
		{"date.reached", marketing, 10},
		{"shipment.updated", transactional, 100},
		{"order.placed", []flows.Step{{Branch: &flows.Branch{Then: transactional, Else: marketing}}}, 30},
		{"order.placed", nil, 30},
	}
	for _, tc := range cases {
		f := &flows.Flow{Trigger: flows.Trigger{Event: tc.trigger}, Steps: tc.steps}
		require.Equal(t, tc.want, flows.DefaultPriority(f), tc.trigger)
	}
	f := &flows.Flow{Trigger: flows.Trigger{Event: "customer.created"}, MoreTriggers: []flows.Trigger{{Event: "product.viewed"}}, Steps: marketing}
	require.Equal(t, 40, flows.DefaultPriority(f), "the highest of several triggers")
}

func TestParseReentry(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]flows.Reentry{
		"":             {Kind: flows.ReentryOnce},
		"once":         {Kind: flows.ReentryOnce},
		"always":       {Kind: flows.ReentryAlways},
		"once per 30d": {Kind: flows.ReentryOncePer, Every: 30 * 24 * time.Hour},
		"once per 12h": {Kind: flows.ReentryOncePer, Every: 12 * time.Hour},
		"once per  1w": {Kind: flows.ReentryOncePer, Every: 7 * 24 * time.Hour},
	} {
		got, err := flows.ParseReentry(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	for _, in := range []string{"twice", "once per", "once per 0s", "Once", "once per -1d", "once every 30d"} {
		_, err := flows.ParseReentry(in)
		require.Error(t, err, in)
	}
}

func TestWaitClock(t *testing.T) {
	t.Parallel()
	for in, ok := range map[string]bool{"10:00": true, "00:00": true, "23:59": true, "24:00": false, "9:00": false, "10:60": false, "+1:00": false, "10:0a": false, "": false, "10-00": false} {
		_, _, got := (&flows.Wait{Until: in}).Clock()
		require.Equal(t, ok, got, in)
	}
	h, m, _ := (&flows.Wait{Until: "18:30"}).Clock()
	require.Equal(t, 18, h)
	require.Equal(t, 30, m)
}
