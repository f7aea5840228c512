package cli_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/jetstream"
	"github.com/boomerang-dev/boomerang/adapters/jetstream/jetstreamtest"
	"github.com/boomerang-dev/boomerang/adapters/redis/redistest"
	"github.com/boomerang-dev/boomerang/flows/event"
	"github.com/boomerang-dev/boomerang/processor"
)

// fastAbandonment replaces the built-in flow with second-long waits.
const fastAbandonment = `id: abandoned-checkout
name: Abandoned checkout recovery (fast)
version: 1
trigger:
  event: checkout.updated
  if: event.data.email != "" && size(event.data.line_items) > 0
key: event.data.token
exit_on:
  - event: order.placed
    if: event.data.checkout_token == run.key
steps:
  - wait: 1s
  - send: {id: reminder, channel: email, template: abandoned-checkout-reminder, category: marketing}
  - wait: 1s
  - send: {id: benefits, channel: email, template: abandoned-checkout-benefits, category: marketing}
  - wait: 1s
  - send: {id: discount, channel: email, template: abandoned-checkout-discount, category: marketing}
`

var (
	buildOnce sync.Once
	binPath   string
	errBuild  error
)

// binary builds the boomerang command once per test process.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		// Not t.TempDir: the binary outlives the test that builds it and
		// serves every test of the process; TestMain removes it.
		dir, err := os.MkdirTemp("", "boomerang-bin-") //nolint:usetesting // shared across tests, see above
		if err != nil {
			errBuild = err
			return
		}
		binPath = filepath.Join(dir, "boomerang")
		out, err := exec.CommandContext(context.Background(), "go", "build", "-o", binPath,
			"github.com/boomerang-dev/boomerang/cmd/boomerang").CombinedOutput()
		if err != nil {
			errBuild = fmt.Errorf("go build: %w: %s", err, out)
		}
	})
	require.NoError(t, errBuild)
	return binPath
}

type procBundle struct {
	js      *jetstreamtest.Server
	env     []string
	bin     string
	started []*exec.Cmd
}

func newProcBundle(t *testing.T) *procBundle {
	t.Helper()
	js := jetstreamtest.Start(t)
	rdb := redistest.StartPrivate(t)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "shops.yaml"),
		[]byte("shops:\n  - id: demo\n    platform: shopify\n    domain: demo.myshopify.com\n    webhook_secret: x\n"), 0o600))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "flows"), 0o750))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "flows", "ac.yaml"), []byte(fastAbandonment), 0o600))
	b := &procBundle{js: js, bin: binary(t), env: append(os.Environ(),
		"NATS_URL="+js.Embedded.URL(), "REDIS_URL="+rdb.URL,
		"BOOMERANG_SHOPS="+filepath.Join(dir, "shops.yaml"), "BOOMERANG_FLOWS="+filepath.Join(dir, "flows"),
		"BOOMERANG_HTTP_ADDR=127.0.0.1:0", "BOOMERANG_LOG_LEVEL=warn")}
	t.Cleanup(func() {
		for _, c := range b.started {
			_ = c.Process.Kill()
			_ = c.Wait()
		}
	})
	return b
}

// start runs `boomerang process` as a separate process.
func (b *procBundle) start(t *testing.T) *exec.Cmd {
	t.Helper()
	cmd := exec.CommandContext(context.Background(), b.bin, "process")
	cmd.Env = b.env
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	require.NoError(t, cmd.Start())
	b.started = append(b.started, cmd)
	return cmd
}

func kill9(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	_ = cmd.Wait()
}

// publishCheckouts puts n abandoned checkouts on EVENTS, as ingest would.
func (b *procBundle) publishCheckouts(t *testing.T, n int) {
	t.Helper()
	pub := jetstream.NewPublisher(b.js.Conn.JS)
	now := time.Now().UTC()
	for i := range n {
		token := fmt.Sprintf("tok-%d", i)
		email := fmt.Sprintf("c%d@example.com", i)
		ev := &event.Event{
			SchemaVersion: event.SchemaVersion,
			ID:            event.DeliveryID("shopify", "demo", token, event.CheckoutUpdated),
			Key:           event.SemanticKey(event.CheckoutUpdated, "demo", token, now),
			Type:          event.CheckoutUpdated, Shop: "demo", Platform: "shopify",
			OccurredAt: now, ReceivedAt: now, Customer: &event.Customer{Email: email},
			Data: &event.Checkout{
				Token: token, Email: email, Currency: "USD", Total: "9.00",
				LineItems: []event.LineItem{{Title: "Mug", Quantity: 1, Price: "9.00"}}, UpdatedAt: now,
			},
		}
		data, err := json.Marshal(ev)
		require.NoError(t, err)
		_, err = pub.Publish(context.Background(), ev.Subject(), ev.ID, data)
		require.NoError(t, err)
	}
}

// sends returns the send commands on OUTBOX, counting each id.
func (b *procBundle) sends(t *testing.T) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, m := range b.js.Messages(t, jetstream.StreamOutbox, "outbox.>") {
		var s processor.SendCommand
		require.NoError(t, json.Unmarshal(m.Data, &s))
		out[s.ID]++
	}
	return out
}

func (b *procBundle) waitForSends(t *testing.T, atLeast int) {
	t.Helper()
	require.Eventually(t, func() bool { return len(b.sends(t)) >= atLeast }, 60*time.Second, 50*time.Millisecond,
		"waiting for %d send commands", atLeast)
}

func requireExactlyOnce(t *testing.T, sends map[string]int, want int) {
	t.Helper()
	require.Len(t, sends, want)
	for id, n := range sends {
		require.Equal(t, 1, n, "send %s stored %d times", id, n)
	}
}

func TestProcessorSurvivesKill9(t *testing.T) {
	t.Parallel()
	const customers = 20
	b := newProcBundle(t)
	first := b.start(t)
	b.publishCheckouts(t, customers)
	// Kill while runs wait and timers are being fired: some reminders are
	// out, most of the run is ahead.
	b.waitForSends(t, customers/2)
	kill9(t, first)
	second := b.start(t)
	b.waitForSends(t, customers*2)
	kill9(t, second)
	b.start(t)
	b.waitForSends(t, customers*3)
	// Give a straggler (a timer fired twice after a lapsed lease) the
	// chance to show, then check every send exists exactly once.
	b.quiesce(t)
	requireExactlyOnce(t, b.sends(t), customers*3)
}

func TestTwoProcessorReplicasFireEachTimerOnce(t *testing.T) {
	t.Parallel()
	const customers = 30
	b := newProcBundle(t)
	b.start(t)
	b.start(t)
	b.publishCheckouts(t, customers)
	b.waitForSends(t, customers*3)
	b.quiesce(t)
	requireExactlyOnce(t, b.sends(t), customers*3)
}

// quiesce waits until OUTBOX has not grown for two seconds.
func (b *procBundle) quiesce(t *testing.T) {
	t.Helper()
	last, since := -1, time.Now()
	require.Eventually(t, func() bool {
		n := len(b.js.Messages(t, jetstream.StreamOutbox, "outbox.>"))
		if n != last {
			last, since = n, time.Now()
			return false
		}
		return time.Since(since) > 2*time.Second
	}, 60*time.Second, 100*time.Millisecond)
}
