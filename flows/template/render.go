package template

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// noValue is what text/template prints for a map key the data lacks.
const noValue = "<no value>"

var (
	blankLines = regexp.MustCompile(`\n{3,}`)
	spaces     = regexp.MustCompile(`\s+`)
)

// Render renders the named template for a send of category (marketing or
// transactional) with d.
//
// Email gets Subject (one line), HTML and Text; SMS gets Body, Encoding and
// Segments. A marketing email carries the footer with the shop's postal
// address and the unsubscribe link, and without them Render fails with
// ErrCompliance; a marketing SMS gets StopText appended when it lacks
// "STOP". A promotional template rendered as transactional fails with
// ErrPromotional.
func (l *Library) Render(name, category string, d *Data) (*Message, error) {
	e, ok := l.templates[name]
	if !ok {
		return nil, fmt.Errorf("template %q: %w", name, ErrUnknownTemplate)
	}
	if category != CategoryMarketing && category != CategoryTransactional {
		return nil, fmt.Errorf("template %q: %q: %w", name, category, ErrCategory)
	}
	if category == CategoryTransactional && e.promotional {
		return nil, fmt.Errorf("template %q: %w", name, ErrPromotional)
	}
	if d == nil {
		return nil, fmt.Errorf("template %q: no data", name)
	}
	v := &view{Data: d, Category: category}
	if e.channel == ChannelSMS {
		return e.renderSMS(v)
	}
	return e.renderEmail(v)
}

func (e *entry) renderSMS(v *view) (*Message, error) {
	var b strings.Builder
	if err := e.text.ExecuteTemplate(&b, defSMS, v); err != nil {
		return nil, fmt.Errorf("template %q: %w", e.name, err)
	}
	body := strings.TrimSpace(blankLines.ReplaceAllString(b.String(), "\n\n"))
	if v.Marketing() {
		body = withStop(body)
	}
	m := &Message{Channel: ChannelSMS, Body: body}
	m.Encoding, m.Segments = Segments(body)
	if m.Segments > maxSegWarn {
		m.Warnings = append(m.Warnings, fmt.Sprintf("the SMS is %d segments (%s); keep it to %d", m.Segments, m.Encoding, maxSegWarn))
	}
	if n := len([]rune(body)); n > maxSMSChars {
		m.Warnings = append(m.Warnings, fmt.Sprintf("the SMS is %d characters; Twilio accepts at most %d", n, maxSMSChars))
	}
	m.Warnings = append(m.Warnings, missing("body", body)...)
	return m, nil
}

func (e *entry) renderEmail(v *view) (*Message, error) {
	if v.Marketing() {
		var lacks []string
		if strings.TrimSpace(v.UnsubscribeURL) == "" {
			lacks = append(lacks, "an unsubscribe URL")
		}
		if strings.TrimSpace(v.Shop.Address) == "" {
			lacks = append(lacks, "the shop's postal address")
		}
		if len(lacks) > 0 {
			return nil, fmt.Errorf("template %q: no %s: %w", e.name, strings.Join(lacks, " and no "), ErrCompliance)
		}
	}
	var subject, html, text strings.Builder
	err := errors.Join(
		e.text.ExecuteTemplate(&subject, defSubject, v),
		e.html.ExecuteTemplate(&html, defHTML, v),
		e.text.ExecuteTemplate(&text, defText, v),
	)
	if err != nil {
		return nil, fmt.Errorf("template %q: %w", e.name, err)
	}
	m := &Message{
		Channel: ChannelEmail,
		Subject: strings.TrimSpace(spaces.ReplaceAllString(subject.String(), " ")),
		HTML:    tidyHTML(html.String()),
		Text:    tidyText(text.String()),
	}
	if m.Subject == "" {
		return nil, fmt.Errorf("template %q: the subject is empty", e.name)
	}
	m.Warnings = append(m.Warnings, missing("subject", m.Subject)...)
	m.Warnings = append(m.Warnings, missing("text", m.Text)...)
	return m, nil
}

// missing warns when a part shows text/template's mark for absent data.
func missing(part, s string) []string {
	if strings.Contains(s, noValue) {
		return []string{fmt.Sprintf("the %s shows %q: the data lacks a field the template reads", part, noValue)}
	}
	return nil
}

// tidyText trims trailing space from every line and keeps at most one blank
// line in a row.
func tidyText(s string) string {
	lines := strings.Split(s, "\n")
	for i, ln := range lines {
		lines[i] = strings.TrimRight(ln, " \t\r")
	}
	return strings.TrimSpace(blankLines.ReplaceAllString(strings.Join(lines, "\n"), "\n\n")) + "\n"
}

// tidyHTML drops blank lines and trailing space that template actions leave.
func tidyHTML(s string) string {
	lines := strings.Split(s, "\n")
	out := lines[:0]
	for _, ln := range lines {
		ln = strings.TrimRight(ln, " \t\r")
		if strings.TrimSpace(ln) != "" {
			out = append(out, ln)
		}
	}
	return strings.Join(out, "\n") + "\n"
}
