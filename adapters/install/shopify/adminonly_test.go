package shopify_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/install/shopify"
)

// A client without the app's credentials reads shops' Admin API with their
// own tokens but can neither install nor refresh.
func TestAdminOnlyClientCannotInstallOrRefresh(t *testing.T) {
	t.Parallel()
	_, err := shopify.NewClient(shopify.ClientConfig{})
	require.ErrorContains(t, err, "APIKey", "an app client needs its credentials")

	c, err := shopify.NewClient(shopify.ClientConfig{AdminOnly: true})
	require.NoError(t, err)
	_, err = shopify.NewPoller(shopify.PollerConfig{Client: c})
	require.NoError(t, err)
	err = shopify.Mount(http.NewServeMux(), shopify.Config{Client: c, PublicURL: "https://boomerang.example"})
	require.ErrorContains(t, err, "AdminOnly")
	_, err = shopify.NewRefresher(shopify.RefresherConfig{Client: c})
	require.ErrorContains(t, err, "AdminOnly")
}
