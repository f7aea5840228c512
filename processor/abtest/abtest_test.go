package abtest_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/processor/abtest"
)

func TestDecide(t *testing.T) {
	t.Parallel()
	// Too few sends: no decision, whatever the rates.
	_, ok := abtest.Decide([]abtest.Arm{{Name: "a", Sends: 499, Conversions: 100}, {Name: "b", Sends: 600, Conversions: 1}}, 0, 0)
	require.False(t, ok)

	// 5 % against 3 % over 1,000 sends each: clearly better.
	d, ok := abtest.Decide([]abtest.Arm{{Name: "a", Sends: 1000, Conversions: 30}, {Name: "b", Sends: 1000, Conversions: 50}}, 0, 0)
	require.True(t, ok)
	require.Equal(t, "b", d.Winner)
	require.Greater(t, d.PBest, 0.98)
	require.InDelta(t, 0.05, d.Arms[1].Rate, 1e-9)

	// 3.0 % against 3.2 %: a coin toss, no winner.
	d, ok = abtest.Decide([]abtest.Arm{{Name: "a", Sends: 1000, Conversions: 30}, {Name: "b", Sends: 1000, Conversions: 32}}, 0, 0)
	require.False(t, ok)
	require.Less(t, d.PBest, 0.9)
	require.Greater(t, d.PBest, 0.5)

	// Three arms: the winner must beat both others.
	_, ok = abtest.Decide([]abtest.Arm{
		{Name: "a", Sends: 2000, Conversions: 40}, {Name: "b", Sends: 2000, Conversions: 80}, {Name: "c", Sends: 2000, Conversions: 78},
	}, 0, 0)
	require.False(t, ok, "b and c are too close")

	// Stricter bar.
	_, ok = abtest.Decide([]abtest.Arm{{Name: "a", Sends: 1000, Conversions: 30}, {Name: "b", Sends: 1000, Conversions: 42}}, 0, 0.99)
	require.False(t, ok)
	_, ok = abtest.Decide([]abtest.Arm{{Name: "a", Sends: 1000, Conversions: 30}, {Name: "b", Sends: 1000, Conversions: 42}}, 0, 0.9)
	require.True(t, ok)
	_, ok = abtest.Decide([]abtest.Arm{{Name: "solo", Sends: 5000, Conversions: 100}}, 0, 0)
	require.False(t, ok, "one arm is not a test")
}
