package cli

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/boomerang-dev/boomerang/adapters/jetstream"
	"github.com/boomerang-dev/boomerang/adapters/sendgrid"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/adapters/twilio"
)

// mountProviderWebhooks registers the SendGrid Event Webhook and the Twilio
// status and inbound webhook, each at the role's path (/webhooks/sendgrid,
// /webhooks/twilio) and at one path per shop (/webhooks/sendgrid/{shop},
// /webhooks/twilio/{shop}) for shops with provider accounts of their own,
// which sign with their own keys (docs/senders.md, "Provider webhooks for
// shops' own accounts"). Whatever no key can verify is answered 401:
// nothing unverified is accepted. A shop's email.sendgrid_webhook_key that
// is not a verification key stops the role at start.
func mountProviderWebhooks(mux *http.ServeMux, cfg *Config, shops *shop.Registry, pub *jetstream.Publisher,
	public string, reg prometheus.Registerer, log *zap.Logger,
) error {
	if err := checkShopWebhookKeys(shops, log); err != nil {
		return err
	}
	hooks := webhookShops{reg: shops}
	sg, err := sendgrid.NewWebhook(sendgrid.WebhookConfig{
		PublicKey: cfg.SendGridWebhookKey, Shops: hooks, Publisher: pub, Logger: log.Named("sendgrid"), Registerer: reg,
	})
	if err != nil {
		return err
	}
	mux.Handle("POST "+sendgrid.WebhookPath, sg)
	mux.Handle("POST "+sendgrid.WebhookPath+"/{shop}", sg)
	if cfg.TwilioAuthToken == "" && !anyOwnTwilio(shops) {
		refuse := func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "twilio webhooks are not configured (TWILIO_AUTH_TOKEN)", http.StatusUnauthorized)
		}
		mux.HandleFunc("POST "+twilio.WebhookPath, refuse)
		mux.HandleFunc("POST "+twilio.WebhookPath+"/{shop}", refuse)
		return nil
	}
	tw, err := twilio.NewWebhook(twilio.WebhookConfig{
		AuthToken: cfg.TwilioAuthToken, PublicURL: public, Shops: hooks, Publisher: pub, Logger: log.Named("twilio"),
	})
	if err != nil {
		return err
	}
	mux.Handle("POST "+twilio.WebhookPath, tw)
	mux.Handle("POST "+twilio.WebhookPath+"/{shop}", tw)
	return nil
}

// checkShopWebhookKeys refuses a shop's email.sendgrid_webhook_key that is
// not a SendGrid verification key, and warns about shops with their own
// SendGrid account and no key: their events will be answered 401.
func checkShopWebhookKeys(shops *shop.Registry, log *zap.Logger) error {
	var errs []error
	var unverifiable []string
	for _, s := range shops.All() {
		switch {
		case s.Email.SendGridWebhookKey != "":
			if _, err := sendgrid.ParsePublicKey(s.Email.SendGridWebhookKey); err != nil {
				errs = append(errs, fmt.Errorf("shop %s: email.sendgrid_webhook_key: %w", s.ID, err))
			}
		case s.Email.SendGridAPIKey != "":
			unverifiable = append(unverifiable, s.ID)
		}
	}
	if len(unverifiable) > 0 {
		log.Warn("shops with their own SendGrid account but no email.sendgrid_webhook_key: their Event Webhook is refused (401)",
			zap.Strings("shops", unverifiable))
	}
	return errors.Join(errs...)
}

// anyOwnTwilio reports whether some shop has a Twilio account of its own.
func anyOwnTwilio(shops *shop.Registry) bool {
	for _, s := range shops.All() {
		if s.SMS.TwilioAuthToken != "" {
			return true
		}
	}
	return false
}

// webhookShops is the shops as the provider webhooks see them: who owns an
// SMS sender, and which account signs a shop's path.
type webhookShops struct{ reg *shop.Registry }

var (
	_ twilio.Shops   = webhookShops{}
	_ sendgrid.Shops = webhookShops{}
)

// ShopBySender implements twilio.Shops: the shop whose sms.from is number,
// else whose Messaging Service (sms.messaging_service_sid, or an MG… in
// sms.from) is service.
func (s webhookShops) ShopBySender(number, service string) (twilio.Shop, bool) {
	all := s.reg.All()
	for _, sh := range all {
		if sh.SMS.From != "" && sh.SMS.From == number {
			return twilioShop(sh), true
		}
	}
	if service == "" {
		return twilio.Shop{}, false
	}
	for _, sh := range all {
		if sh.SMS.MessagingServiceSID == service || sh.SMS.From == service {
			return twilioShop(sh), true
		}
	}
	return twilio.Shop{}, false
}

// Shop implements twilio.Shops.
func (s webhookShops) Shop(id string) (twilio.Shop, bool) {
	sh, ok := s.reg.Get(id)
	if !ok {
		return twilio.Shop{}, false
	}
	return twilioShop(sh), true
}

func twilioShop(sh *shop.Shop) twilio.Shop {
	return twilio.Shop{ID: sh.ID, HelpText: sh.SMS.HelpText, AuthToken: sh.SMS.TwilioAuthToken}
}

// Account implements sendgrid.Shops: a shop with its own SendGrid key, or
// with a webhook key of its own, is verified with that key alone.
func (s webhookShops) Account(id string) (sendgrid.ShopAccount, bool) {
	sh, ok := s.reg.Get(id)
	if !ok {
		return sendgrid.ShopAccount{}, false
	}
	return sendgrid.ShopAccount{
		Own:        sh.Email.SendGridAPIKey != "" || sh.Email.SendGridWebhookKey != "",
		WebhookKey: sh.Email.SendGridWebhookKey,
	}, true
}
