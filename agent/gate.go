package agent

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/hotfolder/hotfolder/uploader"
)

// gate holds back new attempts to an endpoint that is down or asked the
// agent to wait, so an outage costs one probe per backoff period instead of
// one failed request per queued file. HTTP 502, 503 and 504 without a
// Retry-After count as an outage too. Other throttling without a
// Retry-After does not pause the endpoint: the folder's concurrency
// limiter responds by running fewer uploads at once.
type gate struct {
	mu       sync.Mutex
	until    time.Time
	failures int
	min, max time.Duration
}

// wait blocks until the endpoint may be tried again.
func (g *gate) wait(ctx context.Context) error {
	for {
		g.mu.Lock()
		d := time.Until(g.until)
		g.mu.Unlock()
		if d <= 0 {
			return nil
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// remaining returns how long the endpoint stays paused, 0 when it is open.
func (g *gate) remaining() time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	return max(time.Until(g.until), 0)
}

// record updates the gate after an attempt and returns how long the
// endpoint is now paused.
func (g *gate) record(err error) time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	if err == nil {
		g.failures = 0
		return 0
	}
	var d time.Duration
	var ue *uploader.Error
	switch uploader.Classify(err) {
	case uploader.ClassThrottled, uploader.ClassHTTPServer, uploader.ClassTimeout:
		switch {
		case !errors.As(err, &ue):
			return 0
		case ue.RetryAfter > 0:
			d = ue.RetryAfter
		case ue.Status == 502 || ue.Status == 503 || ue.Status == 504:
			// A gateway or load balancer answering for a server that is
			// down: an outage, like a refused connection.
			g.failures++
			d = uploader.Backoff(g.failures, g.min, g.max)
		default:
			return 0
		}
	case uploader.ClassDNS, uploader.ClassRefused, uploader.ClassTLS, uploader.ClassNetwork:
		g.failures++
		d = uploader.Backoff(g.failures, g.min, g.max)
	default:
		return 0
	}
	if until := time.Now().Add(d); until.After(g.until) {
		g.until = until
	}
	return d
}
