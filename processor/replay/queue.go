package replay

import (
	"container/heap"
	"time"
)

// item is one pending timer or deferred send.
type item struct {
	due time.Time
	seq uint64
	id  string
	// payload is a timer's payload; cmd a deferred send's command JSON.
	payload string
}

// queue is a min-heap by due time, then insertion order, with upserts and
// cancels by id (stale heap entries are skipped when popped).
type queue struct {
	h    itemHeap
	live map[string]uint64
	seq  uint64
}

func newQueue() *queue { return &queue{live: map[string]uint64{}} }

// upsert schedules id at due, replacing an earlier schedule of id.
func (q *queue) upsert(id string, due time.Time, payload string) {
	q.seq++
	q.live[id] = q.seq
	heap.Push(&q.h, &item{due: due, seq: q.seq, id: id, payload: payload})
}

// cancel forgets id.
func (q *queue) cancel(id string) { delete(q.live, id) }

// peek returns the next live item without removing it.
func (q *queue) peek() *item {
	for q.h.Len() > 0 {
		it := q.h[0]
		if q.live[it.id] == it.seq {
			return it
		}
		heap.Pop(&q.h)
	}
	return nil
}

// pop removes and returns the next live item.
func (q *queue) pop() *item {
	it := q.peek()
	if it != nil {
		heap.Pop(&q.h)
		delete(q.live, it.id)
	}
	return it
}

func (q *queue) len() int { return len(q.live) }

type itemHeap []*item

func (h itemHeap) Len() int { return len(h) }
func (h itemHeap) Less(i, j int) bool {
	if !h[i].due.Equal(h[j].due) {
		return h[i].due.Before(h[j].due)
	}
	return h[i].seq < h[j].seq
}
func (h itemHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *itemHeap) Push(x any)   { *h = append(*h, x.(*item)) } //nolint:forcetypeassert // only *item is pushed
func (h *itemHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return it
}
