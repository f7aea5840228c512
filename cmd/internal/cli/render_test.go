package cli_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/flows/template"
)

func TestRenderPrintsEveryTemplate(t *testing.T) {
	t.Parallel()
	for _, name := range template.Names() {
		code, out, errOut := run(t, []string{"render", name}, "", nil)
		require.Equal(t, 0, code, "%s: %s", name, errOut)
		require.NotEmpty(t, out, name)
	}
}

func TestRenderEmailText(t *testing.T) {
	t.Parallel()
	code, out, errOut := run(t, []string{"render", "abandoned-checkout-reminder"}, "", nil)
	require.Equal(t, 0, code, errOut)
	require.True(t, strings.HasPrefix(out, "Subject: You left something in your cart at Driftwood Coffee\n\nHi Ann,\n"), out)
	require.Contains(t, out, "Unsubscribe: https://demo.example.com/boomerang/u/tok_sample")
}

func TestRenderEmailHTML(t *testing.T) {
	t.Parallel()
	code, out, errOut := run(t, []string{"render", "order-confirmation", "--format", "html"}, "", nil)
	require.Equal(t, 0, code, errOut)
	require.True(t, strings.HasPrefix(out, "<!DOCTYPE html>"), out)
	require.Contains(t, out, "$79.50")
	require.NotContains(t, out, "Unsubscribe", "order-confirmation is transactional by default")
}

func TestRenderSMS(t *testing.T) {
	t.Parallel()
	code, out, errOut := run(t, []string{"render", "abandoned-checkout-sms"}, "", nil)
	require.Equal(t, 0, code, errOut)
	require.Equal(t, "Driftwood Coffee: Hi Ann, your cart is saved. Finish your order: https://demo.example.com/checkouts/ck-1/recover?key=k1\nReply STOP to opt out.\n", out)
	require.Equal(t, "GSM-7, 1 segment\n", errOut)

	code, out, errOut = run(t, []string{"render", "abandoned-checkout-sms", "--category", "transactional"}, "", nil)
	require.Equal(t, 0, code, errOut)
	require.NotContains(t, out, "STOP")
}

func TestRenderJSON(t *testing.T) {
	t.Parallel()
	code, out, errOut := run(t, []string{"render", "welcome", "--format", "json", "--category", "marketing"}, "", nil)
	require.Equal(t, 0, code, errOut)
	var m template.Message
	require.NoError(t, json.Unmarshal([]byte(out), &m))
	require.Equal(t, "email", m.Channel)
	require.Equal(t, "Welcome to Driftwood Coffee", m.Subject)
	require.Contains(t, m.HTML, "<!DOCTYPE html>")
	require.Contains(t, m.Text, "Unsubscribe:")
}

func TestRenderMistakes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"render", "nope"}, 2, `no template "nope"`},
		{[]string{"render", "order-confirmation", "--format", "sms"}, 2, "does not apply to an email template"},
		{[]string{"render", "abandoned-checkout-sms", "--format", "html"}, 2, "does not apply to an sms template"},
		{[]string{"render", "welcome", "--format", "pdf"}, 2, "--format must be"},
		{[]string{"render", "welcome", "--category", "promo"}, 1, "category must be marketing or transactional"},
		{[]string{"render", "abandoned-checkout-discount", "--category", "transactional"}, 1, "promotional content"},
		{[]string{"render"}, 1, "accepts 1 arg"},
	} {
		code, _, errOut := run(t, tc.args, "", nil)
		require.Equal(t, tc.code, code, "%v: %s", tc.args, errOut)
		require.Contains(t, errOut, tc.msg, tc.args)
	}
}
