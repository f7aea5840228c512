package cli

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/boomerang-dev/boomerang/adapters/jetstream"
	"github.com/boomerang-dev/boomerang/adapters/sendgrid"
	"github.com/boomerang-dev/boomerang/adapters/shop"
	"github.com/boomerang-dev/boomerang/adapters/twilio"
)

// mountProviderWebhooks registers the SendGrid Event Webhook and the Twilio
// status and inbound webhook. Without their keys they answer 401: nothing
// unverified is accepted.
func mountProviderWebhooks(mux *http.ServeMux, cfg *Config, shops *shop.Registry, pub *jetstream.Publisher,
	public string, reg prometheus.Registerer, log *zap.Logger,
) error {
	sg, err := sendgrid.NewWebhook(sendgrid.WebhookConfig{
		PublicKey: cfg.SendGridWebhookKey, Publisher: pub, Logger: log.Named("sendgrid"), Registerer: reg,
	})
	if err != nil {
		return err
	}
	mux.Handle("POST "+sendgrid.WebhookPath, sg)
	if cfg.TwilioAuthToken == "" {
		mux.HandleFunc("POST "+twilio.WebhookPath, func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "twilio webhooks are not configured (TWILIO_AUTH_TOKEN)", http.StatusUnauthorized)
		})
		return nil
	}
	tw, err := twilio.NewWebhook(twilio.WebhookConfig{
		AuthToken: cfg.TwilioAuthToken, PublicURL: public, Shops: smsShops{reg: shops}, Publisher: pub,
		Logger: log.Named("twilio"),
	})
	if err != nil {
		return err
	}
	mux.Handle("POST "+twilio.WebhookPath, tw)
	return nil
}
