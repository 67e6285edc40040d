package watcher

import (
	"container/heap"
	"time"
)

// entry is one file the watcher tracks: pending (in the due heap) or handed
// to the agent (not in it). It is kept small because a backlog may hold
// hundreds of thousands of them.
type entry struct {
	path   string
	index  int           // position in the due heap, -1 when not in it
	due    time.Duration // when to look at the file next, loop time
	stable time.Duration // when the current size and mtime were first seen, loop time
	mtime  int64         // Unix nanoseconds, as last seen
	size   int64         // bytes, as last seen
	seen   uint8         // looks in a row that saw the current size and mtime, capped at 255
	handed bool          // reported and not yet released
	listed bool          // found by a listing and touched by no event since
	quick  bool          // the mtime was older than Settle when the current values were first seen
	dirty  bool          // touched by an event while handed
	warned bool          // a failure to look at it was logged
	denied bool          // the last open failed with a permission error, at the current size and mtime
}

// touched records an event for e: its writer may be active, so it does
// not settle early, and a handed file is looked at again on Release.
func (e *entry) touched() {
	e.listed = false
	if e.handed {
		e.dirty = true
	}
}

// reset makes e settle again from its next look.
func (e *entry) reset() {
	e.seen = 0
	e.listed = false
	e.quick = false
	e.warned = false
	e.denied = false
}

// dueHeap orders pending entries by due time, earliest first.
type dueHeap []*entry

func (h dueHeap) Len() int           { return len(h) }
func (h dueHeap) Less(i, j int) bool { return h[i].due < h[j].due }

func (h dueHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}

func (h *dueHeap) Push(x any) {
	e := x.(*entry)
	e.index = len(*h)
	*h = append(*h, e)
}

func (h *dueHeap) Pop() any {
	old := *h
	n := len(old) - 1
	e := old[n]
	old[n] = nil
	e.index = -1
	*h = old[:n]
	return e
}

// schedule sets when e is looked at next and queues it if needed.
func (l *loop) schedule(e *entry, at time.Duration) {
	e.due = at
	if e.index < 0 {
		heap.Push(&l.due, e)
		return
	}
	heap.Fix(&l.due, e.index)
}

// unqueue takes e out of the due heap.
func (l *loop) unqueue(e *entry) {
	if e.index >= 0 {
		heap.Remove(&l.due, e.index)
	}
}

// drop forgets e entirely.
func (l *loop) drop(e *entry) {
	l.unqueue(e)
	delete(l.files, e.path)
}
