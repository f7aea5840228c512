package shopify_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/install/shopify"
	"github.com/boomerang-dev/boomerang/adapters/shop"
)

const hookDomain = "hooks.myshopify.com"

func hookShop(b *testBundle) *shop.Shop {
	b.fake.setTokens(hookDomain, "shpat_hooks", "shprt_hooks")
	return &shop.Shop{ID: "shp-hooks", Platform: "shopify", Domain: hookDomain, APIToken: "shpat_hooks"}
}

// The first run creates every topic; the second finds them all and changes
// nothing, across pages of the list.
func TestEnsureWebhooksCreatesOnceAcrossPages(t *testing.T) {
	t.Parallel()
	b := setup(t)
	s := hookShop(b)
	b.fake.mu.Lock()
	b.fake.pageCap = 3
	b.fake.mu.Unlock()
	callback := b.public + "/webhooks/shopify"
	ctx := context.Background()

	report, err := b.client.EnsureWebhooks(ctx, s, callback)
	require.NoError(t, err)
	require.Equal(t, shopify.WebhookTopics(), report.Created)
	require.Empty(t, report.Updated)
	require.Len(t, b.fake.subs(hookDomain), len(shopify.WebhookTopics()))

	report, err = b.client.EnsureWebhooks(ctx, s, callback)
	require.NoError(t, err)
	require.Empty(t, report.Created)
	require.Empty(t, report.Updated)
	require.Equal(t, shopify.WebhookTopics(), report.Unchanged, "found on every page")
	require.Len(t, b.fake.subs(hookDomain), len(shopify.WebhookTopics()), "no duplicates")
}

// A subscription pointing elsewhere, or in XML, is repaired in place.
func TestEnsureWebhooksRepairs(t *testing.T) {
	t.Parallel()
	b := setup(t)
	s := hookShop(b)
	callback := b.public + "/webhooks/shopify"
	b.fake.addHookSub("ORDERS_CREATE", "https://old.example/webhooks/shopify", "JSON")
	b.fake.addHookSub("CARTS_UPDATE", callback, "XML")
	b.fake.addHookSub("CUSTOMERS_CREATE", callback, "JSON")
	b.fake.addHookSub("ORDERS_DELETE", "https://other-app.example/hook", "JSON")

	report, err := b.client.EnsureWebhooks(context.Background(), s, callback)
	require.NoError(t, err)
	require.Equal(t, []string{"CARTS_UPDATE", "ORDERS_CREATE"}, report.Updated)
	require.Equal(t, []string{"CUSTOMERS_CREATE"}, report.Unchanged)
	require.Len(t, report.Created, len(shopify.WebhookTopics())-3)

	for _, sub := range b.fake.subs(hookDomain) {
		if sub.Topic == "ORDERS_DELETE" {
			require.Equal(t, "https://other-app.example/hook", sub.URI, "a topic Boomerang does not use is left alone")
			continue
		}
		require.Equal(t, callback, sub.URI, sub.Topic)
		require.Equal(t, "JSON", sub.Format, sub.Topic)
	}
}

// User errors are surfaced, topic by topic, and the other topics are still
// subscribed.
func TestEnsureWebhooksSurfacesUserErrors(t *testing.T) {
	t.Parallel()
	b := setup(t)
	s := hookShop(b)
	b.fake.mu.Lock()
	b.fake.denied["CHECKOUTS_UPDATE"] = true
	b.fake.mu.Unlock()

	report, err := b.client.EnsureWebhooks(context.Background(), s, b.public+"/webhooks/shopify")
	require.ErrorIs(t, err, shopify.ErrRejected)
	require.Contains(t, err.Error(), "CHECKOUTS_UPDATE: webhookSubscription: You do not have permission")
	require.NotContains(t, report.Created, "CHECKOUTS_UPDATE")
	require.Len(t, report.Created, len(shopify.WebhookTopics())-1)
}

// A refused access token is ErrRejected, saying so.
func TestEnsureWebhooksRefusedToken(t *testing.T) {
	t.Parallel()
	b := setup(t)
	s := hookShop(b)
	s.APIToken = "shpat_revoked"
	_, err := b.client.EnsureWebhooks(context.Background(), s, b.public+"/webhooks/shopify")
	require.ErrorIs(t, err, shopify.ErrRejected)
	var se *shopify.Error
	require.ErrorAs(t, err, &se)
	require.Equal(t, http.StatusUnauthorized, se.StatusCode)
	require.Contains(t, err.Error(), "Invalid API key or access token")
	require.NotContains(t, err.Error(), "shpat_revoked")

	_, err = b.client.EnsureWebhooks(context.Background(), s, "not a url")
	require.Error(t, err)
}

func TestTopicEnum(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"orders/create":                            "ORDERS_CREATE",
		"checkouts/update":                         "CHECKOUTS_UPDATE",
		"app/uninstalled":                          "APP_UNINSTALLED",
		"fulfillment_events/create":                "FULFILLMENT_EVENTS_CREATE",
		"customers_email_marketing_consent/update": "CUSTOMERS_EMAIL_MARKETING_CONSENT_UPDATE",
	} {
		require.Equal(t, want, shopify.TopicEnum(in))
	}
}

// The subscribed topics are the adapter's, less the compliance topics that
// only the app configuration can subscribe.
func TestWebhookTopics(t *testing.T) {
	t.Parallel()
	topics := shopify.WebhookTopics()
	require.Contains(t, topics, "ORDERS_CREATE")
	require.Contains(t, topics, "CHECKOUTS_UPDATE")
	require.Contains(t, topics, "APP_UNINSTALLED")
	require.Contains(t, topics, "CUSTOMERS_MARKETING_CONSENT_UPDATE")
	for _, c := range []string{"CUSTOMERS_DATA_REQUEST", "CUSTOMERS_REDACT", "SHOP_REDACT"} {
		require.NotContains(t, topics, c)
	}
	require.IsIncreasing(t, topics)
}
