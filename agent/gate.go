package agent

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/hotfolder/hotfolder/uploader"
)

// gate holds back new attempts to an endpoint that is down or asked the
// agent to wait, so an outage costs one request per backoff period instead
// of one per queued file.
//
// An outage is a refused connection or another transport failure, HTTP
// 502, 503 or 504 without a Retry-After, or a response that needs a person
// (unauthorized, redirected). It pauses the endpoint with backoff. When
// the pause ends, one attempt probes the endpoint while the others wait
// for its outcome: success or any other response opens the gate, another
// outage pauses it again for longer. A Retry-After pauses the endpoint
// for the time given. Throttling without one does not pause it: the
// folder's concurrency limiter runs fewer uploads at once instead.
type gate struct {
	min, max time.Duration

	mu       sync.Mutex
	until    time.Time // no attempt starts before this
	failures int       // outages in a row; above 0 the endpoint counts as down
	probing  bool      // an attempt is probing the endpoint after a pause
	problem  error     // the last outage that needs a person, for health
	changed  chan struct{}
	notify   func() // called after each outcome, without mu held
}

// probeRecheck is how long the queue waits before it looks again at a
// folder whose endpoint is being probed. The probe's outcome wakes it
// sooner through notify.
const probeRecheck = time.Second

// blocked returns how long the endpoint stays closed to new attempts, 0
// when an attempt may start: the gate is open, or an outage's pause is
// over and no probe is in flight.
func (g *gate) blocked() time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	if d := time.Until(g.until); d > 0 {
		return d
	}
	if g.failures > 0 && g.probing {
		return probeRecheck
	}
	return 0
}

// wait blocks until the caller may start an attempt. During an outage,
// the first caller after the pause becomes the probe and the others wait
// for its outcome.
func (g *gate) wait(ctx context.Context) error {
	for {
		g.mu.Lock()
		d := time.Until(g.until)
		if d <= 0 && g.failures > 0 {
			if !g.probing {
				g.probing = true
				d = 0
			} else {
				d = probeRecheck
			}
		}
		if g.changed == nil {
			g.changed = make(chan struct{})
		}
		changed := g.changed
		g.mu.Unlock()
		if d <= 0 {
			return nil
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-changed:
			t.Stop()
		case <-t.C:
		}
	}
}

// pausedFor returns how long the endpoint stays paused, 0 when it is open.
func (g *gate) pausedFor() time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	return max(time.Until(g.until), 0)
}

// health returns the outage that needs a person to act (wrong
// credentials, a moved endpoint), or nil.
func (g *gate) health() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.problem
}

// abandon frees the probe of a caller of wait that made no attempt after
// all, such as for a file that could not be read.
func (g *gate) abandon() {
	g.mu.Lock()
	g.probing = false
	g.mu.Unlock()
	g.signal()
}

// record updates the gate with an attempt's outcome and returns how long
// the endpoint is now paused.
func (g *gate) record(err error) time.Duration {
	d := g.update(err)
	g.signal()
	return d
}

// signal wakes the callers of wait and the queue after a change.
func (g *gate) signal() {
	g.mu.Lock()
	if g.changed != nil {
		close(g.changed)
		g.changed = nil
	}
	notify := g.notify
	g.mu.Unlock()
	if notify != nil {
		notify()
	}
}

func (g *gate) update(err error) time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.probing = false
	class := uploader.Classify(err)
	if err == nil || class == uploader.ClassCanceled {
		if err == nil {
			g.failures, g.problem = 0, nil
		}
		return 0
	}
	var ue *uploader.Error
	errors.As(err, &ue)

	var d time.Duration
	switch {
	case ue != nil && ue.RetryAfter > 0:
		d = ue.RetryAfter
	case outage(class, ue):
		g.failures++
		d = uploader.Backoff(g.failures, g.min, g.max)
		if class == uploader.ClassUnauthorized || class == uploader.ClassRedirected {
			g.problem = err
		}
	default:
		// The endpoint responded, so whatever is wrong is not an outage.
		g.failures, g.problem = 0, nil
		return 0
	}

	if until := time.Now().Add(d); until.After(g.until) {
		g.until = until
	}
	return d
}

// outage reports whether an attempt's failure means the endpoint as a
// whole cannot take uploads now.
func outage(class uploader.Class, ue *uploader.Error) bool {
	switch class {
	case uploader.ClassDNS, uploader.ClassRefused, uploader.ClassTLS, uploader.ClassNetwork,
		uploader.ClassUnauthorized, uploader.ClassRedirected:
		return true
	}
	if ue == nil {
		return false
	}
	switch ue.Status {
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		// A gateway or load balancer responding for a server that is down.
		return true
	}
	return false
}
