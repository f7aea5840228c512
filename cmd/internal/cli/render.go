package cli

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/boomerang-dev/boomerang/flows/template"
)

// Output formats of `boomerang render`.
const (
	formatHTML = "html"
	formatText = "text"
	formatSMS  = "sms"
	formatJSON = "json"
)

// newRender is `boomerang render TEMPLATE`: a built-in template rendered
// with its sample data.
func newRender(stdio IO) *cobra.Command {
	var category, format string
	cmd := &cobra.Command{
		Use:   "render TEMPLATE [--category marketing|transactional] [--format html|text|sms|json]",
		Short: "Print a built-in message template rendered with sample data",
		Long: `render prints a built-in template rendered with realistic sample data (a shop, a
customer and the event its flow starts on), for previews.

--format is text (the default for email: subject, then the plain-text part), html, sms (the
default for SMS templates) or json (the whole message: subject, HTML, text, or body,
encoding, segments, warnings). --category defaults to the category the built-in flows
send the template with, else marketing: marketing email carries the unsubscribe footer,
marketing SMS the STOP wording, and a promotional template cannot be transactional.
Warnings, and an SMS's encoding and segment count, go to standard error.

Templates: ` + strings.Join(template.Names(), ", "),
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			name := args[0]
			lib, err := template.Default()
			if err != nil {
				return err
			}
			channel, ok := lib.Channel(name)
			if !ok {
				return &exitError{2, fmt.Errorf("no template %q; the templates are %s", name, strings.Join(lib.Names(), ", "))}
			}
			if category == "" {
				category = defaultCategory(name)
			}
			if format == "" {
				format = formatText
				if channel == template.ChannelSMS {
					format = formatSMS
				}
			}
			if err := checkFormat(channel, format); err != nil {
				return &exitError{2, err}
			}
			m, err := lib.Render(name, category, template.Sample(name))
			if err != nil {
				return &exitError{1, err}
			}
			for _, w := range m.Warnings {
				fmt.Fprintln(stdio.Stderr, "warning:", w)
			}
			return printMessage(stdio, m, format)
		},
	}
	cmd.Flags().StringVar(&category, "category", "", "marketing or transactional (default: as the built-in flows send it, else marketing)")
	cmd.Flags().StringVar(&format, "format", "", "html, text, sms or json (default: text for email, sms for SMS)")
	return cmd
}

// defaultCategory is the category the built-in flows send name with, else
// marketing.
func defaultCategory(name string) string {
	uses, err := template.LibraryUses()
	if err == nil {
		for _, u := range uses {
			if u.Template == name {
				return u.Category
			}
		}
	}
	return template.CategoryMarketing
}

func checkFormat(channel, format string) error {
	switch format {
	case formatJSON:
		return nil
	case formatHTML, formatText:
		if channel == template.ChannelEmail {
			return nil
		}
	case formatSMS:
		if channel == template.ChannelSMS {
			return nil
		}
	default:
		return fmt.Errorf("--format must be html, text, sms or json, not %q", format)
	}
	return fmt.Errorf("--format %s does not apply to an %s template", format, channel)
}

func printMessage(stdio IO, m *template.Message, format string) error {
	var err error
	switch format {
	case formatJSON:
		enc := json.NewEncoder(stdio.Stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(m)
	case formatHTML:
		_, err = fmt.Fprint(stdio.Stdout, m.HTML)
	case formatText:
		_, err = fmt.Fprintf(stdio.Stdout, "Subject: %s\n\n%s", m.Subject, m.Text)
	default:
		if _, err = fmt.Fprintln(stdio.Stdout, m.Body); err == nil {
			_, err = fmt.Fprintf(stdio.Stderr, "%s, %d segment%s\n", m.Encoding, m.Segments, plural(m.Segments, "", "s"))
		}
	}
	if err != nil {
		return fmt.Errorf("writing the message: %w", err)
	}
	return nil
}
