package flows

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// MaxFileBytes bounds a flow file; flows are a page or two of YAML.
const MaxFileBytes = 1 << 20

// stepKinds are the step kinds, in the order the language lists them.
var stepKinds = []string{"wait", "send", "branch", "split", "discount", "update", "webhook", "exit"}

// Parse decodes and validates one flow file. Every error carries file and
// line. Decoding comes first: YAML syntax, unknown fields, values of the
// wrong shape, bad durations and steps without exactly one kind are
// reported, and validation (Validate) runs only on a file free of them, so
// one mistake is not reported twice.
//
// With no errors the flow is complete, its Raw is data and its Source is
// file. With errors the flow may be nil or partly decoded and must not be
// compiled.
func Parse(file string, data []byte) (*Flow, []Error) {
	d := &decoder{file: file, lines: map[string]int{}}
	f := d.parse(data)
	if len(d.errs) > 0 {
		sortErrors(d.errs)
		return f, d.errs
	}
	return f, Validate(f)
}

// decoder walks yaml.v3 nodes into a Flow, recording each field's line.
type decoder struct {
	file  string
	errs  []Error
	lines map[string]int
}

func (d *decoder) errorf(line int, format string, args ...any) {
	if line <= 0 {
		line = 1
	}
	d.errs = append(d.errs, Error{File: d.file, Line: line, Message: fmt.Sprintf(format, args...)})
}

// yamlLine reads the line out of a yaml.v3 syntax error.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func (d *decoder) yamlError(err error) {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		d.errorf(line, "YAML syntax: %s", m[2])
		return
	}
	d.errorf(1, "YAML syntax: %s", strings.TrimPrefix(msg, "yaml: "))
}

func (d *decoder) parse(data []byte) (f *Flow) {
	if len(data) > MaxFileBytes {
		d.errorf(1, "file is %d bytes; a flow file may have at most %d", len(data), MaxFileBytes)
		return nil
	}
	defer func() {
		// yaml.v3 has panicked on hostile input before; a flow file must
		// never take the process down.
		if r := recover(); r != nil {
			d.errorf(1, "YAML the parser cannot read: %v", r)
			f = nil
		}
	}()
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			d.errorf(1, "file is empty: a flow needs id, name, version, trigger and steps")
		} else {
			d.yamlError(err)
		}
		return nil
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		d.errorf(extra.Line, "a flow file holds one flow: remove the second YAML document (after ---)")
	} else if !errors.Is(err, io.EOF) {
		d.yamlError(err)
	}
	if d.noAliases(&doc); len(d.errs) > 0 {
		return nil
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		d.errorf(root.Line, "a flow file is a mapping of id, name, version, trigger, steps and so on, not %s", kindWords(root))
		return nil
	}
	f = &Flow{Source: d.file, Raw: data, file: d.file, lines: d.lines}
	d.lines[""] = root.Line
	for _, fl := range d.fields(root, "", "a flow", "id", "name", "version", "priority", "trigger", "key",
		"reentry", "exit_on", "filter", "max_lateness", "steps", "params", "enabled") {
		v := fl.value
		switch fl.key {
		case "id":
			f.ID = d.str(v, "id")
		case "name":
			f.Name = d.str(v, "name")
		case "version":
			f.Version = d.int(v, "version")
		case "priority":
			f.Priority = d.int(v, "priority")
		case "trigger":
			ts := d.triggers(v, "trigger", true)
			if len(ts) > 0 {
				f.Trigger, f.MoreTriggers = ts[0], ts[1:]
			}
		case "key":
			f.Key = d.str(v, "key")
		case "reentry":
			f.Reentry = d.str(v, "reentry")
		case "exit_on":
			f.ExitOn = d.triggers(v, "exit_on", false)
		case "filter":
			f.Filter = d.str(v, "filter")
		case "max_lateness":
			f.MaxLateness = d.duration(v, "max_lateness")
		case "steps":
			f.Steps = d.steps(v, "steps")
		case "params":
			f.Params = d.params(v)
		case "enabled":
			f.Enabled = d.bool(v, "enabled")
		}
	}
	if len(f.MoreTriggers) == 0 {
		f.MoreTriggers = nil
	}
	return f
}

// noAliases refuses aliases: expanding them can blow a small file up into
// millions of steps, and flows are short enough to write out.
func (d *decoder) noAliases(n *yaml.Node) {
	if n.Kind == yaml.AliasNode {
		d.errorf(n.Line, "aliases (*%s) are not supported in flow files: write the value out", n.Value)
		return
	}
	for _, c := range n.Content {
		d.noAliases(c)
	}
}

// field is one key and value of a mapping.
type field struct {
	key   string
	value *yaml.Node
}

// fields returns n's fields in order, recording each key's line under
// path.key. It reports a non-mapping, unknown keys and repeated keys; what
// names the mapping in messages ("a flow", "send").
func (d *decoder) fields(n *yaml.Node, path, what string, known ...string) []field {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n.Line, "%s must be a mapping (key: value), not %s", what, kindWords(n))
		return nil
	}
	out := make([]field, 0, len(n.Content)/2)
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key := k.Value
		switch {
		case k.Kind != yaml.ScalarNode:
			d.errorf(k.Line, "%s has a key that is %s; keys are names such as id", what, kindWords(k))
			continue
		case !slices.Contains(known, key):
			d.errorf(k.Line, "unknown field %q in %s (known: %s)", key, what, strings.Join(known, ", "))
			continue
		case seen[key]:
			d.errorf(k.Line, "field %q appears twice in %s", key, what)
			continue
		}
		seen[key] = true
		d.lines[join(path, key)] = k.Line
		out = append(out, field{key, v})
	}
	return out
}

// join appends a field name to a path.
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// kindWords names a node's shape for people.
func kindWords(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if isNull(n) {
			return "empty"
		}
		return strconv.Quote(n.Value)
	case yaml.DocumentNode, yaml.AliasNode:
	}
	return "something else"
}

// str reads a text scalar; any scalar reads as its text (so `if: true` is
// the CEL source "true"), null as "".
func (d *decoder) str(n *yaml.Node, name string) string {
	if isNull(n) {
		return ""
	}
	if n.Kind != yaml.ScalarNode {
		d.errorf(n.Line, "%s must be text, not %s", name, kindWords(n))
		return ""
	}
	return n.Value
}

// int reads a whole number; null reads as 0.
func (d *decoder) int(n *yaml.Node, name string) int {
	if isNull(n) {
		return 0
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!int" {
		if v, err := strconv.ParseInt(n.Value, 0, 32); err == nil {
			return int(v)
		}
	}
	d.errorf(n.Line, "%s must be a whole number, not %s", name, kindWords(n))
	return 0
}

// bool reads a true/false scalar; null reads as nil.
func (d *decoder) bool(n *yaml.Node, name string) *bool {
	if isNull(n) {
		return nil
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!bool" {
		v, err := strconv.ParseBool(n.Value)
		if err == nil {
			return &v
		}
	}
	d.errorf(n.Line, "%s must be true or false, not %s", name, kindWords(n))
	return nil
}

// paramRef returns the parameter a "$name" scalar names, "" for any other
// node.
func paramRef(n *yaml.Node) string {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!str" || !strings.HasPrefix(n.Value, "$") {
		return ""
	}
	return n.Value[1:]
}

// params reads the params mapping: names to YAML values of any shape.
func (d *decoder) params(n *yaml.Node) map[string]any {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n.Line, "params must be a mapping of names to default values, not %s", kindWords(n))
		return nil
	}
	out := map[string]any{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		d.lines["params."+k.Value] = k.Line
		var val any
		if err := v.Decode(&val); err != nil {
			d.errorf(v.Line, "params.%s: %v", k.Value, err)
			continue
		}
		out[k.Value] = val
	}
	return out
}

// duration reads a duration scalar; null reads as 0.
func (d *decoder) duration(n *yaml.Node, name string) Duration {
	if isNull(n) {
		return 0
	}
	if n.Kind != yaml.ScalarNode {
		d.errorf(n.Line, "%s must be a duration such as 1h or 3d, not %s", name, kindWords(n))
		return 0
	}
	v, err := ParseDuration(n.Value)
	if err != nil {
		d.errorf(n.Line, "%s: %v", name, err)
		return 0
	}
	return v
}

// exprs reads a mapping of names to CEL expressions (update.set,
// webhook.body).
func (d *decoder) exprs(n *yaml.Node, path, name string) map[string]string {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n.Line, "%s must be a mapping of names to expressions, not %s", name, kindWords(n))
		return nil
	}
	out := map[string]string{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.errorf(k.Line, "%s has a key that is %s", name, kindWords(k))
			continue
		}
		if _, dup := out[k.Value]; dup {
			d.errorf(k.Line, "%q appears twice in %s", k.Value, name)
			continue
		}
		d.lines[join(path, k.Value)] = k.Line
		out[k.Value] = d.str(v, name+"."+k.Value)
	}
	return out
}

// triggers reads trigger or exit_on: one {event, if} mapping or a list of
// them. Items are recorded as path[i].
func (d *decoder) triggers(n *yaml.Node, path string, single bool) []Trigger {
	items, listed := []*yaml.Node{n}, false
	switch {
	case isNull(n):
		return nil
	case n.Kind == yaml.SequenceNode:
		items, listed = n.Content, true
		if len(items) == 0 {
			d.errorf(n.Line, "%s is an empty list", path)
		}
	case !single:
		d.errorf(n.Line, "%s must be a list of {event, if} mappings, not %s", path, kindWords(n))
		return nil
	}
	out := make([]Trigger, 0, len(items))
	for i, it := range items {
		p := fmt.Sprintf("%s[%d]", path, i)
		if listed {
			d.lines[p] = it.Line
		}
		var t Trigger
		for _, fl := range d.fields(it, p, path, "event", "if") {
			switch fl.key {
			case "event":
				t.Event = d.str(fl.value, "event")
			case "if":
				t.If = d.str(fl.value, "if")
			}
		}
		out = append(out, t)
	}
	return out
}

// steps reads a list of steps at path ("steps", "steps[3].then").
func (d *decoder) steps(n *yaml.Node, path string) []Step {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(n.Line, "%s must be a list of steps (- wait: 1h, - send: {...}), not %s", path, kindWords(n))
		return nil
	}
	out := make([]Step, 0, len(n.Content))
	for i, it := range n.Content {
		p := fmt.Sprintf("%s[%d]", path, i)
		d.lines[p] = it.Line
		out = append(out, d.step(it, p))
	}
	return out
}

const kindList = "wait, send, branch, split, discount, update, webhook or exit"

// step reads one step: a mapping with exactly one kind key.
func (d *decoder) step(n *yaml.Node, path string) Step {
	s := Step{Line: n.Line}
	if n.Kind == yaml.ScalarNode && n.Value == "exit" {
		s.Exit = &Exit{}
		return s
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n.Line, "a step is a mapping such as `wait: 1h` or `send: {...}`, not %s", kindWords(n))
		return s
	}
	var kinds []string
	var kindKey, kindValue *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		switch {
		case k.Kind != yaml.ScalarNode:
			d.errorf(k.Line, "a step's key is %s; a step is one of %s", kindWords(k), kindList)
		case slices.Contains(stepKinds, k.Value):
			kinds = append(kinds, k.Value)
			kindKey, kindValue = k, n.Content[i+1]
		case k.Value == "id":
			d.errorf(k.Line, "a step's id goes inside the step, as in `send: {id: reminder, ...}`")
		default:
			d.errorf(k.Line, "unknown step kind %q; a step is one of %s", k.Value, kindList)
		}
	}
	switch len(kinds) {
	case 0:
		if len(n.Content) == 0 {
			d.errorf(n.Line, "empty step; a step is one of %s", kindList)
		}
		return s
	case 1:
	default:
		d.errorf(n.Line, "a step has exactly one kind, but this one has %s: make them separate steps",
			strings.Join(kinds, " and "))
		return s
	}
	kind := kinds[0]
	kp := path + "." + kind
	d.lines[kp] = kindKey.Line
	v := kindValue
	switch kind {
	case "wait":
		s.Wait = d.wait(v, kp)
	case "send":
		s.Send = &Send{}
		for _, fl := range d.fields(v, kp, "send", "id", "channel", "template", "category", "products", "smart_sending") {
			switch fl.key {
			case "id":
				s.Send.ID = d.str(fl.value, "id")
			case "channel":
				s.Send.Channel = d.str(fl.value, "channel")
			case "template":
				s.Send.Template = d.str(fl.value, "template")
			case "category":
				s.Send.Category = d.str(fl.value, "category")
			case "products":
				s.Send.Products = d.str(fl.value, "products")
			case "smart_sending":
				s.Send.SmartSending = d.bool(fl.value, "smart_sending")
			}
		}
	case "branch":
		s.Branch = &Branch{}
		for _, fl := range d.fields(v, kp, "branch", "id", "if", "then", "else") {
			switch fl.key {
			case "id":
				s.Branch.ID = d.str(fl.value, "id")
			case "if":
				s.Branch.If = d.str(fl.value, "if")
			case "then":
				d.lines[path+".then"] = d.lines[kp+".then"]
				s.Branch.Then = d.steps(fl.value, path+".then")
			case "else":
				d.lines[path+".else"] = d.lines[kp+".else"]
				s.Branch.Else = d.steps(fl.value, path+".else")
			}
		}
	case "split":
		s.Split = d.split(v, path, kp)
	case "discount":
		s.Discount = &Discount{}
		for _, fl := range d.fields(v, kp, "discount", "id", "percent", "amount", "expires_in", "free_shipping",
			"prefix", "products") {
			switch fl.key {
			case "id":
				s.Discount.ID = d.str(fl.value, "id")
			case "percent":
				if s.Discount.PercentParam = paramRef(fl.value); s.Discount.PercentParam == "" {
					s.Discount.Percent = d.int(fl.value, "percent")
				}
			case "amount":
				s.Discount.Amount = d.str(fl.value, "amount")
			case "expires_in":
				if s.Discount.ExpiresInParam = paramRef(fl.value); s.Discount.ExpiresInParam == "" {
					s.Discount.ExpiresIn = d.duration(fl.value, "expires_in")
				}
			case "free_shipping":
				if b := d.bool(fl.value, "free_shipping"); b != nil {
					s.Discount.FreeShipping = *b
				}
			case "prefix":
				s.Discount.Prefix = d.str(fl.value, "prefix")
			case "products":
				s.Discount.Products = d.str(fl.value, "products")
			}
		}
	case "update":
		s.Update = &Update{}
		for _, fl := range d.fields(v, kp, "update", "id", "set") {
			switch fl.key {
			case "id":
				s.Update.ID = d.str(fl.value, "id")
			case "set":
				s.Update.Set = d.exprs(fl.value, kp+".set", "set")
			}
		}
	case "webhook":
		s.Webhook = &Webhook{}
		for _, fl := range d.fields(v, kp, "webhook", "id", "url", "body") {
			switch fl.key {
			case "id":
				s.Webhook.ID = d.str(fl.value, "id")
			case "url":
				if s.Webhook.URLParam = paramRef(fl.value); s.Webhook.URLParam == "" {
					s.Webhook.URL = d.str(fl.value, "url")
				}
			case "body":
				s.Webhook.Body = d.exprs(fl.value, kp+".body", "body")
			}
		}
	case "exit":
		s.Exit = &Exit{}
		for _, fl := range d.fields(v, kp, "exit", "id", "reason") {
			switch fl.key {
			case "id":
				s.Exit.ID = d.str(fl.value, "id")
			case "reason":
				s.Exit.Reason = d.str(fl.value, "reason")
			}
		}
	}
	return s
}

// wait reads `wait: 1h` or the mapping form.
func (d *decoder) wait(n *yaml.Node, kp string) *Wait {
	w := &Wait{}
	if n.Kind == yaml.ScalarNode && !isNull(n) {
		if w.ForParam = paramRef(n); w.ForParam == "" {
			w.For = d.duration(n, "wait")
		}
		return w
	}
	for _, fl := range d.fields(n, kp, "wait", "id", "for", "until", "zone", "event", "if", "timeout") {
		switch fl.key {
		case "id":
			w.ID = d.str(fl.value, "id")
		case "for":
			if w.ForParam = paramRef(fl.value); w.ForParam == "" {
				w.For = d.duration(fl.value, "for")
			}
		case "until":
			w.Until = d.str(fl.value, "until")
		case "zone":
			w.Zone = d.str(fl.value, "zone")
		case "event":
			w.Event = d.str(fl.value, "event")
		case "if":
			w.If = d.str(fl.value, "if")
		case "timeout":
			if w.TimeoutParam = paramRef(fl.value); w.TimeoutParam == "" {
				w.Timeout = d.duration(fl.value, "timeout")
			}
		}
	}
	return w
}

// split reads a split; its paths' steps live at path.paths[i].steps.
func (d *decoder) split(n *yaml.Node, path, kp string) *Split {
	sp := &Split{}
	for _, fl := range d.fields(n, kp, "split", "id", "paths") {
		switch fl.key {
		case "id":
			sp.ID = d.str(fl.value, "id")
		case "paths":
			if isNull(fl.value) {
				continue
			}
			if fl.value.Kind != yaml.SequenceNode {
				d.errorf(fl.value.Line, "paths must be a list of {name, weight, steps}, not %s", kindWords(fl.value))
				continue
			}
			d.lines[path+".paths"] = d.lines[kp+".paths"]
			for i, it := range fl.value.Content {
				pp := fmt.Sprintf("%s.paths[%d]", path, i)
				d.lines[pp] = it.Line
				var sPath SplitPath
				for _, pf := range d.fields(it, pp, "a split path", "name", "weight", "steps") {
					switch pf.key {
					case "name":
						sPath.Name = d.str(pf.value, "name")
					case "weight":
						sPath.Weight = d.int(pf.value, "weight")
					case "steps":
						sPath.Steps = d.steps(pf.value, pp+".steps")
					}
				}
				sp.Paths = append(sp.Paths, sPath)
			}
		}
	}
	return sp
}
