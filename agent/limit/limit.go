// Package limit decides how many uploads to one endpoint may be in flight,
// by additive increase and multiplicative decrease (AIMD).
//
// The limit starts at Config.Initial and grows by one after each window of
// successful uploads in which the limit was reached and the upload latency
// did not get worse. It shrinks by Config.Decrease (floor Config.Min) when an
// upload reports backpressure (Overload) or when a window's latency climbs
// above Config.LatencyRatio times its moving average. Before the first
// decrease the limit grows with every success and once per
// Config.ProbeInterval at the limit, so it finds its level quickly, like TCP
// slow start. After it, a window is at least Config.Window uploads and at
// least the limit, so probing above a server's capacity costs at most
// one rejected request per window. docs/backpressure.md explains the rule.
package limit

import (
	"context"
	"math"
	"sync"
	"time"
)

// Outcome is the meaning of one upload's result for the endpoint's capacity.
type Outcome int

// Outcomes of an upload.
const (
	// Success is an accepted upload; its latency feeds the window.
	Success Outcome = iota
	// Overload is backpressure from the endpoint or the link: HTTP 429,
	// 503, 408, a timeout, a stall or a reset connection.
	Overload
	// Ignore is a failure unrelated to capacity, such as a rejected file
	// or a shutdown. It only frees the slot.
	Ignore
)

// Config sets a Limiter's bounds and constants. Zero fields take the
// defaults listed with each.
type Config struct {
	Min     int // lowest limit; default 1
	Max     int // highest limit; required
	Initial int // limit at start; default Min
	// Decrease multiplies the limit on backpressure; default 0.75.
	Decrease float64
	// Window is the least number of successes per increase once the limit
	// has been decreased; default 16.
	Window int
	// Smoothing is the weight of the newest window in the latency moving
	// average (EWMA); default 0.4.
	Smoothing float64
	// LatencyRatio: a window whose mean latency exceeds this multiple of
	// the moving average counts as backpressure; default 2.
	LatencyRatio float64
	// Tolerance: a window whose mean latency exceeds this multiple of the
	// moving average holds the limit instead of raising it; default 1.25.
	Tolerance float64
	// BytesPerUnit normalizes latency for file size: an upload of n bytes
	// counts as 1+n/BytesPerUnit requests; default 256 KiB.
	BytesPerUnit int64
	// ProbeInterval: before the first decrease, the limit also grows by one
	// per interval at the limit. Long uploads finish rarely, and this keeps
	// them from holding the limit low. Default 1s.
	ProbeInterval time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
}

func (c Config) withDefaults() Config {
	c.Min = max(c.Min, 1)
	c.Max = max(c.Max, c.Min)
	if c.Initial == 0 {
		c.Initial = c.Min
	}
	c.Initial = min(max(c.Initial, c.Min), c.Max)
	if c.Decrease <= 0 || c.Decrease >= 1 {
		c.Decrease = 0.75
	}
	if c.Window <= 0 {
		c.Window = 16
	}
	if c.Smoothing <= 0 || c.Smoothing > 1 {
		c.Smoothing = 0.4
	}
	if c.LatencyRatio <= 1 {
		c.LatencyRatio = 2
	}
	if c.Tolerance < 1 {
		c.Tolerance = 1.25
	}
	if c.BytesPerUnit <= 0 {
		c.BytesPerUnit = 256 << 10
	}
	if c.ProbeInterval <= 0 {
		c.ProbeInterval = time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// Limiter is an AIMD concurrency limit. It is safe for concurrent use.
type Limiter struct {
	cfg Config

	mu       sync.Mutex
	limit    float64 // fractional, so repeated decreases and increases stay proportional
	inFlight int
	epoch    int  // number of decreases so far
	probing  bool // no decrease yet: grow per success and per ProbeInterval
	win      window
	ewma     float64   // moving average of normalized latency, seconds; 0 before the first window
	changed  time.Time // when the limit last changed
	wake     chan struct{}
	notify   func()
}

// window collects successes until they are judged: each change of the
// limit after probing, every latencySamples successes while probing.
type window struct {
	successes int
	latency   float64 // sum of normalized latencies, seconds
	reached   bool    // the limit was reached at some acquire in the window
}

// Slot is one acquired place; pass it back to Release.
type Slot struct {
	epoch int
}

// New returns a Limiter for cfg.
func New(cfg Config) *Limiter {
	cfg = cfg.withDefaults()
	return &Limiter{cfg: cfg, limit: float64(cfg.Initial), probing: true, changed: cfg.Now(), wake: make(chan struct{})}
}

// OnChange sets f to be called, without the Limiter's lock held, whenever
// a slot frees up or the limit changes, so a scheduler waiting for TryAcquire
// can try again.
func (l *Limiter) OnChange(f func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.notify = f
}

// Limit returns the current limit.
func (l *Limiter) Limit() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.current()
}

// InFlight returns the number of slots held.
func (l *Limiter) InFlight() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.inFlight
}

func (l *Limiter) current() int {
	return min(max(int(math.Floor(l.limit)), l.cfg.Min), l.cfg.Max)
}

// TryAcquire takes a slot when one is free.
func (l *Limiter) TryAcquire() (Slot, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.inFlight >= l.current() && l.probeDue() > 0 {
		return Slot{}, false
	}
	if l.inFlight >= l.current() {
		l.raise()
	}
	if l.inFlight >= l.current() {
		return Slot{}, false // at the maximum, or above a decreased limit
	}
	l.inFlight++
	if l.inFlight >= l.current() {
		l.win.reached = true
	}
	return Slot{epoch: l.epoch}, true
}

// ProbeIn returns how long until a time-based increase frees a slot for
// a caller that TryAcquire turned away, or 0 when no such increase is
// pending.
func (l *Limiter) ProbeIn() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if d := l.probeDue(); d != never {
		return max(d, time.Millisecond)
	}
	return 0
}

// never is the value probeDue returns when no time-based increase applies.
const never = time.Duration(math.MaxInt64)

// probeDue returns the time until the next time-based increase, at most 0
// when it is due now. l.mu must be held.
func (l *Limiter) probeDue() time.Duration {
	if !l.probing || l.current() >= l.cfg.Max || !l.win.reached {
		return never
	}
	return l.cfg.ProbeInterval - l.cfg.Now().Sub(l.changed)
}

// Acquire waits for a free slot or for ctx to end.
func (l *Limiter) Acquire(ctx context.Context) (Slot, error) {
	for {
		s, ok := l.TryAcquire()
		if ok {
			return s, nil
		}
		l.mu.Lock()
		wake := l.wake
		due := l.probeDue()
		l.mu.Unlock()
		t := time.NewTimer(min(max(due, time.Millisecond), time.Minute))
		select {
		case <-ctx.Done():
			t.Stop()
			return Slot{}, ctx.Err()
		case <-wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// Release returns s with the upload's outcome, its duration and the bytes
// it carried.
func (l *Limiter) Release(s Slot, o Outcome, took time.Duration, bytes int64) {
	l.mu.Lock()
	l.inFlight--
	switch o {
	case Success:
		l.success(took, bytes)
	case Overload:
		// Uploads that started before the last decrease saw the old limit,
		// and that decrease already accounts for their backpressure.
		if s.epoch == l.epoch {
			l.decrease()
		}
	}
	notify := l.signal()
	l.mu.Unlock()
	if notify != nil {
		notify()
	}
}

// Decrease lowers the limit as if an upload had reported backpressure,
// for pressure found outside the uploads, such as memory.
func (l *Limiter) Decrease() {
	l.mu.Lock()
	l.decrease()
	notify := l.signal()
	l.mu.Unlock()
	if notify != nil {
		notify()
	}
}

// latencySamples is the least number of successes whose mean latency is
// compared with the moving average, so one slow upload is not taken for
// congestion.
const latencySamples = 4

func (l *Limiter) success(took time.Duration, bytes int64) {
	units := 1 + float64(bytes)/float64(l.cfg.BytesPerUnit)
	l.win.successes++
	l.win.latency += took.Seconds() / units
	need := max(l.cfg.Window, l.current())
	if l.probing {
		// Grow on every success, and judge latency every few.
		if l.win.reached {
			l.limit = min(l.limit+1, float64(l.cfg.Max))
			l.changed = l.cfg.Now()
			l.win.reached = l.inFlight >= l.current()
		}
		need = latencySamples
	}
	if l.win.successes < need {
		return
	}
	mean := l.win.latency / float64(l.win.successes)
	worse := l.ewma > 0 && mean > l.cfg.LatencyRatio*l.ewma
	steady := l.ewma == 0 || mean <= l.cfg.Tolerance*l.ewma
	if l.ewma == 0 {
		l.ewma = mean
	} else {
		l.ewma += l.cfg.Smoothing * (mean - l.ewma)
	}
	switch {
	case worse:
		l.decrease()
	case !l.probing && l.win.reached && steady:
		l.raise()
	default:
		l.win = window{reached: l.inFlight >= l.current()}
	}
}

// raise adds one to the limit and starts a new window.
func (l *Limiter) raise() {
	l.limit = min(l.limit+1, float64(l.cfg.Max))
	l.changed = l.cfg.Now()
	l.win = window{reached: l.inFlight >= l.current()}
}

func (l *Limiter) decrease() {
	l.limit = max(l.limit*l.cfg.Decrease, float64(l.cfg.Min))
	l.changed = l.cfg.Now()
	l.epoch++
	l.probing = false
	l.win = window{}
}

// signal wakes waiters and returns the change callback to run after the
// lock is released.
func (l *Limiter) signal() func() {
	close(l.wake)
	l.wake = make(chan struct{})
	return l.notify
}
