package flows_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/flows"
)

func compileFlow(t *testing.T, id string, version int, trigger, extra string) *flows.Program {
	t.Helper()
	return compile(t, lines(
		"id: "+id, "name: "+id, "version: "+itoa(version), "trigger: "+trigger, extra,
		"steps:", "  - wait: {event: feedback.submitted, timeout: 7d}",
		"  - send: {channel: email, template: t, category: marketing}"))
}

func itoa(i int) string { return string(rune('0' + i)) }

func ids(ps []*flows.Program) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Flow.ID + "@" + itoa(p.Flow.Version)
	}
	return out
}

func TestSet(t *testing.T) {
	t.Parallel()
	checkout1 := compileFlow(t, "checkout", 1, "{event: checkout.updated}", "exit_on: [{event: order.placed}]")
	checkout2 := compileFlow(t, "checkout", 2, "{event: checkout.updated}", "exit_on: [{event: order.placed}, {event: checkout.deleted}]")
	welcome := compileFlow(t, "welcome", 1,
		`[{event: customer.created, if: "true"}, {event: consent.updated, if: 'event.data.state == "subscribed"'}]`, "")
	browse := compileFlow(t, "browse", 1, "{event: product.viewed}", "priority: 90")
	another := compileFlow(t, "another", 1, "{event: checkout.updated}", "priority: 20")

	s, err := flows.NewSet(welcome, checkout2, checkout1, browse, another)
	require.NoError(t, err)

	require.Same(t, checkout2, s.Get("checkout"), "the highest version is current")
	require.Same(t, checkout1, s.Version("checkout", 1))
	require.Nil(t, s.Get("nope"))
	require.Nil(t, s.Version("checkout", 3))
	require.Equal(t, []string{"another@1", "browse@1", "checkout@1", "checkout@2", "welcome@1"}, ids(s.All()))

	require.Equal(t, []string{"checkout@2", "another@1"}, ids(s.Triggered("checkout.updated")), "priority, then id; current versions only")
	require.Empty(t, s.Triggered("order.placed"))

	// A flow with two triggers: each view carries the trigger for its type.
	byCreated := s.Triggered("customer.created")
	byConsent := s.Triggered("consent.updated")
	require.Len(t, byCreated, 1)
	require.Len(t, byConsent, 1)
	require.Equal(t, "customer.created", byCreated[0].Trigger.Event)
	require.Equal(t, "consent.updated", byConsent[0].Trigger.Event)
	require.Equal(t, `event.data.state == "subscribed"`, byConsent[0].Trigger.If.String())
	require.Equal(t, welcome.Code, byConsent[0].Code)
	c, ok := welcome.TriggerFor("consent.updated")
	require.True(t, ok)
	require.Equal(t, "consent.updated", c.Event)
	_, ok = welcome.TriggerFor("order.placed")
	require.False(t, ok)

	require.Equal(t, []string{"checkout@1", "checkout@2"}, ids(s.Exits("order.placed")))
	require.Equal(t, []string{"checkout@2"}, ids(s.Exits("checkout.deleted")))
	require.Equal(t, []string{"another@1", "browse@1", "checkout@1", "checkout@2", "welcome@1"}, ids(s.Exits("feedback.submitted")),
		"an event wait counts as an exit type")
	require.Empty(t, s.Exits("checkout.updated"))
}

func TestSetRejectsDuplicates(t *testing.T) {
	t.Parallel()
	a := compileFlow(t, "a", 1, "{event: checkout.updated}", "")
	_, err := flows.NewSet(a, a)
	require.EqualError(t, err, `flow set: flow "a" version 1 is given twice`)
	_, err = flows.NewSet(nil)
	require.Error(t, err)
}
