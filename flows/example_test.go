package flows_test

import (
	"fmt"
	"time"

	"github.com/boomerang-dev/boomerang/flows"
)

// A flow file is parsed (with every mistake reported as file:line), compiled
// once, and then evaluated by the processor for each event.
func Example() {
	src := `
id: review-request
name: Ask for a review
version: 1
trigger:
  event: order.fulfilled
  if: has(event.data.email)
key: event.data.id
steps:
  - wait: 7d
  - branch:
      if: profile.orders_since(run.started_at) == 0
      then:
        - send: {id: ask, channel: email, template: review-request, category: marketing}
`
	f, errs := flows.Parse("review-request.yaml", []byte(src))
	for _, e := range errs {
		fmt.Println(e)
	}
	p, err := flows.Compile(f)
	if err != nil {
		fmt.Println(err)
		return
	}
	for pc, in := range p.Code {
		fmt.Println(pc, in.StepID, in.Target)
	}
	ok, err := p.Trigger.If.Bool(map[string]any{
		"event":   map[string]any{"data": map[string]any{"id": "1001", "email": "jon@example.com"}},
		"profile": map[string]any{}, "run": map[string]any{}, "shop": map[string]any{},
		"now": time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC),
	})
	fmt.Println("triggered:", ok, err, "priority:", p.Priority)
	// Output:
	// 0 steps[0] 0
	// 1 steps[1] 4
	// 2 ask 0
	// 3 steps[1].then.end 4
	// triggered: true <nil> priority: 30
}

// A mistake is reported with its file and line.
func ExampleParse_mistake() {
	_, errs := flows.Parse("welcome.yaml", []byte(`id: welcome
name: Welcome
version: 1
trigger: {event: customer.signed_up}
steps:
  - send: {channel: email, template: welcome, category: marketing}
`))
	for _, e := range errs {
		fmt.Println(e)
	}
	// Output:
	// welcome.yaml:4: trigger event "customer.signed_up" is not a canonical event type (docs/events.md lists them)
}
