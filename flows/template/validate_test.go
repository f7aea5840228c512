package template_test

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/flows/template"
)

func TestValidateLibrary(t *testing.T) {
	t.Parallel()
	require.Empty(t, template.Validate())
}

// sendAs is the channel and category each library template is made for:
// every built-in flow send must use a template listed here, that way.
var sendAs = map[string]string{
	"abandoned-checkout-reminder": "email/marketing",
	"abandoned-checkout-benefits": "email/marketing",
	"abandoned-checkout-sms":      "sms/marketing",
	"abandoned-checkout-discount": "email/marketing",
	"order-confirmation":          "email/transactional",
	"shipping-confirmation":       "email/transactional",
	"delivery-confirmation":       "email/transactional",
	"welcome":                     "email/marketing",
	"welcome-brand-story":         "email/marketing",
	"welcome-first-order":         "email/marketing",
	"welcome-second-order":        "email/marketing",
	"welcome-buyer":               "email/marketing",
	"welcome-repeat":              "email/marketing",
	"abandoned-cart-reminder":     "email/marketing",
	"abandoned-cart-final":        "email/marketing",
	"abandoned-cart-sms":          "sms/marketing",
	"smart-abandonment-why":       "email/marketing",
	"smart-abandonment-price":     "email/marketing",
	"smart-abandonment-shipping":  "email/marketing",
	"smart-abandonment-later":     "email/marketing",
	"smart-abandonment-help":      "email/marketing",
	"browse-abandonment":          "email/marketing",
	"post-purchase-tips":          "email/marketing",
	"post-purchase-review":        "email/marketing",
	"post-purchase-loyalty":       "email/marketing",
	"satisfaction-survey":         "email/marketing",
	"satisfaction-referral":       "email/marketing",
	"satisfaction-apology":        "email/transactional",
	"win-back":                    "email/marketing",
	"win-back-last-chance":        "email/marketing",
	"win-back-sms":                "sms/marketing",
	"birthday":                    "email/marketing",
	"anniversary":                 "email/marketing",
	"holiday":                     "email/marketing",
	"cross-sell":                  "email/marketing",
	"buy-x-get-y":                 "email/marketing",
	"profile-survey":              "email/marketing",
}

func TestLibraryUsesCoverEveryFlowSend(t *testing.T) {
	t.Parallel()
	uses, err := template.LibraryUses()
	require.NoError(t, err)
	got := map[string]string{}
	for _, u := range uses {
		got[u.Template] = u.Channel + "/" + u.Category
		want, ok := sendAs[u.Template]
		require.True(t, ok, "flow %s, send %s: template %q is not in sendAs", u.Flow, u.Step, u.Template)
		require.Equal(t, want, got[u.Template], "flow %s, send %s", u.Flow, u.Step)
	}
	// The first four built-in flows send all of theirs.
	for _, name := range []string{
		"abandoned-checkout-reminder", "abandoned-checkout-benefits", "abandoned-checkout-sms",
		"abandoned-checkout-discount", "order-confirmation", "shipping-confirmation", "welcome",
		"welcome-brand-story", "welcome-first-order",
	} {
		require.Contains(t, got, name)
	}
}

func TestEveryTemplateHasItsChannel(t *testing.T) {
	t.Parallel()
	l := mustDefault(t)
	require.Len(t, l.Names(), len(sendAs), "a template is missing from sendAs, or sendAs names one the library lacks")
	for name, want := range sendAs {
		ch, ok := l.Channel(name)
		require.True(t, ok, name)
		require.Equal(t, strings.Split(want, "/")[0], ch, name)
		// A transactional template carries no promotion.
		if strings.HasSuffix(want, "/transactional") {
			require.False(t, l.Promotional(name), name)
		}
	}
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
		"promo block":     `{{define "content"}}<p>Thanks.</p>{{if promo}}<p>20% off your next order!</p>{{end}}{{end}}`,
		"discount field":  `{{define "content"}}<p>Thanks. Next time use {{.DiscountCode}}</p>{{end}}`,
		"discount struct": `{{define "content"}}{{with .Discount}}<p>Next time use {{.Code}}</p>{{end}}{{end}}`,
		"discount chain":  `{{define "content"}}<p>{{.Discount.Offer .Currency}}</p>{{end}}`,
		"partial":         `{{define "content"}}<p>Thanks.</p>{{template "discount" .}}{{end}}`,
		"nested partial":  `{{define "content"}}{{template "upsell" .}}{{end}}{{define "upsell"}}{{with .Shop}}{{if promo}}Sale{{end}}{{end}}{{end}}`,
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
