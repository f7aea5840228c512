package flows_test

import (
	"strings"
	"testing"

	"github.com/boomerang-dev/boomerang/flows"
)

// FuzzParse: any bytes give a flow or errors, never a panic; every error
// has a line; a flow without errors compiles.
func FuzzParse(f *testing.F) {
	lib, err := flows.Library()
	if err != nil {
		f.Fatal(err)
	}
	for _, fl := range lib {
		f.Add(fl.Raw)
	}
	for _, s := range []string{
		"", "{}", "[]", "id: x", "- a", "a: &a [*a]", "id: t\nname: T\nversion: 1\ntrigger: {event: order.placed}\nsteps: [exit]\n",
		withSteps("  - split: {paths: [{weight: 1, steps: [{branch: {if: 'true', then: [exit]}}]}]}"),
		withSteps("  - wait: {until: \"10:00\", zone: Europe/Berlin}"),
		"steps:\n  - branch:\n      then:\n        - branch:\n            else: [wait: 1h]\n",
		"id: t\n---\nid: u\n", "\xff\xfe", "trigger: [{event: a}, {event: a}]",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fl, errs := flows.Parse("fuzz.yaml", data)
		for _, e := range errs {
			if e.Line < 1 || e.File != "fuzz.yaml" || e.Message == "" || strings.Contains(e.Message, "\n") {
				t.Fatalf("error without a line, file or one-line message: %#v", e)
			}
		}
		if len(errs) > 0 {
			return
		}
		p, err := flows.Compile(fl)
		if err != nil {
			t.Fatalf("a flow Parse accepted does not compile: %v", err)
		}
		for pc, in := range p.Code {
			switch in.Op {
			case flows.OpBranch, flows.OpJump:
				if in.Target <= pc || in.Target > len(p.Code) {
					t.Fatalf("pc %d jumps to %d of %d", pc, in.Target, len(p.Code))
				}
			case flows.OpSplit:
				for _, tg := range in.Targets {
					if tg <= pc || tg > len(p.Code) {
						t.Fatalf("pc %d splits to %d of %d", pc, tg, len(p.Code))
					}
				}
			case flows.OpWait, flows.OpSend, flows.OpDiscount, flows.OpUpdate, flows.OpWebhook, flows.OpExit:
			}
		}
	})
}
