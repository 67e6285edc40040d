package agent

import "sync"

// queue is the agent's unbounded FIFO of files waiting for an upload slot.
// Watchers push without blocking; workers pop and wait when it is empty.
type queue struct {
	mu     sync.Mutex
	cond   *sync.Cond
	items  []*job
	head   int
	closed bool
}

func newQueue() *queue {
	q := &queue{}
	q.cond = sync.NewCond(&q.mu)
	return q
}

// push adds j; after close it drops j, which stays in its inbox for the
// next run.
func (q *queue) push(j *job) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return
	}
	q.items = append(q.items, j)
	q.cond.Signal()
}

// pop waits for the next job; ok is false once the queue is closed.
func (q *queue) pop() (j *job, ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.head == len(q.items) && !q.closed {
		q.cond.Wait()
	}
	if q.closed {
		return nil, false
	}
	j = q.items[q.head]
	q.items[q.head] = nil
	q.head++
	if q.head == len(q.items) || q.head > 1024 && q.head*2 > len(q.items) {
		q.items = append(q.items[:0], q.items[q.head:]...)
		q.head = 0
	}
	return j, true
}

// len returns the number of jobs waiting.
func (q *queue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items) - q.head
}

// close stops intake and wakes every waiting worker.
func (q *queue) close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	q.items = nil
	q.head = 0
	q.cond.Broadcast()
}
