package cli

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/boomerang-dev/boomerang/adapters/install/shopify"
	"github.com/boomerang-dev/boomerang/adapters/redis"
	"github.com/boomerang-dev/boomerang/adapters/redis/redistest"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/adapters/vault"
)

// An installed Shopify shop's token is refreshed before it expires, and
// the shop record serves the new one.
func TestInstalledShopifyTokensAreRefreshed(t *testing.T) {
	t.Parallel()
	env := redistest.Start(t)
	var refreshes atomic.Int32
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		if body["grant_type"] != "refresh_token" || body["refresh_token"] != "shprt_old" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		refreshes.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"access_token":"shpat_new","scope":"read_orders","expires_in":3600,"refresh_token":"shprt_new","refresh_token_expires_in":7776000}`)
	}))
	t.Cleanup(fake.Close)
	client, err := shopify.NewClient(shopify.ClientConfig{APIKey: "k", APISecret: "s", ShopURL: fake.URL + "/{shop}"})
	require.NoError(t, err)
	keyring, err := vault.NewKeyring(vault.Key{Secret: "secret"})
	require.NoError(t, err)
	tokens, err := shopify.NewRedisTokenStore(env.Client, env.Prefix, keyring)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	require.NoError(t, tokens.SaveToken(ctx, "shp-acme", shopify.Token{
		Access: "shpat_old", Refresh: "shprt_old", Expires: time.Now().Add(time.Minute), RefreshExpires: time.Now().Add(24 * time.Hour),
	}))
	reg, err := shop.NewRegistry(&shop.Shop{ID: "shp-acme", Platform: "shopify", Domain: "acme.myshopify.com", APIToken: "shpat_old"})
	require.NoError(t, err)
	saver := shopSaver{store: redis.NewShopStore(env.Client, redis.Keys{Prefix: env.Prefix}, keyring), reg: reg}
	r, err := shopify.NewRefresher(shopify.RefresherConfig{Client: client, Tokens: tokens, Shops: reg, Saver: saver, Logger: zap.NewNop()})
	require.NoError(t, err)
	done := make(chan struct{})
	go func() {
		refreshTokens(ctx, r, reg, env.Client, env.Prefix, 20*time.Millisecond, zap.NewNop())
		close(done)
	}()
	require.Eventually(t, func() bool {
		s, _ := reg.Get("shp-acme")
		return s.APIToken == "shpat_new"
	}, 10*time.Second, 20*time.Millisecond)
	time.Sleep(100 * time.Millisecond)
	require.Equal(t, int32(1), refreshes.Load(), "refreshed once: the new token is not near its expiry")
	tok, err := tokens.Token(ctx, "shp-acme")
	require.NoError(t, err)
	require.Equal(t, "shprt_new", tok.Refresh, "the rotated refresh token is kept")
	cancel()
	<-done
}

// On start, an installed shop's missing webhook subscriptions are created
// again, by one replica an hour.
func TestInstalledShopifyWebhooksAreRepairedAtStart(t *testing.T) {
	t.Parallel()
	env := redistest.Start(t)
	var creates atomic.Int32
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Query string `json:"query"`
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Header.Get("X-Shopify-Access-Token") != "shpat_live":
			w.WriteHeader(http.StatusUnauthorized)
		case strings.Contains(req.Query, "webhookSubscriptionCreate("):
			n := creates.Add(1)
			_, _ = io.WriteString(w, `{"data":{"webhookSubscriptionCreate":{"webhookSubscription":{"id":"gid://shopify/WebhookSubscription/`+
				strconv.Itoa(int(n))+`","topic":"X","uri":"u","format":"JSON"},"userErrors":[]}}}`)
		default:
			_, _ = io.WriteString(w, `{"data":{"webhookSubscriptions":{"nodes":[],"pageInfo":{"hasNextPage":false,"endCursor":null}}}}`)
		}
	}))
	t.Cleanup(fake.Close)
	client, err := shopify.NewClient(shopify.ClientConfig{APIKey: "k", APISecret: "s", ShopURL: fake.URL + "/{shop}"})
	require.NoError(t, err)
	reg, err := shop.NewRegistry(
		&shop.Shop{ID: "shp-acme", Platform: "shopify", Domain: "acme.myshopify.com", APIToken: "shpat_live"},
		&shop.Shop{ID: "demo", Platform: "shopify", Domain: "demo.myshopify.com", APIToken: "from-the-file"},
	)
	require.NoError(t, err)
	ctx := context.Background()
	repairWebhooks(ctx, client, reg, env.Client, env.Prefix, "https://b.example/webhooks/shopify", zap.NewNop())
	require.Equal(t, int32(len(shopify.WebhookTopics())), creates.Load(), "every topic of the installed shop; the file's shop is left alone")
	repairWebhooks(ctx, client, reg, env.Client, env.Prefix, "https://b.example/webhooks/shopify", zap.NewNop())
	require.Equal(t, int32(len(shopify.WebhookTopics())), creates.Load(), "another replica starting within the hour does nothing")
}
