package shop

import (
	"net/url"
	"strings"
	"time"

	"github.com/boomerang-dev/boomerang/flows/event"
)

// Shop is one store's record. The YAML names are the shops file's contract
// (ARCHITECTURE.md); values may be ${VAR} references resolved from the
// environment when the file is loaded.
type Shop struct {
	// ID is Boomerang's id for the shop: in events, API paths, Redis keys.
	ID string `yaml:"id" json:"id"`
	// Platform is shopify, woocommerce or bigcommerce.
	Platform string `yaml:"platform" json:"platform"`
	// Domain identifies the shop in webhooks: Shopify's X-Shopify-Shop-Domain,
	// WooCommerce's site URL (X-WC-Webhook-Source), BigCommerce's store hash.
	Domain string `yaml:"domain" json:"domain"`
	// WebhookSecret signs webhooks: the Shopify app client secret, the
	// WooCommerce webhook secret, the BigCommerce client secret.
	WebhookSecret string `yaml:"webhook_secret" json:"-"`
	// PreviousWebhookSecret is accepted too while a secret is rotated.
	PreviousWebhookSecret string `yaml:"previous_webhook_secret" json:"-"`
	// HeaderSecret is BigCommerce's custom header value set when the hooks
	// were created; when set, deliveries must carry it.
	HeaderSecret string `yaml:"header_secret" json:"-"`
	// APIURL is the store's Admin API base; empty means the platform default.
	APIURL string `yaml:"api_url" json:"api_url,omitempty"`
	// APIToken is the Shopify access token, BigCommerce X-Auth-Token or
	// WooCommerce key:secret.
	APIToken string `yaml:"api_token" json:"-"`
	// Timezone is the shop's IANA zone, the default for its customers.
	Timezone  string      `yaml:"timezone" json:"timezone,omitempty"`
	Email     EmailSender `yaml:"email" json:"email"`
	SMS       SMSSender   `yaml:"sms" json:"sms"`
	PublicKey string      `yaml:"public_key" json:"public_key,omitempty"`
	// FlowWebhookSecret signs the POSTs of flows' webhook steps
	// (docs/webhooks.md). Empty: one derived from BOOMERANG_SECRET_KEY and
	// the shop id.
	FlowWebhookSecret string       `yaml:"flow_webhook_secret" json:"-"`
	SmartSending      SmartSending `yaml:"smart_sending" json:"smart_sending"`
	Brand             Brand        `yaml:"brand" json:"brand"`
	// WooCommerce holds WooCommerce-only settings.
	WooCommerce WooCommerceSettings `yaml:"woocommerce" json:"woocommerce,omitzero"`
	// Flows holds per-flow switches and parameters, by flow id.
	Flows map[string]FlowSettings `yaml:"flows" json:"flows,omitempty"`
	// Attribution are the windows after a message within which an order
	// is its conversion. Zero fields take the defaults (click 120h, view
	// 24h).
	Attribution Attribution `yaml:"attribution" json:"attribution,omitzero"`
	// ReferralURL is the shop's referral link with {code} where the
	// customer's own code goes ("https://shop.example/pages/refer?code={code}");
	// empty: referral emails point at the shop.
	ReferralURL string `yaml:"referral_url" json:"referral_url,omitempty"`
}

// Attribution holds the attribution windows: after a click, and after an
// open or a delivered SMS.
type Attribution struct {
	Click time.Duration `yaml:"click" json:"click,omitempty"`
	View  time.Duration `yaml:"view" json:"view,omitempty"`
}

// WooCommerceSettings configures what WooCommerce lacks natively.
type WooCommerceSettings struct {
	// ConsentMetaKey is the order meta key a consent plugin writes at
	// checkout (WooCommerce has no marketing-consent field). A value of
	// yes, 1, true, on or subscribed means the buyer accepted email
	// marketing. Empty: orders carry no consent.
	ConsentMetaKey string `yaml:"consent_meta_key" json:"consent_meta_key,omitempty"`
}

// EmailSender is the shop's email identity.
type EmailSender struct {
	From    string `yaml:"from" json:"from,omitempty"`
	ReplyTo string `yaml:"reply_to" json:"reply_to,omitempty"`
	// Address is the physical address printed in marketing email footers.
	Address string `yaml:"address" json:"address,omitempty"`
}

// SMSSender is the shop's SMS identity.
type SMSSender struct {
	From     string `yaml:"from" json:"from,omitempty"`
	HelpText string `yaml:"help_text" json:"help_text,omitempty"`
}

// SmartSending holds the per-channel windows inside which a second marketing
// message of equal or lower priority is skipped. Zero turns it off.
type SmartSending struct {
	Email time.Duration `yaml:"email" json:"email"`
	//nolint:staticcheck // ST1011 reads "SMS" as milliseconds; it is the channel
	SMS time.Duration `yaml:"sms" json:"sms"`
}

// Brand is how the shop's messages look.
type Brand struct {
	LogoURL string `yaml:"logo_url" json:"logo_url,omitempty"`
	Color   string `yaml:"color" json:"color,omitempty"`
	Locale  string `yaml:"locale" json:"locale,omitempty"`
}

// FlowSettings switches a flow on or off for the shop and sets its parameters.
type FlowSettings struct {
	Enabled *bool          `yaml:"enabled" json:"enabled,omitempty"`
	Params  map[string]any `yaml:"params" json:"params,omitempty"`
	// Draft runs the flow but keeps its messages in the outbox, rendered
	// and checked, never sent: an owner tries a flow on live traffic.
	Draft bool `yaml:"draft" json:"draft,omitempty"`
}

// Secrets returns the webhook secrets to try, current first.
func (s *Shop) Secrets() []string {
	var out []string
	if s.WebhookSecret != "" {
		out = append(out, s.WebhookSecret)
	}
	if s.PreviousWebhookSecret != "" {
		out = append(out, s.PreviousWebhookSecret)
	}
	return out
}

// Location returns the shop's time zone, UTC when unset or unknown.
func (s *Shop) Location() *time.Location {
	if s.Timezone == "" {
		return time.UTC
	}
	loc, err := event.LoadLocation(s.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// NormalizeDomain brings a shop's platform identity to the form lookups use:
// lower case, no scheme, no trailing slash. "https://Shop.Example/" and
// "shop.example" are the same WooCommerce site.
func NormalizeDomain(d string) string {
	d = strings.TrimSpace(strings.ToLower(d))
	if strings.Contains(d, "://") {
		if u, err := url.Parse(d); err == nil && u.Host != "" {
			d = u.Host + u.Path
		}
	}
	return strings.TrimRight(d, "/")
}
