package template

import (
	"fmt"
	"slices"
	"strings"

	"github.com/boomerang-dev/boomerang/flows"
)

// Use is one send of a template by a flow.
type Use struct {
	// Flow and Step name the send, for messages.
	Flow, Step string
	// Template, Channel and Category are the send's fields.
	Template, Channel, Category string
}

// LibraryUses returns the sends of the built-in flows (flows/library).
func LibraryUses() ([]Use, error) {
	fs, err := flows.Library()
	if err != nil {
		return nil, fmt.Errorf("loading the flow library: %w", err)
	}
	var uses []Use
	for _, f := range fs {
		uses = appendSends(uses, f.ID, f.Steps)
	}
	return uses, nil
}

func appendSends(uses []Use, flow string, steps []flows.Step) []Use {
	for _, s := range steps {
		switch {
		case s.Send != nil:
			uses = append(uses, Use{
				Flow: flow, Step: s.Send.ID,
				Template: s.Send.Template, Channel: s.Send.Channel, Category: s.Send.Category,
			})
		case s.Branch != nil:
			uses = appendSends(uses, flow, s.Branch.Then)
			uses = appendSends(uses, flow, s.Branch.Else)
		case s.Split != nil:
			for _, p := range s.Split.Paths {
				uses = appendSends(uses, flow, p.Steps)
			}
		}
	}
	return uses
}

// Validate checks the built-in templates against the built-in flows; see
// [Library.Validate].
func Validate() []error {
	l, err := Default()
	if err != nil {
		return []error{err}
	}
	uses, err := LibraryUses()
	if err != nil {
		return []error{err}
	}
	return l.Validate(uses)
}

// Validate checks the library against the sends that use it: every used
// template exists with the send's channel; no template used as
// transactional is promotional (ErrPromotional); and every template renders
// with its Sample data in each category it is used with (marketing when no
// send uses it), without warnings, with the compliance footer in marketing
// email and the STOP wording in marketing SMS.
func (l *Library) Validate(uses []Use) []error {
	var errs []error
	categories := map[string][]string{}
	for _, u := range uses {
		where := fmt.Sprintf("flow %s, send %s", u.Flow, u.Step)
		e, ok := l.templates[u.Template]
		if !ok {
			errs = append(errs, fmt.Errorf("%s: template %q: %w", where, u.Template, ErrUnknownTemplate))
			continue
		}
		if e.channel != u.Channel {
			errs = append(errs, fmt.Errorf("%s: template %q is an %s template, the send's channel is %s", where, u.Template, e.channel, u.Channel))
		}
		if u.Category == CategoryTransactional && e.promotional {
			errs = append(errs, fmt.Errorf("%s: template %q: %w", where, u.Template, ErrPromotional))
			continue
		}
		if !slices.Contains(categories[u.Template], u.Category) {
			categories[u.Template] = append(categories[u.Template], u.Category)
		}
	}
	for _, name := range l.Names() {
		cats := categories[name]
		if len(cats) == 0 {
			cats = []string{CategoryMarketing}
		}
		for _, cat := range cats {
			errs = append(errs, l.check(name, cat)...)
		}
	}
	return errs
}

// check renders one template with its sample data and checks the result.
func (l *Library) check(name, category string) []error {
	d := Sample(name)
	m, err := l.Render(name, category, d)
	if err != nil {
		return []error{fmt.Errorf("rendering %s as %s with sample data: %w", name, category, err)}
	}
	var errs []error
	for _, w := range m.Warnings {
		errs = append(errs, fmt.Errorf("rendering %s as %s with sample data: %s", name, category, w))
	}
	if category != CategoryMarketing {
		return errs
	}
	switch m.Channel {
	case ChannelEmail:
		for _, want := range []string{d.UnsubscribeURL, oneLine(d.Shop.Address)} {
			if !strings.Contains(m.Text, want) || !strings.Contains(m.HTML, htmlEscaper.Replace(want)) {
				errs = append(errs, fmt.Errorf("%s: marketing email lacks %q in its footer: %w", name, want, ErrCompliance))
			}
		}
	case ChannelSMS:
		if !strings.Contains(m.Body, "STOP") {
			errs = append(errs, fmt.Errorf("%s: marketing SMS lacks STOP wording", name))
		}
	}
	return errs
}

// htmlEscaper escapes as html/template does for text and attributes.
var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;")
