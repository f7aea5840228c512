package flows

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"cel.dev/cel-go/cel"

	"github.com/boomerang-dev/boomerang/flows/event"
)

// DefaultMaxLateness is a flow's max_lateness when it sets none.
const DefaultMaxLateness = 24 * time.Hour

// Compile validates f and compiles it: CEL compiled once, the step tree
// flattened into Program.Code. A flow with mistakes gives an Errors with
// one entry per mistake. The Program keeps pointers into f: do not change f
// afterwards.
//
// The layout of Code, for a run's pc to mean the same thing every time the
// same flow version is compiled:
//   - a plain step is one instruction;
//   - a branch is OpBranch (Target: the first instruction of the else-arm),
//     the then-arm, an OpJump to after the branch, then the else-arm;
//   - a split is OpSplit (Targets: the first instruction of each path),
//     then each path followed by an OpJump to after the split.
//
// Each instruction's StepID is the step's id, or its position path
// ("steps[3].then[0]", "steps[5].paths[1].steps[0]"); a jump's is its
// branch's or split's, plus ".then.end" or ".paths[i].end".
func Compile(f *Flow) (*Program, error) {
	p, errs := check(f)
	if len(errs) > 0 {
		return nil, Errors(errs)
	}
	return p, nil
}

// checker validates a flow and compiles it in one walk.
type checker struct {
	f    *Flow
	file string
	errs []Error
	prog *Program
	// ids maps each step id to the line it was first used on.
	ids map[string]int
}

func check(f *Flow) (*Program, []Error) {
	if f == nil {
		return nil, []Error{{File: "flow", Message: "no flow"}}
	}
	c := &checker{
		f:    f,
		file: cmp.Or(f.file, f.Source, "flow "+strconv.Quote(f.ID)),
		prog: &Program{Flow: f, pcs: map[string]int{}},
		ids:  map[string]int{},
	}
	c.header()
	if len(f.Steps) == 0 {
		c.errf("steps", 0, "missing steps: a flow needs at least one step")
	}
	c.steps(f.Steps, "steps")
	if len(c.errs) > 0 {
		sortErrors(c.errs)
		return nil, c.errs
	}
	c.prog.Priority = cmp.Or(f.Priority, DefaultPriority(f))
	return c.prog, nil
}

// at is the line of path: the nearest recorded line walking up the path
// ("steps[2].send.template", "steps[2].send", "steps[2]", ...), else
// fallback (a step's Line for flows built in Go).
func (c *checker) at(path string, fallback int) int {
	if c.f.lines == nil {
		return fallback
	}
	for p := path; ; p = parent(p) {
		if l, ok := c.f.lines[p]; ok {
			return l
		}
		if p == "" {
			return fallback
		}
	}
}

// parent strips a path's last segment: "steps[3].then[0]" is in
// "steps[3].then", which is in "steps[3]".
func parent(p string) string {
	i := strings.LastIndexAny(p, ".[")
	if i < 0 {
		return ""
	}
	return p[:i]
}

func (c *checker) errf(path string, fallback int, format string, args ...any) {
	c.errs = append(c.errs, Error{File: c.file, Line: c.at(path, fallback), Message: fmt.Sprintf(format, args...)})
}

var (
	flowIDPattern   = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$`)
	stepIDPattern   = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)
	templatePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$`)
	propertyPattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)
	amountPattern   = regexp.MustCompile(`^[0-9]{1,9}(\.[0-9]{1,4})?$`)
	prefixPattern   = regexp.MustCompile(`^[A-Z0-9]{1,12}$`)
	paramPattern    = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)
)

// Kinds of value a $param reference needs.
const (
	paramDuration = "duration"
	paramPercent  = "percent"
)

// param checks a $name reference: declared in params, with a default of
// the kind the field needs.
func (c *checker) param(name, kp string, line int, kind string) {
	v, ok := c.f.Params[name]
	if !ok {
		c.errf(kp, line, "$%s is not declared under params", name)
		return
	}
	if err := CheckParam(kind, v); err != nil {
		c.errf("params."+name, line, "params.%s: %v", name, err)
	}
}

// CheckParam reports whether v is a valid value of a parameter used as
// kind: a duration ("1h", "3d") or a percent (1 to 100).
func CheckParam(kind string, v any) error {
	switch kind {
	case paramDuration:
		if _, err := ParamDuration(v); err != nil {
			return err
		}
	case paramPercent:
		n, ok := ParamInt(v)
		if !ok || n < 1 || n > 100 {
			return fmt.Errorf("%v is not a percent from 1 to 100", v)
		}
	}
	return nil
}

// ParamDuration reads a parameter as a duration: a string such as "90m" or
// "3d", or a whole number of seconds.
func ParamDuration(v any) (time.Duration, error) {
	switch x := v.(type) {
	case string:
		d, err := ParseDuration(x)
		if err != nil {
			return 0, err
		}
		if d <= 0 {
			return 0, fmt.Errorf("duration %q must be positive", x)
		}
		return d.D(), nil
	default:
		if n, ok := ParamInt(v); ok && n > 0 {
			return time.Duration(n) * time.Second, nil
		}
	}
	return 0, fmt.Errorf("%v is not a duration such as 1h or 3d", v)
}

// ParamInt reads a parameter as a whole number.
func ParamInt(v any) (int, bool) {
	switch x := v.(type) {
	case int:
		return x, true
	case int64:
		return int(x), true
	case float64:
		if x == float64(int(x)) {
			return int(x), true
		}
	case uint64:
		return int(x), true //nolint:gosec // parameter values are small
	}
	return 0, false
}

// header checks and compiles everything above the steps.
func (c *checker) header() {
	f, p := c.f, c.prog
	switch {
	case f.ID == "":
		c.errf("id", 0, "missing id: every flow needs one, such as id: abandoned-checkout")
	case !flowIDPattern.MatchString(f.ID):
		c.errf("id", 0, "id %q may hold only lowercase letters, digits and '-' (not at the ends), such as abandoned-checkout", f.ID)
	}
	if strings.TrimSpace(f.Name) == "" {
		c.errf("name", 0, "missing name: give the flow a name people read, such as name: Abandoned checkout recovery")
	}
	switch {
	case f.Version == 0:
		c.errf("version", 0, "missing version: start at version: 1 and raise it when the flow changes")
	case f.Version < 0:
		c.errf("version", 0, "version must be 1 or more, not %d", f.Version)
	}
	if f.Priority < 0 {
		c.errf("priority", 0, "priority must be a positive whole number, not %d; leave it out for the default", f.Priority)
	}

	if f.Trigger == (Trigger{}) && len(f.MoreTriggers) == 0 {
		c.errf("trigger", 0, "missing trigger: a flow starts on an event, as in trigger: {event: checkout.updated}")
	} else {
		seen := map[string]bool{}
		for i, t := range f.Triggers() {
			path := fmt.Sprintf("trigger[%d]", i)
			cond := c.eventCond(t, path, "trigger")
			if t.Event != "" && seen[t.Event] {
				c.errf(path+".event", 0, "trigger event %s is listed twice: join the conditions with ||", t.Event)
			}
			seen[t.Event] = true
			p.Triggers = append(p.Triggers, cond)
		}
		p.Trigger = p.Triggers[0]
	}
	if f.Key != "" {
		if x := c.expr(f.Key, "key", 0, "key", cel.StringType); x != nil {
			p.Key = x
		}
	}
	r, err := ParseReentry(f.Reentry)
	if err != nil {
		c.errf("reentry", 0, "%v", err)
	}
	p.Reentry = r
	for i, t := range f.ExitOn {
		p.ExitOn = append(p.ExitOn, c.eventCond(t, fmt.Sprintf("exit_on[%d]", i), "exit_on"))
	}
	if f.Filter != "" {
		if x := c.expr(f.Filter, "filter", 0, "filter", cel.BoolType); x != nil {
			p.Filter = x
		}
	}
	for _, name := range slices.Sorted(maps.Keys(f.Params)) {
		if !paramPattern.MatchString(name) {
			c.errf("params."+name, 0, "parameter name %q may hold only lowercase letters, digits and '_'", name)
		}
	}
	p.MaxLateness = f.MaxLateness.D()
	if p.MaxLateness == 0 {
		p.MaxLateness = DefaultMaxLateness
	}
}

// eventCond checks an event type and compiles its condition.
func (c *checker) eventCond(t Trigger, path, what string) Cond {
	switch {
	case t.Event == "":
		c.errf(path+".event", 0, "%s needs an event, such as event: order.placed", what)
	case !event.Known(event.Type(t.Event)):
		c.errf(path+".event", 0, "%s event %q is not a canonical event type (docs/events.md lists them)", what, t.Event)
	}
	cond := Cond{Event: t.Event}
	if t.If != "" {
		if x := c.expr(t.If, path+".if", 0, what+" condition", cel.BoolType); x != nil {
			cond.If = x
		}
	}
	return cond
}

// typeError is compileExpr's complaint about a result type.
type typeError struct{ got, want string }

func (e *typeError) Error() string { return "gives " + e.got + ", not " + e.want }

// expr compiles one expression; nil (with the error recorded) when it
// does not compile or has the wrong type. A nil want accepts any type.
func (c *checker) expr(src, path string, fallback int, what string, want *cel.Type) Expr {
	x, err := compileExpr(src, want)
	if err == nil {
		return x
	}
	if te, ok := errors.AsType[*typeError](err); ok {
		c.errf(path, fallback, "%s %q must give %s, but it gives %s", what, src, te.want, te.got)
	} else {
		c.errf(path, fallback, "%s %q does not compile: %v", what, src, err)
	}
	return nil
}

// ParseReentry reads a reentry rule: "" or "once" (a key runs once ever),
// "always", or "once per <duration>" such as "once per 30d".
func ParseReentry(s string) (Reentry, error) {
	switch s {
	case "", ReentryOnce:
		return Reentry{Kind: ReentryOnce}, nil
	case ReentryAlways:
		return Reentry{Kind: ReentryAlways}, nil
	}
	if rest, ok := strings.CutPrefix(s, "once per "); ok {
		d, err := ParseDuration(strings.TrimSpace(rest))
		if err != nil {
			return Reentry{}, fmt.Errorf("reentry %q: %w", s, err)
		}
		if d <= 0 {
			return Reentry{}, fmt.Errorf("reentry %q needs a positive duration, such as once per 30d", s)
		}
		return Reentry{Kind: ReentryOncePer, Every: d.D()}, nil
	}
	return Reentry{}, fmt.Errorf("reentry %q is not once, always or \"once per <duration>\" such as once per 30d", s)
}

// steps checks and emits one list of steps.
func (c *checker) steps(list []Step, path string) {
	for i := range list {
		p := fmt.Sprintf("%s[%d]", path, i)
		if i > 0 && list[i-1].Exit != nil {
			c.errf(p, list[i].Line, "unreachable step: it comes after an exit in the same list")
			return
		}
		c.step(&list[i], p)
	}
}

func (c *checker) emit(ins Instruction) int {
	pc := len(c.prog.Code)
	if _, taken := c.prog.pcs[ins.StepID]; !taken {
		c.prog.pcs[ins.StepID] = pc
	}
	c.prog.Code = append(c.prog.Code, ins)
	return pc
}

// step checks and emits one step (and, for a branch or split, its arms).
func (c *checker) step(s *Step, path string) {
	kind, id := s.kind()
	if kind == "" {
		c.errf(path, s.Line, "a step needs exactly one of wait, send, branch, split, discount, update, webhook or exit")
		return
	}
	kp := path + "." + kind
	stepID := path
	if id != "" {
		stepID = id
		switch first, dup := c.ids[id]; {
		case !stepIDPattern.MatchString(id):
			c.errf(kp+".id", s.Line, "step id %q may hold only lowercase letters, digits, '-' and '_'", id)
		case dup:
			c.errf(kp+".id", s.Line, "step id %q is used twice in the flow (first on line %d)", id, first)
		default:
			c.ids[id] = c.at(kp+".id", s.Line)
		}
	}
	ins := Instruction{StepID: stepID, Line: s.Line}
	switch {
	case s.Wait != nil:
		ins.Op = OpWait
		ins.Wait, ins.WaitIf = c.wait(s.Wait, kp, s.Line)
		c.emit(ins)
	case s.Send != nil:
		ins.Op, ins.Send = OpSend, s.Send
		c.send(s.Send, kp, s.Line)
		if s.Send.Products != "" {
			ins.Products = c.expr(s.Send.Products, kp+".products", s.Line, "send products", nil)
		}
		c.emit(ins)
	case s.Branch != nil:
		c.branch(s.Branch, path, kp, ins)
	case s.Split != nil:
		c.split(s.Split, path, kp, ins)
	case s.Discount != nil:
		ins.Op, ins.Discount = OpDiscount, s.Discount
		c.discount(s.Discount, kp, s.Line)
		if s.Discount.Products != "" {
			ins.Products = c.expr(s.Discount.Products, kp+".products", s.Line, "discount products", nil)
		}
		c.emit(ins)
	case s.Update != nil:
		ins.Op, ins.Update = OpUpdate, s.Update
		ins.Set = c.update(s.Update, kp, s.Line)
		c.emit(ins)
	case s.Webhook != nil:
		ins.Op, ins.Webhook = OpWebhook, s.Webhook
		ins.Body = c.webhook(s.Webhook, kp, s.Line)
		c.emit(ins)
	case s.Exit != nil:
		ins.Op, ins.Exit = OpExit, s.Exit
		c.emit(ins)
	}
}

// kind names the step's one kind and gives its id; kind is "" unless
// exactly one kind is set.
func (s *Step) kind() (kind, id string) {
	n := 0
	if s.Wait != nil {
		n, kind, id = n+1, "wait", s.Wait.ID
	}
	if s.Send != nil {
		n, kind, id = n+1, "send", s.Send.ID
	}
	if s.Branch != nil {
		n, kind, id = n+1, "branch", s.Branch.ID
	}
	if s.Split != nil {
		n, kind, id = n+1, "split", s.Split.ID
	}
	if s.Discount != nil {
		n, kind, id = n+1, "discount", s.Discount.ID
	}
	if s.Update != nil {
		n, kind, id = n+1, "update", s.Update.ID
	}
	if s.Webhook != nil {
		n, kind, id = n+1, "webhook", s.Webhook.ID
	}
	if s.Exit != nil {
		n, kind, id = n+1, "exit", s.Exit.ID
	}
	if n != 1 {
		return "", ""
	}
	return kind, id
}

// wait checks a wait and returns the copy the instruction carries (Zone
// defaulted to customer for an until-wait) and its compiled condition.
func (c *checker) wait(w *Wait, kp string, line int) (*Wait, Expr) {
	forms := 0
	if w.ForParam != "" {
		c.param(w.ForParam, kp, line, paramDuration)
	}
	if w.TimeoutParam != "" {
		c.param(w.TimeoutParam, kp+".timeout", line, paramDuration)
	}
	for _, set := range []bool{w.For > 0 || w.ForParam != "", w.Until != "", w.Event != ""} {
		if set {
			forms++
		}
	}
	switch {
	case forms == 0:
		c.errf(kp, line, "wait needs a positive duration (wait: 1h), a time of day (until: \"10:00\") or an event (event: ..., timeout: 7d)")
	case forms > 1:
		c.errf(kp, line, "wait has more than one of for, until and event: use one per wait step")
	}
	cp := *w
	if w.Until != "" {
		if _, _, ok := w.Clock(); !ok {
			c.errf(kp+".until", line, "until %q is not a time of day HH:MM such as \"10:00\"", w.Until)
		}
		if cp.Zone == "" {
			cp.Zone = ZoneCustomer
		}
	}
	if w.Zone != "" {
		switch {
		case w.Until == "":
			c.errf(kp+".zone", line, "zone applies only to a wait until a time of day")
		case !validZone(w.Zone):
			c.errf(kp+".zone", line, "zone %q is not customer, shop or an IANA zone name such as Europe/Berlin", w.Zone)
		}
	}
	var cond Expr
	if w.Event != "" {
		if !event.Known(event.Type(w.Event)) {
			c.errf(kp+".event", line, "wait event %q is not a canonical event type (docs/events.md lists them)", w.Event)
		}
		if w.Timeout <= 0 && w.TimeoutParam == "" {
			c.errf(kp, line, "a wait for an event needs a timeout (timeout: 7d), so a run cannot wait forever")
		}
		if w.If != "" {
			cond = c.expr(w.If, kp+".if", line, "wait condition", cel.BoolType)
		}
	} else {
		if w.If != "" {
			c.errf(kp+".if", line, "if applies only to a wait for an event")
		}
		if w.Timeout > 0 || w.TimeoutParam != "" {
			c.errf(kp+".timeout", line, "timeout applies only to a wait for an event")
		}
	}
	return &cp, cond
}

// WebhookURLOK reports whether s is an absolute http or https URL.
func WebhookURLOK(s string) bool {
	u, err := url.Parse(s)
	return s != "" && err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// Zones a wait until a time of day may name besides IANA zones.
const (
	ZoneCustomer = "customer"
	ZoneShop     = "shop"
)

func validZone(z string) bool {
	if z == ZoneCustomer || z == ZoneShop {
		return true
	}
	if z == "Local" || strings.HasPrefix(z, "/") || strings.Contains(z, "..") {
		return false
	}
	_, err := time.LoadLocation(z)
	return err == nil
}

// Channels a send may use.
const (
	ChannelEmail = "email"
	ChannelSMS   = "sms"
)

func (c *checker) send(s *Send, kp string, line int) {
	switch {
	case s.Template == "":
		c.errf(kp+".template", line, "send needs a template, such as template: abandoned-checkout-reminder")
	case !templatePattern.MatchString(s.Template) || strings.Contains(s.Template, ".."):
		c.errf(kp+".template", line, "template %q may hold only letters, digits, '-', '_' and '.'", s.Template)
	}
	switch s.Channel {
	case ChannelEmail, ChannelSMS:
	case "":
		c.errf(kp+".channel", line, "send needs a channel: email or sms")
	default:
		c.errf(kp+".channel", line, "channel %q is not email or sms", s.Channel)
	}
	switch s.Category {
	case CategoryMarketing, CategoryTransactional:
	case "":
		c.errf(kp+".category", line, "send needs a category: marketing or transactional")
	default:
		c.errf(kp+".category", line, "category %q is not marketing or transactional", s.Category)
	}
}

// branch emits OpBranch, the then-arm, OpJump, the else-arm.
func (c *checker) branch(b *Branch, path, kp string, ins Instruction) {
	ins.Op = OpBranch
	if b.If == "" {
		c.errf(kp+".if", ins.Line, "branch needs an if condition")
	} else {
		ins.Cond = c.expr(b.If, kp+".if", ins.Line, "branch condition", cel.BoolType)
	}
	if len(b.Then) == 0 && len(b.Else) == 0 {
		c.errf(kp, ins.Line, "branch has neither then nor else steps")
	}
	at := c.emit(ins)
	c.steps(b.Then, path+".then")
	jump := c.emit(Instruction{Op: OpJump, StepID: ins.StepID + ".then.end", Line: ins.Line})
	c.prog.Code[at].Target = len(c.prog.Code)
	c.steps(b.Else, path+".else")
	c.prog.Code[jump].Target = len(c.prog.Code)
}

// split emits OpSplit, then each path followed by OpJump.
func (c *checker) split(s *Split, path, kp string, ins Instruction) {
	ins.Op = OpSplit
	if len(s.Paths) == 0 {
		c.errf(kp+".paths", ins.Line, "split needs paths, each with a weight and steps")
	}
	names := map[string]bool{}
	for i, sp := range s.Paths {
		pp := fmt.Sprintf("%s.paths[%d]", path, i)
		if sp.Weight <= 0 {
			c.errf(pp+".weight", ins.Line, "split path weight must be a positive whole number, not %d", sp.Weight)
		}
		name := sp.Name
		if name == "" {
			name = pathName(i)
		}
		if names[name] {
			c.errf(pp+".name", ins.Line, "split path name %q is used twice", name)
		}
		names[name] = true
		ins.Weights = append(ins.Weights, sp.Weight)
		ins.Names = append(ins.Names, name)
	}
	at := c.emit(ins)
	var jumps []int
	for i, sp := range s.Paths {
		c.prog.Code[at].Targets = append(c.prog.Code[at].Targets, len(c.prog.Code))
		c.steps(sp.Steps, fmt.Sprintf("%s.paths[%d].steps", path, i))
		jumps = append(jumps, c.emit(Instruction{Op: OpJump, StepID: fmt.Sprintf("%s.paths[%d].end", ins.StepID, i), Line: ins.Line}))
	}
	for _, j := range jumps {
		c.prog.Code[j].Target = len(c.prog.Code)
	}
}

// pathName names an unnamed split path: a, b, c, ... then p27, p28, ...
func pathName(i int) string {
	if i < 26 {
		return "abcdefghijklmnopqrstuvwxyz"[i : i+1]
	}
	return "p" + strconv.Itoa(i+1)
}

func (c *checker) discount(d *Discount, kp string, line int) {
	if d.PercentParam != "" {
		c.param(d.PercentParam, kp+".percent", line, paramPercent)
	}
	if d.ExpiresInParam != "" {
		c.param(d.ExpiresInParam, kp+".expires_in", line, paramDuration)
	}
	if d.Prefix != "" && !prefixPattern.MatchString(d.Prefix) {
		c.errf(kp+".prefix", line, "discount prefix %q may hold only A-Z and 0-9, at most 12", d.Prefix)
	}
	kinds := 0
	for _, set := range []bool{d.Percent != 0 || d.PercentParam != "", d.Amount != "", d.FreeShipping} {
		if set {
			kinds++
		}
	}
	switch {
	case kinds == 0:
		c.errf(kp, line, "discount needs a percent (percent: 10), an amount (amount: \"5.00\") or free_shipping: true")
	case kinds > 1:
		c.errf(kp, line, "discount has more than one of percent, amount and free_shipping: choose one")
	case d.Percent < 0 || d.Percent > 100:
		c.errf(kp+".percent", line, "discount percent must be 1 to 100, not %d", d.Percent)
	case d.Amount != "" && (!amountPattern.MatchString(d.Amount) || strings.Trim(d.Amount, "0.") == ""):
		c.errf(kp+".amount", line, "discount amount %q is not a positive decimal such as \"5.00\"", d.Amount)
	}
}

func (c *checker) update(u *Update, kp string, line int) map[string]Expr {
	if len(u.Set) == 0 {
		c.errf(kp+".set", line, "update needs set: {property: expression}")
		return nil
	}
	out := map[string]Expr{}
	for _, name := range slices.Sorted(maps.Keys(u.Set)) {
		p := kp + ".set." + name
		if !propertyPattern.MatchString(name) {
			c.errf(p, line, "property name %q may hold only letters, digits and '_', not starting with a digit", name)
			continue
		}
		src := u.Set[name]
		if src == "" {
			c.errf(p, line, "property %s needs an expression (a string literal is quoted twice: '\"gold\"')", name)
			continue
		}
		if x := c.expr(src, p, line, "update expression for "+name, nil); x != nil {
			out[name] = x
		}
	}
	return out
}

func (c *checker) webhook(w *Webhook, kp string, line int) map[string]Expr {
	if w.URLParam != "" {
		// A parameter whose value is empty switches the step off.
		if v, ok := c.f.Params[w.URLParam]; !ok {
			c.errf(kp+".url", line, "$%s is not declared under params", w.URLParam)
		} else if s, isStr := v.(string); !isStr || (s != "" && !WebhookURLOK(s)) {
			c.errf("params."+w.URLParam, line, "params.%s must be an http or https url, or \"\" to switch the step off", w.URLParam)
		}
	} else if !WebhookURLOK(w.URL) {
		c.errf(kp+".url", line, "webhook needs an http or https url, such as url: https://hooks.zapier.com/hooks/catch/1/abc")
	}
	if len(w.Body) == 0 {
		return nil
	}
	out := map[string]Expr{}
	for _, name := range slices.Sorted(maps.Keys(w.Body)) {
		p := kp + ".body." + name
		if name == "" {
			c.errf(p, line, "webhook body has an empty field name")
			continue
		}
		src := w.Body[name]
		if src == "" {
			c.errf(p, line, "webhook body field %s needs an expression", name)
			continue
		}
		if x := c.expr(src, p, line, "webhook body expression for "+name, nil); x != nil {
			out[name] = x
		}
	}
	return out
}
