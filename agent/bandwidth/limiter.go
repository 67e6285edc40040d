package bandwidth

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// Burst is the token bucket's depth: the bytes that may go out at once
// after an idle spell. It must be at least uploader.ThrottleChunk.
const Burst = 64 << 10

// Limiter is a token bucket whose rate follows a Schedule. One Limiter is
// shared by all the uploads it caps. It implements uploader.Throttle.
type Limiter struct {
	sched   Schedule
	bucket  *rate.Limiter
	current atomic.Int64 // the Rate in force
	now     func() time.Time
}

// NewLimiter returns a Limiter at the rate sched sets for now(). A nil now
// means time.Now.
func NewLimiter(sched Schedule, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	l := &Limiter{sched: sched, bucket: rate.NewLimiter(rate.Inf, Burst), now: now}
	l.Update()
	return l
}

// Update sets the rate the schedule gives for now() and returns it and
// when the next entry starts (zero for a constant schedule).
func (l *Limiter) Update() (Rate, time.Time) {
	r, next := l.sched.At(l.now())
	if Rate(l.current.Swap(int64(r))) != r {
		if r == Off {
			l.bucket.SetLimit(rate.Inf)
		} else {
			l.bucket.SetLimit(rate.Limit(r))
		}
	}
	return r, next
}

// Rate returns the rate in force.
func (l *Limiter) Rate() Rate { return Rate(l.current.Load()) }

// WaitN blocks until n bytes may be sent or ctx ends; n must not exceed
// Burst.
func (l *Limiter) WaitN(ctx context.Context, n int) error {
	if l.Rate() == Off {
		return nil
	}
	return l.bucket.WaitN(ctx, n)
}

// Unlimited reports whether no cap is in force now.
func (l *Limiter) Unlimited() bool { return l.Rate() == Off }

// Run updates the rate whenever the schedule moves to another entry, and
// at least every minute so a changed system clock is noticed, until ctx
// ends. It logs each change of rate with the given scope ("agent" or a
// folder name).
func (l *Limiter) Run(ctx context.Context, log *slog.Logger, scope string) {
	last := l.Rate()
	for {
		r, next := l.Update()
		if r != last {
			log.Info("bandwidth limit changed", "scope", scope, "rate", r.String(), "previous", last.String())
			last = r
		}
		wait := time.Minute
		if !next.IsZero() {
			wait = min(max(next.Sub(l.now()), time.Second), time.Minute)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// Chain caps by every limiter in it; nil entries are skipped. It
// implements uploader.Throttle.
type Chain []*Limiter

// WaitN waits for each limiter in turn.
func (c Chain) WaitN(ctx context.Context, n int) error {
	for _, l := range c {
		if l != nil {
			if err := l.WaitN(ctx, n); err != nil {
				return err
			}
		}
	}
	return nil
}

// Unlimited reports whether no limiter in c caps the rate now.
func (c Chain) Unlimited() bool {
	for _, l := range c {
		if l != nil && !l.Unlimited() {
			return false
		}
	}
	return true
}
