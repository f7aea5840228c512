package flows_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/flows"
)

var t0 = time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)

// vars builds the variables a flow sees.
func vars(event, profile, run map[string]any) map[string]any {
	return map[string]any{
		flows.VarEvent:   event,
		flows.VarProfile: profile,
		flows.VarRun:     run,
		flows.VarShop:    map[string]any{"id": "demo"},
		flows.VarNow:     t0,
	}
}

func mustExpr(t *testing.T, src string) flows.Expr {
	t.Helper()
	x, err := flows.CompileExpr(src)
	require.NoError(t, err)
	return x
}

func TestOrdersSince(t *testing.T) {
	t.Parallel()
	orders := []time.Time{t0.Add(-48 * time.Hour), t0.Add(-time.Hour), t0, t0.Add(time.Hour)}
	cases := []struct {
		name    string
		src     string
		profile map[string]any
		want    int64
	}{
		{"times at or after the run start", "profile.orders_since(run.started_at)", map[string]any{"order_times": orders}, 3},
		{"a timestamp literal", `profile.orders_since(timestamp("2026-07-01T11:30:00Z"))`, map[string]any{"order_times": orders}, 2},
		{"now minus a duration", `profile.orders_since(now - duration("72h"))`, map[string]any{"order_times": orders}, 4},
		{"times decoded as []any", "profile.orders_since(run.started_at)", map[string]any{"order_times": []any{t0.Add(-2 * time.Hour), t0}}, 1},
		{"no orders", "profile.orders_since(run.started_at)", map[string]any{"order_times": []time.Time{}}, 0},
		{"no order_times at all", "profile.orders_since(run.started_at)", map[string]any{}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := mustExpr(t, tc.src).Eval(vars(nil, tc.profile, map[string]any{"started_at": t0.Add(-time.Hour)}))
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestOrdersSinceRejectsANonTime(t *testing.T) {
	t.Parallel()
	_, err := mustExpr(t, "profile.orders_since(run.started_at)").Eval(
		vars(nil, map[string]any{"order_times": []time.Time{t0}}, map[string]any{"started_at": "yesterday"}))
	require.Error(t, err)

	_, err = mustExpr(t, "profile.orders_since(run.started_at)").Eval(
		vars(nil, map[string]any{"order_times": []any{"2026-07-01"}}, map[string]any{"started_at": t0}))
	require.ErrorContains(t, err, "not times")

	_, err = flows.CompileExpr(`profile.orders_since("2026-07-01")`)
	require.ErrorContains(t, err, "orders_since")
}

func TestEvalConvertsToPlainGo(t *testing.T) {
	t.Parallel()
	ev := map[string]any{
		"data": map[string]any{
			"email":      "jon@example.com",
			"line_items": []any{map[string]any{"title": "Mug", "quantity": float64(2)}},
			"created_at": t0,
		},
	}
	cases := []struct {
		src  string
		want any
	}{
		{"event.data.email", "jon@example.com"},
		{"size(event.data.line_items)", int64(1)},
		{"event.data.line_items[0].quantity", float64(2)},
		{"event.data.line_items[0].quantity == 2", true},
		{"event.data.created_at", t0},
		{"now - event.data.created_at", time.Duration(0)},
		{"event.data.line_items.map(i, i.title)", []any{"Mug"}},
		{`{"to": event.data.email, "n": 1}`, map[string]any{"to": "jon@example.com", "n": int64(1)}},
		{"null", nil},
		{`event.data.?phone.orValue("none")`, "none"},
		{"event.data.?phone", nil},
		{"has(event.data.phone)", false},
		{"2u", uint64(2)},
		{"b'hi'", []byte("hi")},
	}
	for _, tc := range cases {
		t.Run(tc.src, func(t *testing.T) {
			t.Parallel()
			got, err := mustExpr(t, tc.src).Eval(vars(ev, nil, nil))
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestMissingKeyIsAClearError(t *testing.T) {
	t.Parallel()
	x := mustExpr(t, `event.data.email != ""`)
	_, err := x.Bool(vars(map[string]any{"data": map[string]any{"token": "c1"}}, nil, nil))
	require.ErrorIs(t, err, flows.ErrMissingField)
	require.EqualError(t, err, `evaluating "event.data.email != \"\"": missing field: no such key: email (guard optional fields with has(), e.g. has(event.data.email))`)

	ok, err := mustExpr(t, `has(event.data.email) && event.data.email != ""`).Bool(
		vars(map[string]any{"data": map[string]any{"token": "c1"}}, nil, nil))
	require.NoError(t, err)
	require.False(t, ok)
}

func TestBoolRejectsANonBool(t *testing.T) {
	t.Parallel()
	_, err := mustExpr(t, "event.data.email").Bool(vars(map[string]any{"data": map[string]any{"email": "a@b.c"}}, nil, nil))
	require.EqualError(t, err, `condition "event.data.email" gave string, not true or false`)
}

func TestCompileExprErrors(t *testing.T) {
	t.Parallel()
	_, err := flows.CompileExpr("customer.email")
	require.ErrorContains(t, err, "undeclared reference to 'customer' (column 1)")
	_, err = flows.CompileExpr("event.data.email ==")
	require.ErrorContains(t, err, "column")
}

func TestExprIsSafeForConcurrentUse(t *testing.T) {
	t.Parallel()
	x := mustExpr(t, `profile.orders_since(run.started_at) == 0 && event.data.n > 3`)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				n := g*1000 + i
				ok, err := x.Bool(vars(map[string]any{"data": map[string]any{"n": n}},
					map[string]any{"order_times": []time.Time{t0.Add(-time.Hour)}},
					map[string]any{"started_at": t0}))
				if err != nil || ok != (n > 3) {
					errs <- fmt.Errorf("n=%d: got %v: %w", n, ok, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}

// BenchmarkTriggerCondition measures the abandoned-checkout trigger
// condition, evaluated for every checkout.updated event.
func BenchmarkTriggerCondition(b *testing.B) {
	x, err := flows.CompileExpr(`event.data.email != "" && size(event.data.line_items) > 0`)
	require.NoError(b, err)
	v := vars(map[string]any{"data": map[string]any{
		"email": "jon@example.com", "line_items": []any{map[string]any{"title": "Mug"}},
	}}, nil, nil)
	b.ReportAllocs()
	for b.Loop() {
		ok, err := x.Bool(v)
		if err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}
