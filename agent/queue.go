package agent

import (
	"sync"
	"time"

	"github.com/hotfolder/hotfolder/agent/limit"
)

// queue holds the files waiting for an upload, in one FIFO lane per
// folder. Watchers push without blocking. pop hands a worker the next file
// of a folder that may start an upload now: its endpoint is not paused and
// its concurrency limiter has a free slot. Lanes take turns, so a throttled
// endpoint does not hold up the others.
type queue struct {
	mu     sync.Mutex
	lanes  map[*folder]*lane
	order  []*lane
	next   int // lane to try first, for round robin
	paused bool
	closed bool
	wake   chan struct{} // closed and replaced on every change
}

// lane is one folder's waiting files.
type lane struct {
	folder *folder
	items  []*job
	head   int
}

func newQueue() *queue {
	return &queue{lanes: map[*folder]*lane{}, wake: make(chan struct{})}
}

// push adds j; after close it drops j, which stays in its inbox for the
// next run.
func (q *queue) push(j *job) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return
	}
	l := q.lanes[j.folder]
	if l == nil {
		l = &lane{folder: j.folder}
		q.lanes[j.folder] = l
		q.order = append(q.order, l)
	}
	wasEmpty := l.head == len(l.items)
	l.items = append(l.items, j)
	// Workers waiting while this lane had files wait for a slot, an open
	// endpoint or the end of a pause, which signal on their own.
	if wasEmpty {
		q.signal()
	}
}

// pop waits for a job that may start now and returns it with its limiter
// slot; ok is false once the queue is closed.
func (q *queue) pop() (j *job, slot limit.Slot, ok bool) {
	for {
		q.mu.Lock()
		if q.closed {
			q.mu.Unlock()
			return nil, limit.Slot{}, false
		}
		j, slot, retryIn := q.take()
		wake := q.wake
		q.mu.Unlock()
		if j != nil {
			return j, slot, true
		}
		if retryIn == 0 {
			<-wake
			continue
		}
		t := time.NewTimer(retryIn)
		select {
		case <-wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// take returns the first job, in lane order, whose folder may start an
// upload, with its slot. Otherwise it returns how long until a paused
// endpoint opens or a limiter may grow, 0 when neither is pending. q.mu
// must be held.
func (q *queue) take() (*job, limit.Slot, time.Duration) {
	if q.paused {
		return nil, limit.Slot{}, 0
	}
	var retryIn time.Duration
	for i := range q.order {
		idx := (q.next + i) % len(q.order)
		l := q.order[idx]
		if l.head == len(l.items) {
			continue
		}
		if d := l.folder.gate.blocked(); d > 0 {
			if retryIn == 0 || d < retryIn {
				retryIn = d
			}
			continue
		}
		slot, ok := l.folder.limiter.TryAcquire()
		if !ok {
			if d := l.folder.limiter.ProbeIn(); d > 0 && (retryIn == 0 || d < retryIn) {
				retryIn = d
			}
			continue
		}
		q.next = idx + 1
		return l.shift(), slot, 0
	}
	return nil, limit.Slot{}, retryIn
}

func (l *lane) shift() *job {
	j := l.items[l.head]
	l.items[l.head] = nil
	l.head++
	if l.head == len(l.items) || l.head > 1024 && l.head*2 > len(l.items) {
		l.items = append(l.items[:0], l.items[l.head:]...)
		l.head = 0
	}
	return j
}

// len returns the number of jobs waiting.
func (q *queue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := 0
	for _, l := range q.order {
		n += len(l.items) - l.head
	}
	return n
}

// setPaused stops or resumes handing out jobs; pushes still queue.
func (q *queue) setPaused(p bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.paused = p
	q.signal()
}

// kick makes waiting workers look again, after a slot was freed, a limit
// changed or an endpoint pause ended early.
func (q *queue) kick() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.signal()
}

func (q *queue) signal() {
	close(q.wake)
	q.wake = make(chan struct{})
}

// close stops intake and wakes every waiting worker.
func (q *queue) close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	q.lanes = map[*folder]*lane{}
	q.order = nil
	q.signal()
}
