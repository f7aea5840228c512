package flows_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/flows"
)

// lines joins YAML lines, so each case's line numbers can be read off.
func lines(ls ...string) string { return strings.Join(ls, "\n") + "\n" }

// header is a valid flow's first four lines; steps follow on line 5.
var header = []string{
	"id: test-flow",                      // 1
	"name: Test flow",                    // 2
	"version: 1",                         // 3
	"trigger: {event: checkout.updated}", // 4
}

func withSteps(steps ...string) string {
	return lines(append(append(append([]string{}, header...), "steps:"), steps...)...) // steps[0] on line 6
}

func errStrings(errs []flows.Error) []string {
	out := make([]string, len(errs))
	for i, e := range errs {
		out[i] = e.Error()
	}
	return out
}

func TestValidFlowHasNoErrors(t *testing.T) {
	t.Parallel()
	f, errs := flows.Parse("f.yaml", []byte(withSteps("  - wait: 1h", "  - send: {channel: email, template: t, category: marketing}")))
	require.Empty(t, errs)
	require.Equal(t, "test-flow", f.ID)
	require.Equal(t, "f.yaml", f.Source)
	require.Contains(t, string(f.Raw), "id: test-flow")
}

// TestMistakes checks one flow file per kind of mistake and the exact
// file:line: message it gets.
func TestMistakes(t *testing.T) {
	t.Parallel()
	send := "  - send: {channel: email, template: t, category: marketing}"
	cases := []struct {
		name string
		yaml string
		want []string
	}{
		{
			"missing id", lines("name: Test", "version: 1", "trigger: {event: checkout.updated}", "steps: [wait: 1h]"),
			[]string{"f.yaml:1: missing id: every flow needs one, such as id: abandoned-checkout"},
		},
		{
			"id syntax", lines("id: Test_Flow", "name: Test", "version: 1", "trigger: {event: checkout.updated}", "steps: [wait: 1h]"),
			[]string{`f.yaml:1: id "Test_Flow" may hold only lowercase letters, digits and '-' (not at the ends), such as abandoned-checkout`},
		},
		{
			"missing name", lines("id: t", "version: 1", "trigger: {event: checkout.updated}", "steps: [wait: 1h]"),
			[]string{"f.yaml:1: missing name: give the flow a name people read, such as name: Abandoned checkout recovery"},
		},
		{
			"missing version", lines("id: t", "name: T", "trigger: {event: checkout.updated}", "steps: [wait: 1h]"),
			[]string{"f.yaml:1: missing version: start at version: 1 and raise it when the flow changes"},
		},
		{
			"version not a number", lines("id: t", "name: T", "version: one", "trigger: {event: checkout.updated}", "steps: [wait: 1h]"),
			[]string{`f.yaml:3: version must be a whole number, not "one"`},
		},
		{
			"missing trigger", lines("id: t", "name: T", "version: 1", "steps: [wait: 1h]"),
			[]string{"f.yaml:1: missing trigger: a flow starts on an event, as in trigger: {event: checkout.updated}"},
		},
		{
			"missing steps", lines(header...),
			[]string{"f.yaml:1: missing steps: a flow needs at least one step"},
		},
		{
			"unknown field", lines("id: t", "name: T", "version: 1", "colour: red", "trigger: {event: checkout.updated}", "steps: [wait: 1h]"),
			[]string{`f.yaml:4: unknown field "colour" in a flow (known: id, name, version, priority, trigger, key, reentry, exit_on, filter, max_lateness, steps, params, enabled)`},
		},
		{
			"unknown field in a step", withSteps("  - send: {channel: email, template: t, category: marketing, subject: Hi}"),
			[]string{`f.yaml:6: unknown field "subject" in send (known: id, channel, template, category, products, smart_sending)`},
		},
		{
			"trigger event not canonical", lines("id: t", "name: T", "version: 1", "trigger:", "  event: checkout.update", "steps: [wait: 1h]"),
			[]string{`f.yaml:5: trigger event "checkout.update" is not a canonical event type (docs/events.md lists them)`},
		},
		{
			"trigger without event", lines("id: t", "name: T", "version: 1", "trigger:", "  if: true", "steps: [wait: 1h]"),
			[]string{"f.yaml:4: trigger needs an event, such as event: order.placed"},
		},
		{
			"exit_on event not canonical", lines(append(header, "exit_on:", "  - event: order.created", "steps: [wait: 1h]")...),
			[]string{`f.yaml:6: exit_on event "order.created" is not a canonical event type (docs/events.md lists them)`},
		},
		{
			"wait event not canonical", withSteps("  - wait: {event: feedback.sent, timeout: 7d}"),
			[]string{`f.yaml:6: wait event "feedback.sent" is not a canonical event type (docs/events.md lists them)`},
		},
		{
			"wait for an event without timeout", withSteps("  - wait:", "      event: feedback.submitted"),
			[]string{"f.yaml:6: a wait for an event needs a timeout (timeout: 7d), so a run cannot wait forever"},
		},
		{
			"empty wait", withSteps("  - wait: {}"),
			[]string{`f.yaml:6: wait needs a positive duration (wait: 1h), a time of day (until: "10:00") or an event (event: ..., timeout: 7d)`},
		},
		{
			"two wait forms", withSteps("  - wait: {for: 1h, until: \"10:00\"}"),
			[]string{"f.yaml:6: wait has more than one of for, until and event: use one per wait step"},
		},
		{
			"bad duration", withSteps(send, "  - wait: 1x"),
			[]string{`f.yaml:7: wait: duration "1x": unknown unit "x" (use ms, s, m, h, d or w)`},
		},
		{
			"duration without unit", withSteps("  - wait:", "      for: 90"),
			[]string{`f.yaml:7: for: duration "90" needs a unit: s, m, h, d (days) or w (weeks)`},
		},
		{
			"bad reentry", lines(append(header, "reentry: twice", "steps: [wait: 1h]")...),
			[]string{`f.yaml:5: reentry "twice" is not once, always or "once per <duration>" such as once per 30d`},
		},
		{
			"bad reentry duration", lines(append(header, "reentry: once per month", "steps: [wait: 1h]")...),
			[]string{`f.yaml:5: reentry "once per month": duration "month": expected a number such as 90s, 1h, 3d or 2w`},
		},
		{
			"bad until", withSteps("  - wait:", "      until: \"25:00\""),
			[]string{`f.yaml:7: until "25:00" is not a time of day HH:MM such as "10:00"`},
		},
		{
			"bad zone", withSteps("  - wait:", "      until: \"10:00\"", "      zone: Mars/Olympus"),
			[]string{`f.yaml:8: zone "Mars/Olympus" is not customer, shop or an IANA zone name such as Europe/Berlin`},
		},
		{
			"CEL that does not compile", lines("id: t", "name: T", "version: 1", "trigger:", "  event: checkout.updated", "  if: event.data.email ==", "steps: [wait: 1h]"),
			[]string{`f.yaml:6: trigger condition "event.data.email ==" does not compile: Syntax error: mismatched input '<EOF>' (column 20)`},
		},
		{
			"CEL with an unknown variable", lines(append(header, "filter: customer.orders == 0", "steps: [wait: 1h]")...),
			[]string{`f.yaml:5: filter "customer.orders == 0" does not compile: undeclared reference to 'customer' (column 1)`},
		},
		{
			"condition that is not bool", lines("id: t", "name: T", "version: 1", "trigger:", "  event: checkout.updated", "  if: size(event.data.line_items)", "steps: [wait: 1h]"),
			[]string{`f.yaml:6: trigger condition "size(event.data.line_items)" must give true or false, but it gives a whole number`},
		},
		{
			"key that is not a string", lines(append(header, "key: size(event.data.line_items)", "steps: [wait: 1h]")...),
			[]string{`f.yaml:5: key "size(event.data.line_items)" must give a string, but it gives a whole number`},
		},
		{
			"branch condition that is not bool", withSteps("  - branch:", "      if: '\"yes\"'", "      then: [wait: 1h]"),
			[]string{`f.yaml:7: branch condition "\"yes\"" must give true or false, but it gives a string`},
		},
		{
			"send without template", withSteps("  - send: {channel: email, category: marketing}"),
			[]string{"f.yaml:6: send needs a template, such as template: abandoned-checkout-reminder"},
		},
		{
			"send with a bad channel", withSteps("  - send:", "      channel: push", "      template: t", "      category: marketing"),
			[]string{`f.yaml:7: channel "push" is not email or sms`},
		},
		{
			"send with a bad category", withSteps("  - send:", "      channel: sms", "      template: t", "      category: promo"),
			[]string{`f.yaml:9: category "promo" is not marketing or transactional`},
		},
		{
			"split without paths", withSteps("  - split: {id: ab}"),
			[]string{"f.yaml:6: split needs paths, each with a weight and steps"},
		},
		{
			"split with a zero weight", withSteps("  - split:", "      paths:", "        - {weight: 1, steps: [wait: 1h]}", "        - name: b", "          weight: 0"),
			[]string{"f.yaml:10: split path weight must be a positive whole number, not 0"},
		},
		{
			"split path without weight", withSteps("  - split:", "      paths:", "        - {weight: 1, steps: [wait: 1h]}", "        - name: b", "          steps: [wait: 2h]"),
			[]string{"f.yaml:9: split path weight must be a positive whole number, not 0"},
		},
		{
			"step after an exit", withSteps(send, "  - exit: {reason: done}", "  - wait: 1h"),
			[]string{"f.yaml:8: unreachable step: it comes after an exit in the same list"},
		},
		{
			"step after an exit in a branch", withSteps("  - branch:", "      if: true", "      then:", "        - exit", "        - wait: 1h"),
			[]string{"f.yaml:10: unreachable step: it comes after an exit in the same list"},
		},
		{
			"duplicate step ids", withSteps("  - send: {id: hello, channel: email, template: t, category: marketing}", "  - wait: {id: hello, for: 1h}"),
			[]string{`f.yaml:7: step id "hello" is used twice in the flow (first on line 6)`},
		},
		{
			"duplicate step ids in arms", withSteps("  - branch:", "      if: true", "      then:", "        - send: {id: a, channel: email, template: t, category: marketing}", "      else:", "        - send:", "            id: a", "            channel: sms", "            template: t", "            category: marketing"),
			[]string{`f.yaml:12: step id "a" is used twice in the flow (first on line 9)`},
		},
		{
			"discount without percent or amount", withSteps("  - discount: {expires_in: 72h}"),
			[]string{`f.yaml:6: discount needs a percent (percent: 10), an amount (amount: "5.00") or free_shipping: true`},
		},
		{
			"undeclared parameter", withSteps("  - wait: $delay"),
			[]string{"f.yaml:6: $delay is not declared under params"},
		},
		{
			"parameter of the wrong kind", lines("id: t", "name: T", "version: 1", "trigger: {event: checkout.updated}",
				"params:", "  pct: 300", "steps:", "  - discount: {percent: $pct}"),
			[]string{"f.yaml:6: params.pct: 300 is not a percent from 1 to 100"},
		},
		{
			"duration parameter not a duration", lines("id: t", "name: T", "version: 1", "trigger: {event: checkout.updated}",
				"params: {delay: soon}", "steps:", "  - wait: {for: $delay}"),
			[]string{`f.yaml:5: params.delay: duration "soon": expected a number such as 90s, 1h, 3d or 2w`},
		},
		{
			"params not a mapping", lines("id: t", "name: T", "version: 1", "trigger: {event: checkout.updated}",
				"params: [a, b]", "steps: [wait: 1h]"),
			[]string{"f.yaml:5: params must be a mapping of names to default values, not a list"},
		},
		{
			"enabled not a bool", lines("id: t", "name: T", "version: 1", "enabled: maybe", "trigger: {event: checkout.updated}",
				"steps: [wait: 1h]"),
			[]string{`f.yaml:4: enabled must be true or false, not "maybe"`},
		},
		{
			"discount with two kinds", withSteps("  - discount: {percent: 10, free_shipping: true}"),
			[]string{"f.yaml:6: discount has more than one of percent, amount and free_shipping: choose one"},
		},
		{
			"send products not compiling", withSteps("  - send: {channel: email, template: t, category: marketing, products: 'profile.viewed +'}"),
			[]string{`f.yaml:6: send products "profile.viewed +" does not compile: Syntax error: mismatched input '<EOF>' (column 17)`},
		},
		{
			"webhook without url", withSteps("  - webhook: {body: {email: event.data.email}}"),
			[]string{"f.yaml:6: webhook needs an http or https url, such as url: https://hooks.zapier.com/hooks/catch/1/abc"},
		},
		{
			"webhook with an ftp url", withSteps("  - webhook:", "      url: ftp://files.example.com/in"),
			[]string{"f.yaml:7: webhook needs an http or https url, such as url: https://hooks.zapier.com/hooks/catch/1/abc"},
		},
		{
			"step with two kinds", withSteps("  - wait: 1h", "    send: {channel: email, template: t, category: marketing}"),
			[]string{"f.yaml:6: a step has exactly one kind, but this one has wait and send: make them separate steps"},
		},
		{
			"unknown step kind", withSteps("  - sleep: 1h"),
			[]string{`f.yaml:6: unknown step kind "sleep"; a step is one of wait, send, branch, split, discount, update, webhook or exit`},
		},
		{
			"step id outside the step", withSteps("  - id: hello", "    send: {channel: email, template: t, category: marketing}"),
			[]string{"f.yaml:6: a step's id goes inside the step, as in `send: {id: reminder, ...}`"},
		},
		{
			"YAML syntax", lines("id: t", "name: T", "  version: 1"),
			[]string{"f.yaml:3: YAML syntax: mapping values are not allowed in this context"},
		},
		{
			"alias", lines("id: t", "name: &n T", "version: 1", "trigger: {event: checkout.updated}", "steps:", "  - send: {channel: email, template: *n, category: marketing}"),
			[]string{"f.yaml:6: aliases (*n) are not supported in flow files: write the value out"},
		},
		{
			"two documents", lines(withSteps("  - wait: 1h"), "---", "id: other"),
			[]string{"f.yaml:8: a flow file holds one flow: remove the second YAML document (after ---)"},
		},
		{"empty file", "", []string{"f.yaml:1: file is empty: a flow needs id, name, version, trigger and steps"}},
		{"not a mapping", "- id: t\n", []string{"f.yaml:1: a flow file is a mapping of id, name, version, trigger, steps and so on, not a list"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, errs := flows.Parse("f.yaml", []byte(tc.yaml))
			require.Equal(t, tc.want, errStrings(errs), "flow:\n%s", tc.yaml)
		})
	}
}

func TestDecodingErrorsComeBeforeValidation(t *testing.T) {
	t.Parallel()
	// Both the unknown field and the missing name are mistakes; the
	// shape is reported first so nothing is reported twice.
	_, errs := flows.Parse("f.yaml", []byte(lines("id: t", "version: 1", "trigger: {event: checkout.updated, when: x}", "steps: [wait: 1h]")))
	require.Equal(t, []string{`f.yaml:3: unknown field "when" in trigger (known: event, if)`}, errStrings(errs))
}

func TestEveryMistakeIsReported(t *testing.T) {
	t.Parallel()
	_, errs := flows.Parse("f.yaml", []byte(withSteps(
		"  - send: {channel: fax, template: t, category: marketing}", // 6
		"  - wait: {until: \"7\"}",                                   // 7
		"  - webhook: {url: nowhere}",                                // 8
	)))
	require.Equal(t, []string{
		`f.yaml:6: channel "fax" is not email or sms`,
		`f.yaml:7: until "7" is not a time of day HH:MM such as "10:00"`,
		"f.yaml:8: webhook needs an http or https url, such as url: https://hooks.zapier.com/hooks/catch/1/abc",
	}, errStrings(errs))
}

func TestValidateFlowBuiltInGo(t *testing.T) {
	t.Parallel()
	f := &flows.Flow{
		ID: "go-flow", Name: "Built in Go", Version: 1, Source: "go",
		Trigger: flows.Trigger{Event: "order.placed"},
		Steps:   []flows.Step{{Line: 3, Send: &flows.Send{Channel: "email", Template: "t"}}},
	}
	require.Equal(t, []string{"go:3: send needs a category: marketing or transactional"}, errStrings(flows.Validate(f)))
	_, err := flows.Compile(f)
	var es flows.Errors
	require.ErrorAs(t, err, &es)
	require.Len(t, es, 1)
	require.EqualError(t, err, "go:3: send needs a category: marketing or transactional")
}

func TestLoadDirDuplicateIDs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	body := withSteps("  - wait: 1h", "  - send: {channel: email, template: t, category: marketing}")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.yaml"), []byte(body), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "b.yml"), []byte(body), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not a flow"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".hidden.yaml"), []byte("not: [a flow"), 0o600))
	got, errs := flows.LoadDir(dir)
	require.Len(t, got, 1)
	require.Equal(t, filepath.Join(dir, "a.yaml"), got[0].Source)
	require.Equal(t, []string{
		filepath.Join(dir, "b.yml") + `:1: flow id "test-flow" is already used by ` + filepath.Join(dir, "a.yaml"),
	}, errStrings(errs))
}

func TestLoadDirMissing(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "nope")
	_, errs := flows.LoadDir(dir)
	require.Len(t, errs, 1)
	require.Equal(t, dir, errs[0].File)
	require.Contains(t, errs[0].Error(), "cannot read the flows directory")
}
