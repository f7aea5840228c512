package redis

import "github.com/prometheus/client_golang/prometheus"

// pollerMetrics are the timer poller's Prometheus collectors.
type pollerMetrics struct {
	fired    prometheus.Counter
	failures prometheus.Counter
	lateness prometheus.Histogram
}

func newPollerMetrics(reg prometheus.Registerer) *pollerMetrics {
	m := &pollerMetrics{
		fired: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "boomerang_timers_fired_total",
			Help: "Timers published as timer.fired (a timer fired again after a lapsed lease counts again).",
		}),
		failures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "boomerang_timer_publish_failures_total",
			Help: "Batches of fired timers JetStream did not acknowledge; they fire again after the lease.",
		}),
		lateness: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "boomerang_timer_lateness_seconds",
			Help:    "Time from a timer's due time to its publication.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 15, 60, 300},
		}),
	}
	if reg != nil {
		reg.MustRegister(m.fired, m.failures, m.lateness)
	}
	return m
}
