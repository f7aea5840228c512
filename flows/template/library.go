package template

import (
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"sync"
	texttemplate "text/template"
)

// builtin holds the library templates (docs: doc.go).
//
//go:embed library/*.tmpl
var builtin embed.FS

// File name suffixes in a template directory.
const (
	suffixEmail       = ".email.tmpl"
	suffixSMS         = ".sms.tmpl"
	suffixHTMLPartial = ".html.tmpl"
	suffixTextPartial = ".text.tmpl"
	partialPrefix     = "_"
)

// Template names an email file must define.
const (
	defSubject = "subject"
	defContent = "content"
	defBody    = "body"
	// the layouts' entry points
	defHTML = "html"
	defText = "text"
	defSMS  = "sms"
)

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// BuiltinFS returns the library's template files (flows/template/library),
// for [Load] to layer other directories over.
func BuiltinFS() fs.FS {
	sub, err := fs.Sub(builtin, "library")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory
	}
	return sub
}

// Library is a set of parsed templates. It is safe for concurrent use.
type Library struct {
	templates map[string]*entry
}

// entry is one parsed template.
type entry struct {
	name    string
	channel string
	// html executes "html" (email only); text executes "subject" and
	// "text" for email, "sms" for SMS.
	html        *htmltemplate.Template
	text        *texttemplate.Template
	promotional bool
}

// Load parses the *.tmpl files at the root of each file system; a file in a
// later one replaces the same-named file of an earlier one, so
// Load(BuiltinFS(), os.DirFS(dir)) overrides or adds templates. Every parse
// error is returned, joined.
func Load(fsyss ...fs.FS) (*Library, error) {
	files := map[string]string{}
	for _, fsys := range fsyss {
		names, err := fs.Glob(fsys, "*.tmpl")
		if err != nil {
			return nil, fmt.Errorf("listing templates: %w", err)
		}
		for _, n := range names {
			b, err := fs.ReadFile(fsys, n)
			if err != nil {
				return nil, fmt.Errorf("reading template %s: %w", n, err)
			}
			files[n] = string(b)
		}
	}
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range files {
			if !yield(n) {
				return
			}
		}
	})

	var errs []error
	htmlBase := htmltemplate.New("").Funcs(funcs())
	textBase := texttemplate.New("").Funcs(funcs())
	for _, n := range names {
		if !strings.HasPrefix(n, partialPrefix) {
			continue
		}
		var err error
		switch {
		case strings.HasSuffix(n, suffixHTMLPartial):
			_, err = htmlBase.New(n).Parse(files[n])
		case strings.HasSuffix(n, suffixTextPartial):
			_, err = textBase.New(n).Parse(files[n])
		default:
			err = errors.New("a partial's name ends in .html.tmpl or .text.tmpl")
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("template %s: %w", n, err))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	l := &Library{templates: map[string]*entry{}}
	for _, n := range names {
		if strings.HasPrefix(n, partialPrefix) {
			continue
		}
		e, err := parseEntry(n, files[n], htmlBase, textBase)
		if err != nil {
			errs = append(errs, fmt.Errorf("template %s: %w", n, err))
			continue
		}
		if prev, dup := l.templates[e.name]; dup {
			errs = append(errs, fmt.Errorf("template %s: %q is both an %s and an %s template", n, e.name, prev.channel, e.channel))
			continue
		}
		l.templates[e.name] = e
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return l, nil
}

// parseEntry parses one template file into clones of the layouts.
func parseEntry(file, src string, htmlBase *htmltemplate.Template, textBase *texttemplate.Template) (*entry, error) {
	e := &entry{}
	switch {
	case strings.HasSuffix(file, suffixEmail):
		e.name, e.channel = strings.TrimSuffix(file, suffixEmail), ChannelEmail
	case strings.HasSuffix(file, suffixSMS):
		e.name, e.channel = strings.TrimSuffix(file, suffixSMS), ChannelSMS
	default:
		return nil, errors.New("a template's name ends in .email.tmpl or .sms.tmpl")
	}
	if !nameRE.MatchString(e.name) {
		return nil, fmt.Errorf("name %q: use letters, digits, '-', '_' and '.'", e.name)
	}
	text, err := textBase.Clone()
	if err != nil {
		return nil, fmt.Errorf("cloning the text layout: %w", err)
	}
	if e.channel == ChannelSMS {
		if e.text, err = text.New(defSMS).Parse(src); err != nil {
			return nil, err
		}
		e.promotional = promotional(textTrees(e.text), defSMS)
		return e, nil
	}
	if e.text, err = text.New(file).Parse(src); err != nil {
		return nil, err
	}
	html, err := htmlBase.Clone()
	if err != nil {
		return nil, fmt.Errorf("cloning the HTML layout: %w", err)
	}
	if e.html, err = html.New(file).Parse(src); err != nil {
		return nil, err
	}
	for _, def := range []string{defSubject, defContent, defBody} {
		if e.text.Lookup(def) == nil {
			return nil, fmt.Errorf("an email template defines %q (subject, content and body)", def)
		}
	}
	for _, def := range []string{defHTML, defText} {
		if e.text.Lookup(def) == nil && e.html.Lookup(def) == nil {
			return nil, fmt.Errorf("the layout lacks %q", def)
		}
	}
	e.promotional = promotional(htmlTrees(e.html), defHTML) ||
		promotional(textTrees(e.text), defSubject, defText)
	return e, nil
}

// Names returns the templates' names, sorted.
func (l *Library) Names() []string {
	out := make([]string, 0, len(l.templates))
	for n := range l.templates {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// Channel returns the channel of the named template (email or sms).
func (l *Library) Channel(name string) (string, bool) {
	e, ok := l.templates[name]
	if !ok {
		return "", false
	}
	return e.channel, true
}

// Promotional reports whether the named template carries promotional
// content (doc.go gives the rule).
func (l *Library) Promotional(name string) bool {
	e, ok := l.templates[name]
	return ok && e.promotional
}

// defaultLibrary is the built-in library, parsed once.
var defaultLibrary = sync.OnceValues(func() (*Library, error) {
	return Load(BuiltinFS())
})

// Default returns the built-in library.
func Default() (*Library, error) {
	l, err := defaultLibrary()
	if err != nil {
		return nil, fmt.Errorf("built-in templates: %w", err)
	}
	return l, nil
}

// Names returns the built-in templates' names, sorted.
func Names() []string {
	l, err := Default()
	if err != nil {
		return nil
	}
	return l.Names()
}

// Render renders a built-in template; see [Library.Render].
func Render(name, category string, d *Data) (*Message, error) {
	l, err := Default()
	if err != nil {
		return nil, err
	}
	return l.Render(name, category, d)
}
