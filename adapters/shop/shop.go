package shop

import (
	"fmt"
	"math"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"

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
	// SendGridAPIKey is the shop's own SendGrid account (a ${VAR}
	// reference in the shops file). Empty: the role's SENDGRID_API_KEY.
	// Never logged or served.
	SendGridAPIKey string `yaml:"sendgrid_api_key" json:"-"`
	// SendingDomain is the domain the shop's SendGrid account has
	// authenticated; when set, From's domain must be it.
	SendingDomain string `yaml:"sending_domain" json:"sending_domain,omitempty"`
	// SendGridRate is the Mail Send requests per second the shop's own key
	// takes. Zero: the default (docs/senders.md). Ignored without
	// SendGridAPIKey: the role's key has one bucket for all its shops.
	SendGridRate float64 `yaml:"sendgrid_rate" json:"sendgrid_rate,omitempty"`
	// SendGridWebhookKey is the Event Webhook verification key of the
	// shop's own SendGrid account as SendGrid shows it (base64 DER): the
	// events it posts to /webhooks/sendgrid/{shop} are verified with it.
	// A public key, not a secret, but kept out of logs and answers all the
	// same.
	SendGridWebhookKey string `yaml:"sendgrid_webhook_key" json:"-"`
}

// SMSSender is the shop's SMS identity.
type SMSSender struct {
	From     string `yaml:"from" json:"from,omitempty"`
	HelpText string `yaml:"help_text" json:"help_text,omitempty"`
	// TwilioAccountSID and TwilioAuthToken are the shop's own Twilio
	// account or subaccount (${VAR} references in the shops file); both or
	// neither. Empty: the role's TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN.
	// Never logged or served.
	TwilioAccountSID string `yaml:"twilio_account_sid" json:"-"`
	TwilioAuthToken  string `yaml:"twilio_auth_token" json:"-"`
	// MessagingServiceSID (MG…), when set, sends through the Messaging
	// Service (MessagingServiceSid instead of From): Twilio picks the
	// number from the service's pool.
	MessagingServiceSID string `yaml:"messaging_service_sid" json:"messaging_service_sid,omitempty"`
	// Throughput is the message segments per second the shop's sender (its
	// From number or Messaging Service) takes: 1 for a US long code (the
	// default, zero), 3 for toll-free, 100 for a short code, a Messaging
	// Service the sum of its senders'.
	Throughput float64 `yaml:"throughput" json:"throughput,omitempty"`
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

// Formats of Twilio's ids and of what twilio-go accepts as a credential.
var (
	twilioAccountSIDRe    = regexp.MustCompile(`^AC[0-9a-fA-F]{32}$`)
	messagingServiceSIDRe = regexp.MustCompile(`^MG[0-9a-fA-F]{32}$`)
	twilioTokenRe         = regexp.MustCompile(`^[A-Za-z0-9]+$`)
	domainRe              = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
)

// CheckAccounts checks the shop's own provider accounts as the shops file's
// loader does (validateAccounts); the admin API checks a change with it.
func (s *Shop) CheckAccounts() error { return s.validateAccounts() }

// validateAccounts checks the shop's own provider accounts: a SendGrid key
// without blanks, a sending domain that is a domain and From's, a Twilio
// SID and token given together in their formats with a sender to use them
// with, a Messaging Service SID in its format, and rates that are numbers
// not below zero. Errors never quote a credential.
func (s *Shop) validateAccounts() error {
	e, m := &s.Email, &s.SMS
	if e.SendGridAPIKey != "" && strings.IndexFunc(e.SendGridAPIKey, unicode.IsSpace) >= 0 {
		return fmt.Errorf("%s: email.sendgrid_api_key contains blanks", s.ID)
	}
	if e.SendingDomain != "" {
		d := strings.ToLower(e.SendingDomain)
		if !domainRe.MatchString(d) {
			return fmt.Errorf("%s: email.sending_domain %q is not a domain name", s.ID, e.SendingDomain)
		}
		from, err := mail.ParseAddress(e.From)
		if err != nil {
			return fmt.Errorf("%s: email.sending_domain needs a valid email.from: %w", s.ID, err)
		}
		if !strings.EqualFold(AddressDomain(from.Address), d) {
			return fmt.Errorf("%s: email.from %q is not at email.sending_domain %q", s.ID, from.Address, e.SendingDomain)
		}
	}
	if (m.TwilioAccountSID == "") != (m.TwilioAuthToken == "") {
		return fmt.Errorf("%s: sms.twilio_account_sid and sms.twilio_auth_token go together", s.ID)
	}
	if m.TwilioAccountSID != "" {
		if !twilioAccountSIDRe.MatchString(m.TwilioAccountSID) {
			return fmt.Errorf("%s: sms.twilio_account_sid must be AC and 32 hex digits", s.ID)
		}
		if !twilioTokenRe.MatchString(m.TwilioAuthToken) {
			return fmt.Errorf("%s: sms.twilio_auth_token must be letters and digits", s.ID)
		}
		if m.From == "" && m.MessagingServiceSID == "" {
			return fmt.Errorf("%s: a Twilio account needs sms.from or sms.messaging_service_sid", s.ID)
		}
	}
	if m.MessagingServiceSID != "" && !messagingServiceSIDRe.MatchString(m.MessagingServiceSID) {
		return fmt.Errorf("%s: sms.messaging_service_sid %q must be MG and 32 hex digits", s.ID, m.MessagingServiceSID)
	}
	for _, r := range []struct {
		name string
		v    float64
	}{{"email.sendgrid_rate", e.SendGridRate}, {"sms.throughput", m.Throughput}} {
		if r.v < 0 || math.IsNaN(r.v) || math.IsInf(r.v, 0) {
			return fmt.Errorf("%s: %s must be a number of at least zero", s.ID, r.name)
		}
	}
	return nil
}

// AddressDomain returns the domain of an email address (what follows its
// last @), lower case; "" without an @.
func AddressDomain(addr string) string {
	i := strings.LastIndexByte(addr, '@')
	if i < 0 {
		return ""
	}
	return strings.ToLower(addr[i+1:])
}
