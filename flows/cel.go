package flows

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/common/types/traits"
)

// ErrMissingField marks an evaluation that read a map key the data does not
// have, such as event.data.email on an event without an email. The
// processor takes a failed condition as false and logs it; flows guard
// optional fields with has(event.data.email) or event.data.?email.orValue("").
var ErrMissingField = errors.New("missing field")

// The CEL variables flows see.
const (
	VarEvent   = "event"
	VarProfile = "profile"
	VarRun     = "run"
	VarShop    = "shop"
	VarNow     = "now"
	VarParams  = "params"
	// VarRecommendations is the list of products recommended for the run's
	// customer and trigger (id, title, url, image_url, price, currency),
	// computed only when an expression reads it.
	VarRecommendations = "recommendations"
)

// celEnv is the one CEL environment every flow expression compiles in. A
// cel.Env is safe for concurrent use once built.
var celEnv = sync.OnceValues(func() (*cel.Env, error) {
	obj := cel.MapType(cel.StringType, cel.DynType)
	env, err := cel.NewEnv(
		cel.Variable(VarEvent, obj),
		cel.Variable(VarProfile, obj),
		cel.Variable(VarRun, obj),
		cel.Variable(VarShop, obj),
		cel.Variable(VarNow, cel.TimestampType),
		cel.Variable(VarParams, obj),
		cel.Variable(VarRecommendations, cel.ListType(cel.DynType)),
		cel.OptionalTypes(),
		cel.CrossTypeNumericComparisons(true),
		cel.Function("orders_since",
			cel.MemberOverload("map_orders_since_timestamp",
				[]*cel.Type{obj, cel.TimestampType}, cel.IntType,
				cel.BinaryBinding(ordersSince))),
	)
	if err != nil {
		return nil, fmt.Errorf("building the CEL environment: %w", err)
	}
	return env, nil
})

// ordersSince implements profile.orders_since(t): the number of entries of
// profile["order_times"] at or after t. A profile without order_times has
// no orders.
func ordersSince(lhs, rhs ref.Val) ref.Val {
	ts, ok := rhs.(types.Timestamp)
	if !ok {
		return types.NewErr("orders_since wants a timestamp, not %s", rhs.Type().TypeName())
	}
	t := ts.Time
	m, ok := lhs.(traits.Mapper)
	if !ok {
		return types.NewErr("orders_since is called on a profile map, not %s", lhs.Type().TypeName())
	}
	v, found := m.Find(types.String("order_times"))
	if !found || v == nil || v == types.NullValue {
		return types.Int(0)
	}
	if types.IsError(v) {
		return v
	}
	n := 0
	switch list := v.Value().(type) {
	case []time.Time:
		for _, o := range list {
			if !o.Before(t) {
				n++
			}
		}
		return types.Int(n)
	case []any:
		for _, o := range list {
			ot, ok := o.(time.Time)
			if !ok {
				return types.NewErr("profile.order_times holds %T, not times", o)
			}
			if !ot.Before(t) {
				n++
			}
		}
		return types.Int(n)
	}
	l, ok := v.(traits.Lister)
	if !ok {
		return types.NewErr("profile.order_times is %s, not a list of times", v.Type().TypeName())
	}
	for it := l.Iterator(); it.HasNext() == types.True; {
		o, ok := it.Next().(types.Timestamp)
		if !ok {
			return types.NewErr("profile.order_times holds something that is not a time")
		}
		if !o.Before(t) {
			n++
		}
	}
	return types.Int(n)
}

// celNoise is what CEL's messages say that helps no one writing a flow:
// the parser's list of expected tokens, the empty container.
var celNoise = regexp.MustCompile(` expecting \{[^}]*\}| \(in container ''\)`)

// celExpr is a compiled expression: an Expr.
type celExpr struct {
	src string
	prg cel.Program
}

var _ Expr = (*celExpr)(nil)

// CompileExpr compiles one CEL expression in the flow environment (the
// variables event, profile, run, shop and now; profile.orders_since(t)),
// whatever its type. Flows' own expressions are compiled by Compile.
func CompileExpr(src string) (Expr, error) {
	return compileExpr(src, nil)
}

// compileExpr compiles src; want, when not nil, is the type the result
// must have (dyn passes the check and is checked when evaluated).
func compileExpr(src string, want *cel.Type) (*celExpr, error) {
	env, err := celEnv()
	if err != nil {
		return nil, err
	}
	ast, iss := env.Compile(src)
	if iss != nil && iss.Err() != nil {
		var msgs []string
		for _, e := range iss.Errors() {
			m := celNoise.ReplaceAllString(e.Message, "")
			if col := e.Location.Column(); col >= 0 {
				m = fmt.Sprintf("%s (column %d)", m, col+1)
			}
			msgs = append(msgs, m)
		}
		return nil, errors.New(strings.Join(msgs, "; "))
	}
	if want != nil {
		out := ast.OutputType()
		if out.Kind() != types.DynKind && !out.IsExactType(want) {
			return nil, &typeError{got: typeWords(out), want: typeWords(want)}
		}
	}
	prg, err := env.Program(ast, cel.EvalOptions(cel.OptOptimize))
	if err != nil {
		return nil, fmt.Errorf("preparing: %w", err)
	}
	return &celExpr{src: src, prg: prg}, nil
}

// typeWords names a CEL type for people.
func typeWords(t *cel.Type) string {
	switch t.Kind() { //nolint:exhaustive // the rest read well as CEL names them
	case types.BoolKind:
		return "true or false"
	case types.StringKind:
		return "a string"
	case types.IntKind, types.UintKind:
		return "a whole number"
	case types.DoubleKind:
		return "a number"
	case types.ListKind:
		return "a list"
	case types.MapKind:
		return "a map"
	case types.TimestampKind:
		return "a timestamp"
	case types.DurationKind:
		return "a duration"
	}
	return t.String()
}

// Eval evaluates the expression and converts the result to plain Go.
func (x *celExpr) Eval(vars map[string]any) (any, error) {
	v, _, err := x.prg.Eval(vars)
	if err != nil {
		return nil, x.evalError(err)
	}
	out, err := native(v)
	if err != nil {
		return nil, fmt.Errorf("evaluating %q: %w", x.src, err)
	}
	return out, nil
}

// Bool evaluates a condition.
func (x *celExpr) Bool(vars map[string]any) (bool, error) {
	v, _, err := x.prg.Eval(vars)
	if err != nil {
		return false, x.evalError(err)
	}
	b, ok := v.(types.Bool)
	if !ok {
		return false, fmt.Errorf("condition %q gave %s, not true or false", x.src, v.Type().TypeName())
	}
	return bool(b), nil
}

// String is the source.
func (x *celExpr) String() string { return x.src }

func (x *celExpr) evalError(err error) error {
	if strings.Contains(err.Error(), "no such key") {
		return fmt.Errorf("evaluating %q: %w: %w (guard optional fields with has(), e.g. has(event.data.email))",
			x.src, ErrMissingField, err)
	}
	return fmt.Errorf("evaluating %q: %w", x.src, err)
}

// native converts a CEL value to plain Go: bool, int64, uint64, float64,
// string, []byte, time.Time, time.Duration, []any, map[string]any or nil.
func native(v ref.Val) (any, error) {
	switch v := v.(type) {
	case types.Null:
		return nil, nil
	case types.Bool:
		return bool(v), nil
	case types.Int:
		return int64(v), nil
	case types.Uint:
		return uint64(v), nil
	case types.Double:
		return float64(v), nil
	case types.String:
		return string(v), nil
	case types.Bytes:
		return []byte(v), nil
	case types.Timestamp:
		return v.Time, nil
	case types.Duration:
		return v.Duration, nil
	case *types.Err:
		return nil, v
	case *types.Optional:
		if !v.HasValue() {
			return nil, nil
		}
		return native(v.GetValue())
	case traits.Mapper:
		out := map[string]any{}
		for it := v.Iterator(); it.HasNext() == types.True; {
			k := it.Next()
			val, err := native(v.Get(k))
			if err != nil {
				return nil, err
			}
			ks, ok := k.(types.String)
			if !ok {
				return nil, fmt.Errorf("a map key is %s; only string keys convert", k.Type().TypeName())
			}
			out[string(ks)] = val
		}
		return out, nil
	case traits.Lister:
		n, ok := v.Size().(types.Int)
		if !ok {
			return nil, errors.New("a list without a size")
		}
		out := make([]any, 0, int(n))
		for it := v.Iterator(); it.HasNext() == types.True; {
			val, err := native(it.Next())
			if err != nil {
				return nil, err
			}
			out = append(out, val)
		}
		return out, nil
	}
	return v.Value(), nil
}
