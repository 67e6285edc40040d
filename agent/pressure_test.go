package agent

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// slotServer accepts slots uploads at a time, each held for hold, and
// responds with 429, without Retry-After, to any request beyond that.
type slotServer struct {
	slots    chan struct{}
	hold     time.Duration
	accepted atomic.Int64
	rejected atomic.Int64
	peak     atomic.Int64
	inFlight atomic.Int64
}

func newSlotServer(slots int, hold time.Duration) *slotServer {
	return &slotServer{slots: make(chan struct{}, slots), hold: hold}
}

func (s *slotServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	select {
	case s.slots <- struct{}{}:
	default:
		s.rejected.Add(1)
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusTooManyRequests)
		return
	}
	n := s.inFlight.Add(1)
	for p := s.peak.Load(); n > p && !s.peak.CompareAndSwap(p, n); p = s.peak.Load() {
	}
	io.Copy(io.Discard, r.Body)
	time.Sleep(s.hold)
	s.inFlight.Add(-1)
	<-s.slots
	s.accepted.Add(1)
	w.WriteHeader(http.StatusCreated)
}

func TestAgentAdaptsToTwoSlotServer(t *testing.T) {
	const files = 300
	srv := newSlotServer(2, 10*time.Millisecond)
	ts := newServer(t, srv)
	dir := t.TempDir()
	inbox := filepath.Join(dir, "inbox")
	for i := range files {
		writeFile(t, filepath.Join(inbox, fmt.Sprintf("f%03d.txt", i)), []byte(strings.Repeat("x", 1024)))
	}
	text := strings.Replace(configText(ts.URL+"/upload", ""), "max_uploads = 4", "max_uploads = 8", 1)
	ta := startAgent(t, dir, text)
	eventually(t, "every file uploaded", func() bool { return srv.accepted.Load() >= files })
	eventually(t, "inbox empty", func() bool {
		entries, _ := os.ReadDir(ta.inbox)
		return len(entries) == 0
	})
	accepted, rejected := srv.accepted.Load(), srv.rejected.Load()
	share := float64(rejected) / float64(accepted+rejected)
	t.Logf("accepted %d, rejected %d (%.1f%%), peak in flight %d", accepted, rejected, 100*share, srv.peak.Load())
	if share > 0.10 {
		t.Errorf("%.1f%% of requests rejected with 429, want at most 10%%", 100*share)
	}
	if accepted != files {
		t.Errorf("server accepted %d uploads, want %d", accepted, files)
	}
	lim := ta.limit()
	if lim < 2 || lim > 3 {
		t.Errorf("limit ended at %d, want 2 or 3 for a server with two slots", lim)
	}
}

// limit returns the first folder's concurrency limit.
func (ta *testAgent) limit() int { return ta.agent.folders[0].limiter.Limit() }

func TestAgentRetryAfterPausesEndpoint(t *testing.T) {
	var times []time.Time
	var mu sync.Mutex
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		mu.Lock()
		times = append(times, time.Now())
		first := len(times) == 1
		mu.Unlock()
		if first {
			w.Header().Set("Retry-After", "2")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.WriteHeader(http.StatusCreated)
	}))
	ta := startAgent(t, t.TempDir(), configText(srv.URL+"/upload", ""))
	writeFile(t, filepath.Join(ta.inbox, "a.txt"), []byte("a"))
	eventually(t, "a.txt in done", func() bool { return exists(filepath.Join(ta.done, "a.txt")) })
	writeFile(t, filepath.Join(ta.inbox, "b.txt"), []byte("b"))
	eventually(t, "b.txt in done", func() bool { return exists(filepath.Join(ta.done, "b.txt")) })
	mu.Lock()
	defer mu.Unlock()
	if len(times) != 3 {
		t.Fatalf("server saw %d requests, want 3 (one 429, then one per file)", len(times))
	}
	if gap := times[1].Sub(times[0]); gap < 1900*time.Millisecond {
		t.Errorf("next request %s after a 429 with Retry-After: 2, want at least 2s", gap)
	}
}
