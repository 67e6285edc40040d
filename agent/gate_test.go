package agent

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hotfolder/hotfolder/uploader"
)

func TestGateLetsOneProbeThroughAfterOutage(t *testing.T) {
	g := &gate{min: 50 * time.Millisecond, max: 50 * time.Millisecond}
	refused := &uploader.Error{Class: uploader.ClassRefused, Err: errors.New("refused")}
	if d := g.record(refused); d <= 0 {
		t.Fatalf("a refused connection did not pause the endpoint")
	}
	var passed atomic.Int32
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	for range 4 {
		go func() {
			if g.wait(ctx) == nil {
				passed.Add(1)
			}
			done <- struct{}{}
		}()
	}
	<-done // the probe
	time.Sleep(200 * time.Millisecond)
	if n := passed.Load(); n != 1 {
		t.Fatalf("%d callers passed during the probe, want 1", n)
	}
	if d := g.blocked(); d <= 0 {
		t.Errorf("blocked() = %s while a probe is in flight, want > 0", d)
	}
	g.record(nil) // the probe succeeded: the endpoint is open
	for range 3 {
		select {
		case <-done:
		case <-time.After(waitFor):
			t.Fatal("waiters still blocked after the probe succeeded")
		}
	}
	if n := passed.Load(); n != 4 {
		t.Errorf("%d callers passed, want 4", n)
	}
}

func TestGateAbandonedProbeFreesNextCaller(t *testing.T) {
	g := &gate{min: time.Millisecond, max: time.Millisecond}
	g.record(&uploader.Error{Class: uploader.ClassHTTPServer, Status: http.StatusBadGateway})
	time.Sleep(10 * time.Millisecond)
	if err := g.wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	g.abandon()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := g.wait(ctx); err != nil {
		t.Fatalf("the next caller did not become the probe after abandon: %v", err)
	}
}

func TestGateHealthNeedsPerson(t *testing.T) {
	g := &gate{min: time.Millisecond, max: time.Millisecond}
	g.record(&uploader.Error{Class: uploader.ClassRefused})
	if err := g.health(); err != nil {
		t.Errorf("health after a refused connection = %v, want nil: an outage passes by itself", err)
	}
	g.record(&uploader.Error{Class: uploader.ClassUnauthorized, Status: http.StatusUnauthorized})
	if g.health() == nil {
		t.Error("health after HTTP 401 is nil, want the problem")
	}
	g.record(nil)
	if err := g.health(); err != nil {
		t.Errorf("health after a success = %v, want nil", err)
	}
}

func TestGateOtherAnswersOpenEndpoint(t *testing.T) {
	g := &gate{min: time.Hour, max: time.Hour}
	g.record(&uploader.Error{Class: uploader.ClassRefused})
	g.mu.Lock()
	g.until = time.Time{} // the pause is over
	g.mu.Unlock()
	if err := g.wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if d := g.record(&uploader.Error{Class: uploader.ClassHTTPServer, Status: http.StatusInternalServerError}); d != 0 {
		t.Errorf("HTTP 500 paused the endpoint for %s, want no pause", d)
	}
	if d := g.blocked(); d != 0 {
		t.Errorf("blocked() = %s after the endpoint answered, want 0", d)
	}
}
