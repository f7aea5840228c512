package replay

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestQueueUpsertCancelAndOrder(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)
	q := newQueue()
	q.upsert("a", t0.Add(2*time.Hour), "A")
	q.upsert("b", t0.Add(time.Hour), "B")
	q.upsert("c", t0.Add(time.Hour), "C")
	q.upsert("a", t0.Add(30*time.Minute), "A2") // moved earlier: the old entry is stale
	q.upsert("d", t0, "D")
	q.cancel("d")
	require.Equal(t, 3, q.len())
	var got []string
	for it := q.pop(); it != nil; it = q.pop() {
		got = append(got, it.id+"="+it.payload)
	}
	require.Equal(t, []string{"a=A2", "b=B", "c=C"}, got, "by due time, ties in insertion order, cancelled and replaced entries gone")
	require.Nil(t, q.peek())
}

func TestMergeKeepsTimeOrderAndPartOrder(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)
	a := []Line{{At: t0, Action: "a1"}, {At: t0.Add(time.Hour), Action: "a2"}}
	b := []Line{{At: t0, Action: "b1"}, {At: t0.Add(30 * time.Minute), Action: "b2"}}
	var got []string
	for _, l := range Merge([][]Line{a, b}) {
		got = append(got, l.Action)
	}
	require.Equal(t, []string{"a1", "b1", "b2", "a2"}, got)
}
