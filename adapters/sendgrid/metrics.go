package sendgrid

import "github.com/prometheus/client_golang/prometheus"

// Outcomes counted in boomerang_sendgrid_webhooks_total.
const (
	outcomeAccepted     = "accepted"
	outcomeNoKey        = "no_key"
	outcomeTooLarge     = "too_large"
	outcomeBadSignature = "bad_signature"
	outcomeMalformed    = "malformed"
	outcomeUnavailable  = "unavailable"
	outcomeBadMethod    = "bad_method"
	outcomeUnknownShop  = "unknown_shop"
)

// metrics are the webhook's Prometheus collectors.
type metrics struct {
	requests *prometheus.CounterVec
	events   *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "boomerang_sendgrid_webhooks_total",
			Help: "SendGrid Event Webhook requests by outcome.",
		}, []string{"outcome"}),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "boomerang_sendgrid_events_total",
			Help: "Canonical events published from the SendGrid Event Webhook, by type.",
		}, []string{"type"}),
	}
	if reg != nil {
		reg.MustRegister(m.requests, m.events)
	}
	return m
}
