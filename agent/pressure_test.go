package agent

import (
	"fmt"
	"io"
	"net/http"
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
	dir := tempDir(t)
	inbox := filepath.Join(dir, "inbox")
	for i := range files {
		writeFile(t, filepath.Join(inbox, fmt.Sprintf("f%03d.txt", i)), []byte(strings.Repeat("x", 1024)))
	}
	text := strings.Replace(configText(ts.URL+"/upload", ""), "max_uploads = 4", "max_uploads = 8", 1)
	ta := startAgent(t, dir, text)
	eventually(t, "every file uploaded", func() bool { return srv.accepted.Load() >= files })
	eventually(t, "inbox empty", func() bool {
		return len(inboxLeft(ta.inbox)) == 0
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
	ta := startAgent(t, tempDir(t), configText(srv.URL+"/upload", ""))
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

func TestAgentFolderBandwidthCap(t *testing.T) {
	var took atomic.Int64
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		io.Copy(io.Discard, r.Body)
		took.Store(int64(time.Since(start)))
		w.WriteHeader(http.StatusCreated)
	}))
	ta := startAgent(t, tempDir(t), configText(srv.URL+"/upload", `bandwidth = "64k"`))
	writeFile(t, filepath.Join(ta.inbox, "capped.bin"), make([]byte, 192<<10))
	eventually(t, "capped.bin in done", func() bool { return exists(filepath.Join(ta.done, "capped.bin")) })
	// 64 KiB of burst, then 128 KiB at 64 KiB/s. Only a lower bound: a
	// loaded machine may be slower, never faster.
	if d := time.Duration(took.Load()); d < 1800*time.Millisecond {
		t.Errorf("192 KiB under a 64k cap arrived in %s, want at least about 2s", d)
	}
	if !strings.Contains(ta.log.String(), "bandwidth=64k") {
		t.Errorf("start-up log does not show the folder's cap:\n%s", ta.log)
	}
}

func TestAgentMemoryPressurePausesIntake(t *testing.T) {
	s := newSink(nil)
	srv := newServer(t, s)
	ta := startAgent(t, tempDir(t), configText(srv.URL+"/upload", ""))
	var used atomic.Uint64
	watch := ta.agent.newMemoryWatch(used.Load)
	used.Store(600 << 20) // above the default memory_limit_mb of 512
	watch.Check()
	writeFile(t, filepath.Join(ta.inbox, "held.txt"), []byte("waits for memory"))
	time.Sleep(2 * time.Second) // settle is 300ms; a running intake would have sent it
	if n := s.count("held.txt"); n != 0 {
		t.Fatalf("file uploaded %d times while intake was paused", n)
	}
	used.Store(100 << 20) // below memory_warn_mb
	watch.Check()
	eventually(t, "held.txt in done", func() bool { return exists(filepath.Join(ta.done, "held.txt")) })
	log := ta.log.String()
	for _, msg := range []string{"memory above limit", "memory back below warning level"} {
		if !strings.Contains(log, msg) {
			t.Errorf("log lacks %q:\n%s", msg, log)
		}
	}
}
