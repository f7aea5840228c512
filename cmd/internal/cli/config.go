package cli

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
)

// Config is every setting, from the environment or the flag named after it.
// The names are contracts (ARCHITECTURE.md): keep them.
type Config struct {
	HTTPAddr                string
	DataDir                 string
	Shops                   string
	Flows                   string
	AdminToken              string
	PublicURL               string
	SecretKey               string
	NATSURL                 string
	RedisURL                string
	SendGridAPIKey          string
	SendGridURL             string
	SendGridWebhookKey      string
	TwilioAccountSID        string
	TwilioAuthToken         string
	TwilioURL               string
	ShopifyAPIKey           string
	ShopifyAPISecret        string
	ShopifyURL              string
	BigCommerceClientID     string
	BigCommerceClientSecret string
	BigCommerceLoginURL     string
	BigCommerceAPIURL       string
	LogLevel                string
	LogFormat               string
	MaxBodyBytes            string
	StreamMaxBytes          string
	StreamReplicas          string
	ReconcileInterval       string
}

// setting is one configuration variable.
type setting struct {
	env   string
	ptr   *string
	def   string // for every role but serve
	serve string // serve's default, when it differs
	usage string
}

// flagName is the flag named after an environment variable:
// BOOMERANG_HTTP_ADDR is --http-addr, NATS_URL is --nats-url.
func flagName(env string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimPrefix(env, "BOOMERANG_")), "_", "-")
}

func (c *Config) settings() []setting {
	return []setting{
		{"BOOMERANG_HTTP_ADDR", &c.HTTPAddr, ":8080", "127.0.0.1:8080", "the one HTTP server's listen address"},
		{"BOOMERANG_DATA_DIR", &c.DataDir, "./data", "", "embedded JetStream and child Redis data"},
		{"BOOMERANG_SHOPS", &c.Shops, "", "", "path of the shops file (serve: a demo shop when unset)"},
		{"BOOMERANG_FLOWS", &c.Flows, "", "", "directory of flow files (the built-in library when unset)"},
		{"BOOMERANG_ADMIN_TOKEN", &c.AdminToken, "", "", "bearer token for /api/v1"},
		{"BOOMERANG_PUBLIC_URL", &c.PublicURL, "", "", "base of customer-facing links (default http:// + the HTTP address)"},
		{"BOOMERANG_SECRET_KEY", &c.SecretKey, "", "", "signs customer links, encrypts shop credentials (serve: generated once under the data dir)"},
		{"NATS_URL", &c.NATSURL, "", "", "NATS server URL (serve: an embedded JetStream server when unset)"},
		{"REDIS_URL", &c.RedisURL, "", "", "Redis URL (serve: a redis-server child when unset)"},
		{"SENDGRID_API_KEY", &c.SendGridAPIKey, "", "", "SendGrid API key (unset: the dev outbox)"},
		{"BOOMERANG_SENDGRID_URL", &c.SendGridURL, "https://api.sendgrid.com", "", "SendGrid API base"},
		{"BOOMERANG_SENDGRID_WEBHOOK_KEY", &c.SendGridWebhookKey, "", "", "SendGrid Event Webhook verification key (base64 DER)"},
		{"TWILIO_ACCOUNT_SID", &c.TwilioAccountSID, "", "", "Twilio account SID (unset: the dev outbox)"},
		{"TWILIO_AUTH_TOKEN", &c.TwilioAuthToken, "", "", "Twilio auth token"},
		{"BOOMERANG_TWILIO_URL", &c.TwilioURL, "https://api.twilio.com", "", "Twilio API base"},
		{"BOOMERANG_SHOPIFY_API_KEY", &c.ShopifyAPIKey, "", "", "the Shopify app's client id"},
		{"BOOMERANG_SHOPIFY_API_SECRET", &c.ShopifyAPISecret, "", "", "the Shopify app's client secret"},
		{"BOOMERANG_SHOPIFY_URL", &c.ShopifyURL, "https://{shop}", "", "Shopify Admin API base template"},
		{"BOOMERANG_BIGCOMMERCE_CLIENT_ID", &c.BigCommerceClientID, "", "", "the BigCommerce app's client id"},
		{"BOOMERANG_BIGCOMMERCE_CLIENT_SECRET", &c.BigCommerceClientSecret, "", "", "the BigCommerce app's client secret"},
		{"BOOMERANG_BIGCOMMERCE_LOGIN_URL", &c.BigCommerceLoginURL, "https://login.bigcommerce.com", "", "BigCommerce OAuth host"},
		{"BOOMERANG_BIGCOMMERCE_API_URL", &c.BigCommerceAPIURL, "https://api.bigcommerce.com/stores/{store_hash}", "", "BigCommerce API base template"},
		{"BOOMERANG_LOG_LEVEL", &c.LogLevel, "info", "", "debug, info, warn or error"},
		{"BOOMERANG_LOG_FORMAT", &c.LogFormat, "", "", "json or console (default console on a terminal, else json)"},
		{"BOOMERANG_MAX_BODY_BYTES", &c.MaxBodyBytes, "5242880", "", "largest webhook body accepted; larger ones get 413"},
		{"BOOMERANG_STREAM_MAX_BYTES", &c.StreamMaxBytes, "8589934592", "1073741824", "size cap of each JetStream stream; past it webhooks get 503"},
		{"BOOMERANG_STREAM_REPLICAS", &c.StreamReplicas, "1", "", "JetStream stream replicas (3 in a cluster)"},
		{"BOOMERANG_RECONCILE_INTERVAL", &c.ReconcileInterval, "10m", "", "how often each shop's store is polled for what webhooks missed (0 turns it off)"},
	}
}

// bindFlags registers every setting's flag on fs.
func (c *Config) bindFlags(fs *pflag.FlagSet) {
	for _, s := range c.settings() {
		fs.String(flagName(s.env), "", s.usage+" ($"+s.env+")")
	}
}

// resolve fills c from fs (flags win), then getenv, then the role's defaults.
func (c *Config) resolve(fs *pflag.FlagSet, getenv func(string) string, role string) {
	for _, s := range c.settings() {
		var v string
		if f := fs.Lookup(flagName(s.env)); f != nil && f.Changed {
			v = f.Value.String()
		} else {
			v = getenv(s.env)
		}
		if v == "" {
			v = s.def
			if role == "serve" && s.serve != "" {
				v = s.serve
			}
		}
		*s.ptr = v
	}
}

// int64Setting parses a numeric setting.
func int64Setting(name, v string) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s: %q is not a non-negative whole number", name, v)
	}
	return n, nil
}
