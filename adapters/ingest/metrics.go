package ingest

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Outcomes counted in boomerang_webhooks_total.
const (
	outcomeAccepted     = "accepted"
	outcomeDuplicate    = "duplicate"
	outcomeIgnored      = "ignored"
	outcomePing         = "ping"
	outcomeTooLarge     = "too_large"
	outcomeUnidentified = "unidentified"
	outcomeUnknownShop  = "unknown_shop"
	outcomeBadSignature = "bad_signature"
	outcomeMalformed    = "malformed"
	outcomeUnavailable  = "unavailable"
	outcomeError        = "error"
)

// metrics are the handler's Prometheus collectors.
type metrics struct {
	webhooks *prometheus.CounterVec
	publish  prometheus.Histogram
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "boomerang_webhooks_total",
			Help: "Webhook deliveries by platform, topic and outcome. The topic is empty until the signature is verified, so forged requests cannot grow the label set.",
		}, []string{"platform", "topic", "outcome"}),
		publish: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "boomerang_ingest_publish_seconds",
			Help:    "Time from the first publish of a delivery to its last PubAck.",
			Buckets: []float64{.0005, .001, .002, .005, .01, .02, .05, .1, .25, .5, 1, 2},
		}),
	}
	if reg != nil {
		reg.MustRegister(m.webhooks, m.publish)
	}
	return m
}
