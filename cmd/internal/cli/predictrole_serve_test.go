package cli_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/adapters/redis/redistest"
	"github.com/boomerang-dev/boomerang/adapters/woocommerce"
	"github.com/boomerang-dev/boomerang/cmd/internal/cli"
	"github.com/boomerang-dev/boomerang/processor/redisstore"
)

// The admin API asks the predict role (inside serve) for a refit; its
// prediction.updated events reach the customers' profiles.
func TestServePredictsOnDemand(t *testing.T) {
	t.Parallel()
	rdb := redistest.StartPrivate(t)
	dir := t.TempDir()
	shops := filepath.Join(dir, "shops.yaml")
	require.NoError(t, os.WriteFile(shops, []byte(`shops:
  - id: woo
    platform: woocommerce
    domain: https://woo.example
    webhook_secret: woo-secret
    email: {from: "Woo Store <hello@woo.example>", address: "1 Main St, Springfield"}
`), 0o600))
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- cli.Run(ctx, []string{"serve", "--http-addr", "127.0.0.1:0", "--data-dir", dir, "--log-level", "warn"},
			cli.IO{Stdout: syncBuffer{pw}, Stderr: io.Discard, Getenv: env(map[string]string{
				"BOOMERANG_SHOPS": shops, "REDIS_URL": rdb.URL,
			})})
		_ = pw.Close()
	}()
	banner := readBanner(t, pr)
	base, token := banner["url"], banner["token"]
	require.Eventually(t, func() bool { return status(t, http.MethodGet, base+"/readyz", nil, nil) == http.StatusOK },
		20*time.Second, 20*time.Millisecond)

	// Three customers, one of whom ordered twice, months apart.
	now := time.Now()
	orders := []struct {
		id    int
		email string
		at    time.Time
	}{
		{301, "ann@example.com", now.AddDate(0, -8, 0)},
		{302, "ann@example.com", now.AddDate(0, -1, 0)},
		{303, "bo@example.com", now.AddDate(0, -5, 0)},
		{304, "cy@example.com", now.AddDate(0, 0, -3)},
	}
	for i, o := range orders {
		body, err := json.Marshal(wooStoreOrder(t, o.id, o.email, o.at))
		require.NoError(t, err)
		h := http.Header{}
		h.Set(woocommerce.HeaderSource, "https://woo.example/")
		h.Set(woocommerce.HeaderTopic, "order.created")
		h.Set(woocommerce.HeaderResource, "order")
		h.Set(woocommerce.HeaderEvent, "created")
		h.Set(woocommerce.HeaderWebhookID, "7")
		h.Set(woocommerce.HeaderDeliveryID, fmt.Sprint(i))
		h.Set(woocommerce.HeaderSignature, woocommerce.Sign("woo-secret", body))
		require.Equal(t, http.StatusOK, status(t, http.MethodPost, base+"/webhooks/woocommerce", h, body))
	}
	profiles := redisstore.New(redis.NewCustomerStore(rdb.Client, redis.Keys{}, nil))
	// Every order is applied (events are handled concurrently) before the
	// refit is asked for.
	for who, n := range map[string]int{"e:ann@example.com": 2, "e:bo@example.com": 1, "e:cy@example.com": 1} {
		require.Eventually(t, func() bool {
			p, err := profiles.Profile(ctx, "woo", who)
			require.NoError(t, err)
			return p != nil && p.OrdersCount == n
		}, 20*time.Second, 50*time.Millisecond, "%s's orders", who)
	}

	refit := func() {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/predictions?shop=woo", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_ = resp.Body.Close()
		require.Equal(t, http.StatusAccepted, resp.StatusCode)
	}
	// The shop's customer index is written just after each profile's
	// commit, so a refit asked at once may miss the newest customer: ask
	// again until everyone is scored (a refit on demand is idempotent).
	require.Eventually(t, func() bool {
		refit()
		time.Sleep(time.Second)
		for _, who := range []string{"e:ann@example.com", "e:bo@example.com", "e:cy@example.com"} {
			p, err := profiles.Profile(ctx, "woo", who)
			require.NoError(t, err)
			if p == nil || p.Predictions == nil || p.Predictions.ChurnBand == "" {
				return false
			}
		}
		return true
	}, 40*time.Second, 100*time.Millisecond, "every customer gets predictions")

	cancel()
	select {
	case code := <-done:
		require.Equal(t, 0, code)
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
}
