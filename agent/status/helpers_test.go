package status

import (
	"sync"
	"sync/atomic"
	"time"
)

// clock is a test clock that moves only on advance.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// counter is a byte count an upload reports, as uploader.Meter does.
type counter struct{ n atomic.Int64 }

func (c *counter) Sent() int64 { return c.n.Load() }
func (c *counter) add(n int64) { c.n.Add(n) }
func (c *counter) set(n int64) { c.n.Store(n) }
