package cli_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/cmd/internal/cli"
	"github.com/boomerang-dev/boomerang/flows/event"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func run(tb testing.TB, args []string, stdin string, vars map[string]string) (code int, stdout, stderr string) {
	tb.Helper()
	var out, errb bytes.Buffer
	code = cli.Run(context.Background(), args, cli.IO{
		Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Getenv: env(vars),
	})
	return code, out.String(), errb.String()
}

const customerBody = `{"id":820982911946154508,"email":"jon@example.com","first_name":"Jon","created_at":"2026-07-01T10:00:00-04:00","updated_at":"2026-07-01T10:00:00-04:00"}`

func TestNormalizePrintsCanonicalEvents(t *testing.T) {
	t.Parallel()
	code, out, errOut := run(t, []string{
		"normalize", "--platform", "shopify", "--topic", "customers/create",
		"-H", "X-Shopify-Webhook-Id: w-1", "-H", "X-Shopify-Shop-Domain: demo.myshopify.com",
		"--received-at", "2026-07-01T15:00:00Z",
	}, customerBody, nil)
	require.Equal(t, 0, code, errOut)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 1)
	var ev event.Event
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &ev))
	require.NoError(t, ev.Validate())
	require.Equal(t, event.CustomerCreated, ev.Type)
	require.Equal(t, "demo", ev.Shop)
	require.Equal(t, "820982911946154508", ev.Customer.ID)
	require.Equal(t, time.Date(2026, 7, 1, 14, 0, 0, 0, time.UTC), ev.OccurredAt)
}

func TestNormalizeUsesTheShopsFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "shops.yaml")
	require.NoError(t, os.WriteFile(path, []byte("shops:\n  - id: acme\n    platform: shopify\n    domain: acme.myshopify.com\n    webhook_secret: ${ACME_SECRET}\n"), 0o600))
	code, out, errOut := run(t, []string{
		"normalize", "--platform", "shopify", "--topic", "customers/create",
		"-H", "X-Shopify-Shop-Domain: acme.myshopify.com",
	}, customerBody,
		map[string]string{"BOOMERANG_SHOPS": path, "ACME_SECRET": "s3cret"})
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, `"shop":"acme"`)
}

func TestNormalizeErrors(t *testing.T) {
	t.Parallel()
	code, _, errOut := run(t, []string{"normalize", "--platform", "magento"}, "{}", nil)
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "--platform must be")

	code, _, errOut = run(t, []string{"normalize", "--platform", "shopify", "--topic", "orders/create"}, `{"id": 1, "broken`, nil)
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "malformed")

	code, out, errOut := run(t, []string{"normalize", "--platform", "shopify", "--topic", "collections/update"}, `{"id": 1}`, nil)
	require.Equal(t, 0, code)
	require.Empty(t, out)
	require.Contains(t, errOut, "not one Boomerang uses")
}

// syncBuffer is a goroutine-safe writer for a running command's output.
type syncBuffer struct {
	w *io.PipeWriter
}

func (s syncBuffer) Write(p []byte) (int, error) { return s.w.Write(p) }

func TestServeAcceptsAWebhookAndDrainsOnCancel(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- cli.Run(ctx, []string{"serve", "--http-addr", "127.0.0.1:0", "--data-dir", dir, "--log-level", "warn"}, cli.IO{
			Stdin: strings.NewReader(""), Stdout: syncBuffer{pw}, Stderr: io.Discard, Getenv: env(nil),
		})
		_ = pw.Close()
	}()
	banner := readBanner(t, pr)
	require.NotEmpty(t, banner["secret"])
	base := banner["url"]

	require.Eventually(t, func() bool { return status(t, http.MethodGet, base+"/readyz", nil, nil) == http.StatusOK },
		10*time.Second, 20*time.Millisecond)

	mac := hmac.New(sha256.New, []byte(banner["secret"]))
	mac.Write([]byte(customerBody))
	h := http.Header{}
	h.Set("X-Shopify-Topic", "customers/create")
	h.Set("X-Shopify-Shop-Domain", "demo.myshopify.com")
	h.Set("X-Shopify-Webhook-Id", "serve-test-1")
	h.Set("X-Shopify-Hmac-Sha256", base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	require.Equal(t, http.StatusOK, status(t, http.MethodPost, base+"/webhooks/shopify", h, []byte(customerBody)))
	h.Set("X-Shopify-Hmac-Sha256", "forged")
	require.Equal(t, http.StatusUnauthorized, status(t, http.MethodPost, base+"/webhooks/shopify", h, []byte(customerBody)))

	// The secret key was generated once under the data dir.
	_, err := os.Stat(filepath.Join(dir, "secret.key"))
	require.NoError(t, err)

	cancel()
	select {
	case code := <-done:
		require.Equal(t, 0, code)
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop after its context ended")
	}
}

func status(t *testing.T, method, url string, h http.Header, body []byte) int {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, url, bytes.NewReader(body))
	require.NoError(t, err)
	if h != nil {
		req.Header = h.Clone()
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

func TestIngestRoleNeedsNATSAndShops(t *testing.T) {
	t.Parallel()
	code, _, errOut := run(t, []string{"ingest"}, "", nil)
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "BOOMERANG_SHOPS is required")
}

// readBanner reads serve's banner up to its last line and returns the URL
// and, for the demo shop, the webhook secret; the rest of the output is
// discarded.
func readBanner(t *testing.T, r io.Reader) map[string]string {
	t.Helper()
	banner := map[string]string{}
	sc := bufio.NewScanner(r)
	addrRe := regexp.MustCompile(`running: (http://\S+)`)
	secretRe := regexp.MustCompile(`webhook secret: (\S+)`)
	tokenRe := regexp.MustCompile(`Admin token: (\S+)`)
	for sc.Scan() {
		line := sc.Text()
		if m := addrRe.FindStringSubmatch(line); m != nil {
			banner["url"] = m[1]
		}
		if m := secretRe.FindStringSubmatch(line); m != nil {
			banner["secret"] = m[1]
		}
		if m := tokenRe.FindStringSubmatch(line); m != nil {
			banner["token"] = m[1]
		}
		if strings.Contains(line, "Stop with Ctrl-C") {
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, r) }()
	require.NotEmpty(t, banner["url"], "serve printed no banner")
	return banner
}

func TestServeRefusesAFlowThatSendsAPromotionAsTransactional(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	flowsDir := filepath.Join(dir, "flows")
	require.NoError(t, os.MkdirAll(flowsDir, 0o750))
	bad := strings.Replace(fastAbandonment, "template: abandoned-checkout-discount, category: marketing",
		"template: abandoned-checkout-discount, category: transactional", 1)
	require.NoError(t, os.WriteFile(filepath.Join(flowsDir, "ac.yaml"), []byte(bad), 0o600))
	code, _, errOut := run(t, []string{"serve", "--data-dir", dir, "--flows", flowsDir, "--http-addr", "127.0.0.1:0"}, "", nil)
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "abandoned-checkout-discount")
	require.Contains(t, errOut, "flows use templates wrongly")
}
