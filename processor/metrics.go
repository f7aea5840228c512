package processor

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	events    *prometheus.CounterVec
	runs      *prometheus.CounterVec
	sends     *prometheus.CounterVec
	conflicts prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "boomerang_processor_events_total",
			Help: "Events processed, by type and outcome (applied, duplicate, no_customer).",
		}, []string{"type", "outcome"}),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "boomerang_runs_total",
			Help: "Run transitions by flow and what happened (started, done, exited, prevented).",
		}, []string{"flow", "transition"}),
		sends: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "boomerang_send_commands_total",
			Help: "Send commands emitted, by flow and channel.",
		}, []string{"flow", "channel"}),
		conflicts: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "boomerang_processor_conflicts_total",
			Help: "Commits retried because a concurrent event changed the same customer.",
		}),
	}
	if reg != nil {
		reg.MustRegister(m.events, m.runs, m.sends, m.conflicts)
	}
	return m
}
