package template_test

import (
	"io/fs"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/flows/template"
)

func TestValidateLibrary(t *testing.T) {
	t.Parallel()
	require.Empty(t, template.Validate())
}

func TestLibraryUsesCoverEveryFlowSend(t *testing.T) {
	t.Parallel()
	uses, err := template.LibraryUses()
	require.NoError(t, err)
	got := map[string]string{}
	for _, u := range uses {
		got[u.Template] = u.Channel + "/" + u.Category
	}
	require.Equal(t, map[string]string{
		"abandoned-checkout-reminder": "email/marketing",
		"abandoned-checkout-benefits": "email/marketing",
		"abandoned-checkout-sms":      "sms/marketing",
		"abandoned-checkout-discount": "email/marketing",
		"order-confirmation":          "email/transactional",
		"shipping-confirmation":       "email/transactional",
		"welcome":                     "email/marketing",
		"welcome-brand-story":         "email/marketing",
		"welcome-first-order":         "email/marketing",
	}, got)
}

// overlay returns the built-in files plus extra ones.
func overlay(t *testing.T, extra map[string]string) fs.FS {
	t.Helper()
	m := fstest.MapFS{}
	for name, src := range extra {
		m[name] = &fstest.MapFile{Data: []byte(src)}
	}
	return m
}

const transactionalBody = `{{define "subject"}}Order {{.Payload.name}}{{end}}
{{define "body"}}Thanks.{{end}}
`

func TestValidateCatchesPromotionalTransactional(t *testing.T) {
	t.Parallel()
	for name, content := range map[string]string{
		"promo block":    `{{define "content"}}<p>Thanks.</p>{{if promo}}<p>20% off your next order!</p>{{end}}{{end}}`,
		"discount field": `{{define "content"}}<p>Thanks. Next time use {{.DiscountCode}}</p>{{end}}`,
		"partial":        `{{define "content"}}<p>Thanks.</p>{{template "discount" .}}{{end}}`,
		"nested partial": `{{define "content"}}{{template "upsell" .}}{{end}}{{define "upsell"}}{{with .Shop}}{{if promo}}Sale{{end}}{{end}}{{end}}`,
	} {
		l, err := template.Load(template.BuiltinFS(), overlay(t, map[string]string{
			"order-confirmation.email.tmpl": transactionalBody + content,
		}))
		require.NoError(t, err, name)
		require.True(t, l.Promotional("order-confirmation"), name)
		uses := []template.Use{{Flow: "order-confirmation", Step: "confirmation", Template: "order-confirmation", Channel: "email", Category: "transactional"}}
		errs := l.Validate(uses)
		require.Len(t, errs, 1, name)
		require.ErrorIs(t, errs[0], template.ErrPromotional, name)
	}

	// The same template used as marketing is fine.
	l, err := template.Load(template.BuiltinFS(), overlay(t, map[string]string{
		"order-confirmation.email.tmpl": transactionalBody + `{{define "content"}}{{if promo}}Sale{{end}}{{end}}`,
	}))
	require.NoError(t, err)
	require.Empty(t, l.Validate([]template.Use{{Template: "order-confirmation", Channel: "email", Category: "marketing"}}))
}

func TestValidateReportsMistakes(t *testing.T) {
	t.Parallel()
	l, err := template.Load(template.BuiltinFS(), overlay(t, map[string]string{
		"note.email.tmpl": `{{define "subject"}}Hi{{end}}{{define "content"}}{{.Payload.missing}}{{end}}{{define "body"}}{{.Payload.missing}}{{end}}`,
	}))
	require.NoError(t, err)
	errs := l.Validate([]template.Use{
		{Flow: "f", Step: "a", Template: "absent", Channel: "email", Category: "marketing"},
		{Flow: "f", Step: "b", Template: "welcome", Channel: "sms", Category: "marketing"},
	})
	require.Len(t, errs, 3)
	require.ErrorIs(t, errs[0], template.ErrUnknownTemplate)
	require.ErrorContains(t, errs[1], "is an email template, the send's channel is sms")
	require.ErrorContains(t, errs[2], "<no value>")
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	for name, files := range map[string]map[string]string{
		"parse error":     {"x.email.tmpl": `{{define "subject"}}{{.Shop.Name{{end}}`},
		"missing content": {"x.email.tmpl": `{{define "subject"}}x{{end}}{{define "body"}}x{{end}}`},
		"bad suffix":      {"x.push.tmpl": `hi`},
		"bad partial":     {"_x.tmpl": `hi`},
		"two channels": {
			"x.sms.tmpl":   `hi`,
			"x.email.tmpl": `{{define "subject"}}x{{end}}{{define "content"}}x{{end}}{{define "body"}}x{{end}}`,
		},
	} {
		_, err := template.Load(template.BuiltinFS(), overlay(t, files))
		require.Error(t, err, name)
	}
}
