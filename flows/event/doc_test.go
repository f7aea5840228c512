package event_test

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/boomerang-dev/boomerang/flows/event"
)

// TestEventsDocIsCurrent keeps docs/events.md exactly in step with the Go
// types: the reference is generated from this package's source (field
// names, JSON types and doc comments) and compared. UPDATE_GOLDEN=1
// rewrites it.
func TestEventsDocIsCurrent(t *testing.T) {
	t.Parallel()
	got := renderEventsDoc(t)
	const path = "../../docs/events.md"
	if os.Getenv("UPDATE_GOLDEN") == "1" {
		if err := os.WriteFile(path, got, 0o600); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading %s (UPDATE_GOLDEN=1 writes it): %v", path, err)
	}
	if !bytes.Equal(want, got) {
		t.Fatalf("%s is out of date with flows/event; run UPDATE_GOLDEN=1 go test ./flows/event", path)
	}
}

// docs holds the doc comments of the package's types and struct fields.
type docs struct {
	types  map[string]string
	fields map[string]map[string]string
}

func parseDocs(t *testing.T) docs {
	t.Helper()
	fset := token.NewFileSet()
	d := docs{types: map[string]string{}, fields: map[string]map[string]string{}}
	for _, name := range []string{"envelope.go", "data.go"} {
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, spec := range gd.Specs {
				ts := spec.(*ast.TypeSpec)
				d.types[ts.Name.Name] = oneLine(gd.Doc.Text())
				st, ok := ts.Type.(*ast.StructType)
				if !ok {
					continue
				}
				d.fields[ts.Name.Name] = map[string]string{}
				for _, fld := range st.Fields.List {
					for _, n := range fld.Names {
						d.fields[ts.Name.Name][n.Name] = oneLine(fld.Doc.Text())
					}
				}
			}
		}
	}
	return d
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func jsonType(t reflect.Type) string {
	switch {
	case t == reflect.TypeFor[event.Decimal]():
		return "decimal string"
	case t.String() == "time.Time":
		return "RFC 3339 time, UTC"
	}
	switch t.Kind() {
	case reflect.Pointer:
		return jsonType(t.Elem()) + " or absent"
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int64:
		return "integer"
	case reflect.Float64:
		return "number"
	case reflect.Slice:
		return "array of " + jsonType(t.Elem())
	case reflect.Map:
		return "object of " + jsonType(t.Elem())
	case reflect.Struct:
		return "[" + t.Name() + "](#" + strings.ToLower(t.Name()) + ")"
	case reflect.Interface:
		return "object"
	default:
		return t.Kind().String()
	}
}

func fieldRows(buf *bytes.Buffer, d docs, t reflect.Type) []reflect.Type {
	var nested []reflect.Type
	buf.WriteString("| field | JSON type | meaning |\n|---|---|---|\n")
	for f := range t.Fields() {
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || name == "" {
			continue
		}
		optional := ""
		if strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero") {
			optional = " (may be absent)"
		}
		fmt.Fprintf(buf, "| `%s` | %s | %s%s |\n", name, jsonType(f.Type), d.fields[t.Name()][f.Name], optional)
		ft := f.Type
		for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice || ft.Kind() == reflect.Map {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct && ft.PkgPath() == t.PkgPath() {
			nested = append(nested, ft)
		}
	}
	return nested
}

func renderEventsDoc(t *testing.T) []byte {
	t.Helper()
	d := parseDocs(t)
	var buf bytes.Buffer
	buf.WriteString(`# Canonical events

<!-- Generated from flows/event by TestEventsDocIsCurrent; run UPDATE_GOLDEN=1 go test ./flows/event after changing the types. -->

Every platform adapter turns store webhooks into these events; the processor consumes them and flows read
them (` + "`event.data.token`" + `, ` + "`event.customer.email`" + `). They travel as JSON on JetStream stream ` + "`EVENTS`" + `, subject
` + "`events.<shop>.<type>`" + `, with the event's ` + "`id`" + ` as the message id.

Conventions: money is a decimal string (` + "`\"19.99\"`" + `) beside a currency code, never a float; platform ids
are strings (Shopify ids exceed 2^53); times are RFC 3339 in UTC; an absent optional field is left out.
` + "`boomerang normalize`" + ` prints what a webhook body becomes.

## Envelope

`)
	envelope := reflect.TypeFor[event.Event]()
	nested := fieldRows(&buf, d, envelope)
	buf.WriteString("\n`data` holds the type's data struct below.\n")

	buf.WriteString("\n## Types\n\n| type | data |\n|---|---|\n")
	byStruct := map[string][]string{}
	var structs []reflect.Type
	for _, typ := range event.Types() {
		rt := reflect.TypeOf(event.NewData(typ)).Elem()
		if _, seen := byStruct[rt.Name()]; !seen {
			structs = append(structs, rt)
		}
		byStruct[rt.Name()] = append(byStruct[rt.Name()], "`"+string(typ)+"`")
		fmt.Fprintf(&buf, "| `%s` | [%s](#%s) |\n", typ, rt.Name(), strings.ToLower(rt.Name()))
	}
	sort.Slice(structs, func(i, j int) bool { return structs[i].Name() < structs[j].Name() })

	seen := map[string]bool{"Event": true}
	queue := append(append([]reflect.Type(nil), nested...), structs...)
	var ordered []reflect.Type
	for len(queue) > 0 {
		rt := queue[0]
		queue = queue[1:]
		if seen[rt.Name()] {
			continue
		}
		seen[rt.Name()] = true
		ordered = append(ordered, rt)
	}
	sort.SliceStable(ordered, func(i, j int) bool {
		_, di := byStruct[ordered[i].Name()]
		_, dj := byStruct[ordered[j].Name()]
		if di != dj {
			return di
		}
		return ordered[i].Name() < ordered[j].Name()
	})
	buf.WriteString("\n## Data\n")
	for i := 0; i < len(ordered); i++ {
		rt := ordered[i]
		fmt.Fprintf(&buf, "\n### %s\n\n", rt.Name())
		if types, ok := byStruct[rt.Name()]; ok {
			fmt.Fprintf(&buf, "Data of %s.", strings.Join(types, ", "))
			if doc := d.types[rt.Name()]; doc != "" {
				buf.WriteString(" " + doc)
			}
			buf.WriteString("\n\n")
		} else if doc := d.types[rt.Name()]; doc != "" {
			buf.WriteString(doc + "\n\n")
		}
		for _, n := range fieldRows(&buf, d, rt) {
			if !seen[n.Name()] {
				seen[n.Name()] = true
				ordered = append(ordered, n)
			}
		}
	}
	buf.WriteString(`
## Vocabularies

- Consent ` + "`state`" + `: ` + "`subscribed`, `not_subscribed`, `unsubscribed`, `pending`, `redacted`, `invalid`" + ` (Shopify's; the other
  platforms map onto it). Consent ` + "`channel`" + `: ` + "`email`, `sms`" + `.
- Shipment ` + "`status`" + `: ` + "`confirmed`, `in_transit`, `out_for_delivery`, `delivered`, `failure`" + `, or another carrier status
  passed through (` + "`label_printed`, `attempted_delivery`, …" + `).
- ` + "`key`" + `: ` + "`<type>:<shop>:<resource id>`" + `, plus ` + "`@<updated_at>`" + ` for resources that change more than once.
`)
	return buf.Bytes()
}
