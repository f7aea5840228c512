package shopify_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/install/shopify"
)

// deploy/shopify/shopify.app.toml agrees with the code: the scopes asked,
// the API version and the compliance topics the API cannot subscribe.
func TestAppConfigMatchesCode(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join("..", "..", "..", "deploy", "shopify", "shopify.app.toml"))
	require.NoError(t, err)
	toml := string(raw)
	value := func(key string) string {
		t.Helper()
		m := regexp.MustCompile(`(?m)^\s*` + key + `\s*=\s*(.+?)\s*$`).FindStringSubmatch(toml)
		require.NotNil(t, m, key)
		return m[1]
	}
	require.Equal(t, `"`+strings.Join(shopify.DefaultScopes, ",")+`"`, value("scopes"))
	require.Equal(t, `"`+shopify.DefaultAPIVersion+`"`, value("api_version"))
	require.Equal(t, `["`+strings.Join(shopify.ComplianceTopics, `", "`)+`"]`, value("compliance_topics"))
	require.Equal(t, "false", value("embedded"))
	require.Contains(t, value("redirect_urls"), shopify.CallbackPath)
	require.True(t, strings.HasSuffix(value("application_url"), shopify.InstallPath+`"`))
	require.True(t, strings.HasSuffix(value("uri"), shopify.WebhookPath+`"`))
}
