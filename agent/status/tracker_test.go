package status

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

func newTestTracker(c *clock, health func(string) error) *Tracker {
	return NewTracker(Options{Folders: []string{"scans", "lab"}, Version: "1.2.3", Now: c.Now, Recent: 5, Health: health})
}

func TestTrackerUploadProgress(t *testing.T) {
	c := newClock()
	tr := newTestTracker(c, nil)
	var m counter
	u := tr.Begin("scans", "a/scan.pdf", 10000, 2, &m)
	for range 3 {
		c.advance(time.Second)
		m.add(1000)
		tr.Sample()
	}
	s := tr.Snapshot()
	if len(s.InFlight) != 1 {
		t.Fatalf("in flight = %d, want 1", len(s.InFlight))
	}
	got := s.InFlight[0]
	if got.File != "a/scan.pdf" || got.Folder != "scans" || got.Attempt != 2 || got.Size != 10000 {
		t.Errorf("upload = %+v", got)
	}
	if got.Sent != 3000 || got.Percent != 30 {
		t.Errorf("sent %d (%.1f%%), want 3000 (30%%)", got.Sent, got.Percent)
	}
	if got.Rate != 1000 {
		t.Errorf("rate = %v, want 1000", got.Rate)
	}
	if got.ETASeconds == nil || *got.ETASeconds != 7 {
		t.Errorf("ETA = %v, want 7s", got.ETASeconds)
	}
	if s.Queue.InFlight != 1 || s.Queue.Remaining != 7000 {
		t.Errorf("queue = %+v, want 1 in flight and 7000 bytes remaining", s.Queue)
	}
	u.End()
	if s := tr.Snapshot(); len(s.InFlight) != 0 || s.Queue.InFlight != 0 || s.Folders[0].InFlight != 0 {
		t.Errorf("after End: %+v", s)
	}
}

func TestTrackerSentCappedAtSize(t *testing.T) {
	c := newClock()
	tr := newTestTracker(c, nil)
	var m counter
	m.set(10300) // request headers and form framing count too
	u := tr.Begin("scans", "x.pdf", 10000, 1, &m)
	defer u.End()
	got := tr.Snapshot().InFlight[0]
	if got.Sent != 10000 || got.Percent != 100 {
		t.Errorf("sent %d (%.1f%%), want 10000 (100%%)", got.Sent, got.Percent)
	}
}

func TestTrackerQueueETA(t *testing.T) {
	c := newClock()
	tr := newTestTracker(c, nil)
	tr.Queued("scans", 4000)
	tr.Queued("lab", 2000)
	tr.Queued("lab", 1000)
	tr.Dequeued("lab", 1000)
	var m counter
	u := tr.Begin("lab", "run.csv", 1000, 1, &m)
	defer u.End()
	c.advance(time.Second)
	m.set(500)
	tr.Sample()
	s := tr.Snapshot()
	if s.Queue.Files != 2 || s.Queue.Bytes != 6000 {
		t.Errorf("queue = %d files, %d bytes; want 2, 6000", s.Queue.Files, s.Queue.Bytes)
	}
	if s.Queue.Remaining != 6500 {
		t.Errorf("remaining = %d, want 6500", s.Queue.Remaining)
	}
	if s.Queue.ETASeconds == nil || *s.Queue.ETASeconds != 13 {
		t.Errorf("queue ETA = %v, want 13s at 500 B/s", s.Queue.ETASeconds)
	}
	tr.ClearQueue()
	if s := tr.Snapshot(); s.Queue.Files != 0 || s.Queue.Bytes != 0 {
		t.Errorf("after ClearQueue: %+v", s.Queue)
	}
}

func TestTrackerNoRateWhenIdle(t *testing.T) {
	c := newClock()
	tr := newTestTracker(c, nil)
	var m counter
	u := tr.Begin("scans", "a.pdf", 1000, 1, &m)
	c.advance(time.Second)
	m.set(1000)
	tr.Sample()
	u.End()
	tr.Queued("scans", 5000)
	s := tr.Snapshot()
	if s.Queue.Rate != 0 || s.Queue.ETASeconds != nil {
		t.Errorf("with nothing in flight: rate %v, ETA %v; want 0 and unknown", s.Queue.Rate, s.Queue.ETASeconds)
	}
}

func TestTrackerRecentNewestFirst(t *testing.T) {
	c := newClock()
	tr := newTestTracker(c, nil)
	for i := range 7 {
		c.advance(time.Second)
		tr.Record(Outcome{Folder: "scans", File: fmt.Sprintf("f%d", i), Outcome: OutcomeDone, Bytes: 10})
	}
	s := tr.Snapshot()
	if len(s.Recent) != 5 {
		t.Fatalf("recent holds %d, want the limit 5", len(s.Recent))
	}
	for i, want := range []string{"f6", "f5", "f4", "f3", "f2"} {
		if s.Recent[i].File != want {
			t.Errorf("recent[%d] = %s, want %s", i, s.Recent[i].File, want)
		}
	}
	if s.Folders[0].Uploaded != 7 {
		t.Errorf("uploaded = %d, want 7", s.Folders[0].Uploaded)
	}
}

func TestTrackerLastErrorPerClass(t *testing.T) {
	c := newClock()
	tr := newTestTracker(c, nil)
	tr.Record(Outcome{Folder: "scans", File: "a", Outcome: OutcomeRetry, Class: "dns", Error: "first"})
	tr.Record(Outcome{Folder: "lab", File: "b", Outcome: OutcomeRetry, Class: "dns", Error: "second"})
	tr.Record(Outcome{Folder: "lab", File: "c", Outcome: OutcomeFailed, Class: "http_client", Status: 400, Error: "bad"})
	s := tr.Snapshot()
	if len(s.LastErrors) != 2 {
		t.Fatalf("last errors = %v, want dns and http_client", s.LastErrors)
	}
	if e := s.LastErrors["dns"]; e.Error != "second" || e.File != "b" {
		t.Errorf("last dns error = %+v, want the second", e)
	}
	if e := s.LastErrors["http_client"]; e.Status != 400 {
		t.Errorf("last http_client error = %+v", e)
	}
	if s.Folders[1].Failed != 1 {
		t.Errorf("lab failed = %d, want 1", s.Folders[1].Failed)
	}
}

func TestTrackerHealth(t *testing.T) {
	c := newClock()
	broken := errors.New("inbox missing")
	tr := newTestTracker(c, func(folder string) error {
		if folder == "lab" {
			return broken
		}
		return nil
	})
	s := tr.Snapshot()
	if s.Healthy {
		t.Error("healthy with a broken watcher")
	}
	if len(s.Problems) != 1 || s.Problems[0] != "folder lab: inbox missing" {
		t.Errorf("problems = %q", s.Problems)
	}
	if !s.Folders[0].Healthy || s.Folders[1].Healthy || s.Folders[1].Problem != "inbox missing" {
		t.Errorf("folders = %+v", s.Folders)
	}

	ok := newTestTracker(c, nil)
	if s := ok.Snapshot(); !s.Healthy || s.State != "running" {
		t.Errorf("fresh tracker: healthy %v, state %s", s.Healthy, s.State)
	}
	ok.SetStopping()
	if s := ok.Snapshot(); s.Healthy || s.State != "stopping" {
		t.Errorf("stopping tracker: healthy %v, state %s", s.Healthy, s.State)
	}
}

func TestTrackerRetryWaiting(t *testing.T) {
	tr := newTestTracker(newClock(), nil)
	tr.RetryWaiting("scans", +1)
	tr.RetryWaiting("scans", +1)
	tr.RetryWaiting("scans", -1)
	if s := tr.Snapshot(); s.Queue.RetryWaiting != 1 || s.Folders[0].RetryWaiting != 1 {
		t.Errorf("retry waiting = %d, folder %d; want 1", s.Queue.RetryWaiting, s.Folders[0].RetryWaiting)
	}
}

// The queue's rate counts only time with uploads in flight. Idle seconds
// before an upload, or between two, would otherwise average in as 0 B/s,
// and the queue would show a fraction of the rate of its one upload.
func TestTrackerQueueRateSkipsIdleTime(t *testing.T) {
	c := newClock()
	tr := newTestTracker(c, nil)
	for range 10 {
		c.advance(time.Second)
		tr.Sample()
	}
	var m counter
	u := tr.Begin("scans", "a.pdf", 100_000, 1, &m)
	for range 5 {
		c.advance(time.Second)
		m.add(2000)
		tr.Sample()
	}
	s := tr.Snapshot()
	if s.InFlight[0].Rate != 2000 {
		t.Fatalf("upload rate = %v, want 2000", s.InFlight[0].Rate)
	}
	if s.Queue.Rate != s.InFlight[0].Rate {
		t.Errorf("queue rate = %v with one upload in flight at %v", s.Queue.Rate, s.InFlight[0].Rate)
	}
	u.End()

	for range 30 {
		c.advance(time.Second)
		tr.Sample()
	}
	var m2 counter
	u2 := tr.Begin("lab", "b.csv", 100_000, 1, &m2)
	defer u2.End()
	c.advance(time.Second)
	m2.add(2000)
	tr.Sample()
	s = tr.Snapshot()
	if s.Queue.Rate != 2000 {
		t.Errorf("queue rate after 30 idle seconds = %v, want 2000, the rate of the uploads before and after", s.Queue.Rate)
	}
}
