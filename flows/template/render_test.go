package template_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/flows/template"
)

// categoryOf is the category the built-in flows send each template with.
func categoryOf(t *testing.T) map[string]string {
	t.Helper()
	uses, err := template.LibraryUses()
	require.NoError(t, err)
	out := map[string]string{}
	for _, u := range uses {
		out[u.Template] = u.Category
	}
	return out
}

// golden compares got with testdata/name, rewriting it when UPDATE_GOLDEN=1.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if os.Getenv("UPDATE_GOLDEN") == "1" {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o600))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run UPDATE_GOLDEN=1 go test ./flows/template to write it")
	require.Equal(t, string(want), got, "%s is out of date; review and run UPDATE_GOLDEN=1 go test ./flows/template", path)
}

func TestGoldenEveryTemplate(t *testing.T) {
	t.Parallel()
	cats := categoryOf(t)
	names := template.Names()
	require.NotEmpty(t, names)
	for name := range cats {
		require.Contains(t, names, name, "a library flow sends a template the library lacks")
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cat := cats[name]
			if cat == "" {
				cat = template.CategoryMarketing
			}
			m, err := template.Render(name, cat, template.Sample(name))
			require.NoError(t, err)
			require.Empty(t, m.Warnings)
			switch m.Channel {
			case template.ChannelEmail:
				require.NotEmpty(t, m.Subject)
				golden(t, name+".subject.txt", m.Subject+"\n")
				golden(t, name+".html", m.HTML)
				golden(t, name+".txt", m.Text)
			case template.ChannelSMS:
				golden(t, name+".sms.txt", m.Body+"\n")
			default:
				t.Fatalf("channel %q", m.Channel)
			}
		})
	}
}

func TestRenderEscapesHTML(t *testing.T) {
	t.Parallel()
	d := template.Sample("abandoned-checkout-reminder")
	items := d.Payload()["line_items"].([]any)
	items[0].(map[string]any)["title"] = `<script>alert("x")</script> Mug`
	items[1].(map[string]any)["url"] = `javascript:alert(1)`
	d.Customer.FirstName = `<b>Ann</b>`
	m, err := template.Render("abandoned-checkout-reminder", template.CategoryMarketing, d)
	require.NoError(t, err)
	require.NotContains(t, m.HTML, "<script>")
	require.Contains(t, m.HTML, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Mug")
	require.NotContains(t, m.HTML, "<b>Ann</b>")
	require.NotContains(t, m.HTML, "javascript:")
	// The text part is plain text: no escaping.
	require.Contains(t, m.Text, `<script>alert("x")</script> Mug`)
}

func TestRenderMarketingFooter(t *testing.T) {
	t.Parallel()
	d := template.Sample("welcome")
	m, err := template.Render("welcome", template.CategoryMarketing, d)
	require.NoError(t, err)
	for _, part := range []string{m.HTML, m.Text} {
		require.Contains(t, part, "12 Harbour Street, Portland, ME 04101")
		require.Contains(t, part, d.UnsubscribeURL)
		require.Contains(t, part, d.PreferencesURL)
	}

	d.UnsubscribeURL = ""
	_, err = template.Render("welcome", template.CategoryMarketing, d)
	require.ErrorIs(t, err, template.ErrCompliance)
	d = template.Sample("welcome")
	d.Shop.Address = " "
	_, err = template.Render("welcome", template.CategoryMarketing, d)
	require.ErrorIs(t, err, template.ErrCompliance)
}

func TestRenderTransactionalHasNoMarketingFooter(t *testing.T) {
	t.Parallel()
	d := template.Sample("order-confirmation")
	d.UnsubscribeURL = ""
	m, err := template.Render("order-confirmation", template.CategoryTransactional, d)
	require.NoError(t, err)
	require.NotContains(t, m.HTML, "Unsubscribe")
	require.NotContains(t, m.Text, "Unsubscribe")
	require.Contains(t, m.Text, "Total: $79.50")
	require.Contains(t, m.Text, "Mar 14, 2026")
}

func TestRenderRefusesPromotionalAsTransactional(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"abandoned-checkout-discount", "welcome-first-order"} {
		require.True(t, mustDefault(t).Promotional(name), name)
		_, err := template.Render(name, template.CategoryTransactional, template.Sample(name))
		require.ErrorIs(t, err, template.ErrPromotional, name)
	}
	require.False(t, mustDefault(t).Promotional("order-confirmation"))
	require.False(t, mustDefault(t).Promotional("shipping-confirmation"))
}

func TestRenderDiscountCode(t *testing.T) {
	t.Parallel()
	d := template.Sample("abandoned-checkout-discount")
	m, err := template.Render("abandoned-checkout-discount", template.CategoryMarketing, d)
	require.NoError(t, err)
	require.Contains(t, m.HTML, "COMEBACK-4XR9")
	require.Contains(t, m.Text, "Your code: COMEBACK-4XR9")

	d.DiscountCode = ""
	m, err = template.Render("abandoned-checkout-discount", template.CategoryMarketing, d)
	require.NoError(t, err)
	require.NotContains(t, m.Text, "Your code")
	require.Contains(t, m.Subject, "about to expire")
}

func TestRenderSMSAppendsStop(t *testing.T) {
	t.Parallel()
	d := template.Sample("abandoned-checkout-sms")
	m, err := template.Render("abandoned-checkout-sms", template.CategoryMarketing, d)
	require.NoError(t, err)
	require.Equal(t, template.ChannelSMS, m.Channel)
	require.True(t, strings.HasSuffix(m.Body, "\n"+template.StopText), m.Body)
	require.True(t, strings.HasPrefix(m.Body, "Driftwood Coffee: Hi Ann, your cart is saved."))
	require.Equal(t, template.EncodingGSM7, m.Encoding)
	require.Equal(t, 1, m.Segments)

	m, err = template.Render("abandoned-checkout-sms", template.CategoryTransactional, d)
	require.NoError(t, err)
	require.NotContains(t, m.Body, "STOP")

	// A non-GSM name switches to UCS-2: about 140 code units, 3 parts of 67.
	d.Customer.FirstName = "Zoë 🌸"
	m, err = template.Render("abandoned-checkout-sms", template.CategoryMarketing, d)
	require.NoError(t, err)
	require.Equal(t, template.EncodingUCS2, m.Encoding)
	require.Equal(t, 3, m.Segments)
	require.Empty(t, m.Warnings)
}

func TestRenderSMSWarnsPastThreeSegments(t *testing.T) {
	t.Parallel()
	d := template.Sample("abandoned-checkout-sms")
	d.Event["data"].(map[string]any)["recovery_url"] = "https://demo.example.com/r/" + strings.Repeat("a", 420)
	m, err := template.Render("abandoned-checkout-sms", template.CategoryMarketing, d)
	require.NoError(t, err)
	require.Equal(t, 4, m.Segments)
	require.Len(t, m.Warnings, 1)
	require.Contains(t, m.Warnings[0], "4 segments")
}

func TestRenderErrors(t *testing.T) {
	t.Parallel()
	_, err := template.Render("nope", template.CategoryMarketing, template.Sample("nope"))
	require.ErrorIs(t, err, template.ErrUnknownTemplate)
	_, err = template.Render("welcome", "promotional", template.Sample("welcome"))
	require.ErrorIs(t, err, template.ErrCategory)
	_, err = template.Render("welcome", template.CategoryMarketing, nil)
	require.Error(t, err)

	d := template.Sample("order-confirmation")
	d.Event["data"].(map[string]any)["total"] = "12,50"
	_, err = template.Render("order-confirmation", template.CategoryTransactional, d)
	require.ErrorIs(t, err, template.ErrMoney)
}

func TestMessageJSON(t *testing.T) {
	t.Parallel()
	m, err := template.Render("abandoned-checkout-sms", template.CategoryMarketing, template.Sample("abandoned-checkout-sms"))
	require.NoError(t, err)
	b, err := json.Marshal(m)
	require.NoError(t, err)
	require.JSONEq(t, `{"channel":"sms","body":`+mustJSON(t, m.Body)+`,"encoding":"GSM-7","segments":1}`, string(b))
}

func TestSampleIsFresh(t *testing.T) {
	t.Parallel()
	a := template.Sample("welcome")
	a.Shop.Name = "changed"
	a.Event["type"] = "changed"
	b := template.Sample("welcome")
	require.Equal(t, "Driftwood Coffee", b.Shop.Name)
	require.Equal(t, "customer.created", b.Event["type"])
}

func mustDefault(t *testing.T) *template.Library {
	t.Helper()
	l, err := template.Default()
	require.NoError(t, err)
	return l
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}
