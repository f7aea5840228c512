package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const goodFlow = `id: win-back
name: Win-back
version: 2
trigger: {event: prediction.updated}
steps:
  - send: {channel: email, template: win-back, category: marketing}
`

func writeFlows(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600))
	}
	return dir
}

func TestFlowsValidateOK(t *testing.T) {
	t.Parallel()
	dir := writeFlows(t, map[string]string{"win-back.yaml": goodFlow, "readme.txt": "ignored"})
	code, out, errOut := run(t, []string{"flows", "validate", dir}, "", nil)
	require.Equal(t, 0, code, errOut)
	require.Equal(t, "1 flows OK\n", out)

	code, out, errOut = run(t, []string{"flows", "validate", filepath.Join(dir, "win-back.yaml")}, "", nil)
	require.Equal(t, 0, code, errOut)
	require.Equal(t, "1 flows OK\n", out)

	code, out, _ = run(t, []string{"flows", "validate", t.TempDir()}, "", nil)
	require.Equal(t, 0, code)
	require.Equal(t, "0 flows OK\n", out)
}

func TestFlowsValidateMistakes(t *testing.T) {
	t.Parallel()
	dir := writeFlows(t, map[string]string{
		"a.yaml": goodFlow,
		"b.yaml": strings.Replace(goodFlow, "category: marketing", "category: promo", 1),
		"c.yml":  "id: c\nname: C\nversion: 1\ntrigger: {event: order.created}\nsteps:\n  - wait: 1x\n",
		"d.yaml": goodFlow,
	})
	code, out, errOut := run(t, []string{"flows", "validate", dir}, "", nil)
	require.Equal(t, 1, code)
	require.Equal(t, strings.Join([]string{
		filepath.Join(dir, "b.yaml") + `:6: category "promo" is not marketing or transactional`,
		filepath.Join(dir, "c.yml") + `:6: wait: duration "1x": unknown unit "x" (use ms, s, m, h, d or w)`,
		filepath.Join(dir, "d.yaml") + `:1: flow id "win-back" is already used by ` + filepath.Join(dir, "a.yaml"),
	}, "\n")+"\n", out)
	require.Equal(t, "boomerang: 3 mistakes in "+dir+"\n", errOut)
}

func TestFlowsValidateUsage(t *testing.T) {
	t.Parallel()
	code, _, errOut := run(t, []string{"flows", "validate"}, "", nil)
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "accepts 1 arg")

	missing := filepath.Join(t.TempDir(), "missing")
	code, out, _ := run(t, []string{"flows", "validate", missing}, "", nil)
	require.Equal(t, 1, code)
	require.Contains(t, out, missing+": cannot read the flows directory")
}

func TestFlowsList(t *testing.T) {
	t.Parallel()
	code, out, errOut := run(t, []string{"flows", "list"}, "", nil)
	require.Equal(t, 0, code, errOut)
	builtin := "abandoned-cart\t1\tcart.abandoned,cart.updated\tbuiltin\n" +
		"abandoned-checkout\t2\tcheckout.updated\tbuiltin\n" +
		"birthday\t1\tdate.reached\tbuiltin\n" +
		"browse-abandonment\t1\tproduct.viewed\tbuiltin\n" +
		"buy-x-get-y\t1\torder.placed\tbuiltin\n" +
		"cross-sell\t3\tshipment.updated,order.fulfilled\tbuiltin\n" +
		"delivery-confirmation\t1\tshipment.updated\tbuiltin\n" +
		"holiday\t1\tdate.reached\tbuiltin\n" +
		"order-confirmation\t1\torder.placed\tbuiltin\n" +
		"post-purchase\t2\tshipment.updated,order.fulfilled\tbuiltin\n" +
		"profile-survey\t1\torder.placed\tbuiltin\n" +
		"satisfaction-survey\t2\tshipment.updated,order.fulfilled\tbuiltin\n" +
		"shipping-confirmation\t1\tshipment.updated\tbuiltin\n" +
		"smart-abandonment\t1\tcheckout.updated\tbuiltin\n" +
		"welcome-series\t3\tcustomer.created,consent.updated\tbuiltin\n" +
		"win-back\t1\torder.placed\tbuiltin\n" +
		"win-back-churn-risk\t2\tprediction.updated\tbuiltin\n"
	require.Equal(t, builtin, out)

	replacement := strings.NewReplacer("id: win-back", "id: order-confirmation", "version: 2", "version: 7").Replace(goodFlow)
	dir := writeFlows(t, map[string]string{"win-back.yaml": goodFlow, "order.yaml": replacement})
	want := strings.NewReplacer(
		"order-confirmation\t1\torder.placed\tbuiltin\n",
		"order-confirmation\t7\tprediction.updated\t"+filepath.Join(dir, "order.yaml")+"\n",
		"win-back\t1\torder.placed\tbuiltin\n",
		"win-back\t2\tprediction.updated\t"+filepath.Join(dir, "win-back.yaml")+"\n",
	).Replace(builtin)

	code, out, errOut = run(t, []string{"flows", "list"}, "", map[string]string{"BOOMERANG_FLOWS": dir})
	require.Equal(t, 0, code, errOut)
	require.Equal(t, want, out, "from $BOOMERANG_FLOWS")

	code, out, errOut = run(t, []string{"flows", "list", "--flows", dir}, "", map[string]string{"BOOMERANG_FLOWS": t.TempDir()})
	require.Equal(t, 0, code, errOut)
	require.Equal(t, want, out, "--flows wins over the variable")
}

func TestFlowsListMistakes(t *testing.T) {
	t.Parallel()
	dir := writeFlows(t, map[string]string{"bad.yaml": "id: bad\nname: Bad\n"})
	code, out, errOut := run(t, []string{"flows", "list", "--flows", dir}, "", nil)
	require.Equal(t, 1, code)
	require.Len(t, strings.Split(strings.TrimSpace(out), "\n"), len(flowsLibrary(t)), "the library is still listed")
	require.Equal(t, filepath.Join(dir, "bad.yaml")+":1: missing version: start at version: 1 and raise it when the flow changes\n"+
		filepath.Join(dir, "bad.yaml")+":1: missing trigger: a flow starts on an event, as in trigger: {event: checkout.updated}\n"+
		filepath.Join(dir, "bad.yaml")+":1: missing steps: a flow needs at least one step\n"+
		"boomerang: 3 mistakes in "+dir+"; those files are left out\n", errOut)
}

// flowsLibrary lists the built-in flow files.
func flowsLibrary(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("../../../flows/library/*.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	return files
}

func TestFlowsValidateChecksTemplates(t *testing.T) {
	t.Parallel()
	dir := writeFlows(t, map[string]string{"t.yaml": "id: t\nname: T\nversion: 1\ntrigger: {event: order.placed}\nsteps:\n" +
		"  - send: {channel: email, template: nope, category: marketing}\n" +
		"  - send: {channel: sms, template: order-confirmation, category: transactional}\n" +
		"  - send: {channel: email, template: d-1234567890abcdef, category: marketing}\n"})
	code, out, _ := run(t, []string{"flows", "validate", dir}, "", nil)
	require.Equal(t, 1, code)
	file := filepath.Join(dir, "t.yaml")
	require.Equal(t, file+`:6: flow t, send steps[0]: template "nope": unknown template`+"\n"+
		file+`:7: flow t, send steps[1]: template "order-confirmation" is an email template, the send's channel is sms`+"\n", out,
		"a SendGrid dynamic template is SendGrid's to check")
}
