package cli

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/processor"
)

// The nightly prediction timers go to the predict role's JOBS stream; the
// processor's own jobs and every run's timers stay on EVENTS.
func TestTimerSubjectRoutesJobsBesideTheProcessor(t *testing.T) {
	t.Parallel()
	due := time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC)
	fired := func(payload string) string {
		ev, err := processor.TimerFired("t1", due, payload, due)
		require.NoError(t, err)
		return timerSubject(ev)
	}
	require.Equal(t, "jobs.predict.acme", fired(processor.TimerPayload("acme", jobCustomer, "predict")))
	require.Equal(t, "events.acme.timer.fired", fired(processor.TimerPayload("acme", jobCustomer, "dates")))
	require.Equal(t, "events.acme.timer.fired", fired(processor.TimerPayload("acme", jobCustomer, reconcileJobName)))
	require.Equal(t, "events.acme.timer.fired", fired(processor.TimerPayload("acme", "e:ann@example.com", "predict")),
		"a customer's run named like a job is still the processor's")
}
