package watcher

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

const (
	testSettle = 250 * time.Millisecond
	// waitLong bounds every wait for something that should happen; the
	// tests run on loaded 2-core machines and under Wine.
	waitLong = 20 * time.Second
	// quietPeriod is how long a test watches for a report that must not
	// come: several settle times and looks.
	quietPeriod = 8 * testSettle

	// wineKeepsRemovedFolders explains the tests skipped under Wine: a
	// removed folder that fsnotify watches stays in place until the watch
	// is closed, and no event reports its removal. Windows ends the watch
	// with ERROR_ACCESS_DENIED, which fsnotify turns into a Remove event.
	wineKeepsRemovedFolders = "a removed folder stays until its watch is closed, with no event"
)

// tempDir makes a folder that is removed entry by entry, deepest first, at
// cleanup. os.RemoveAll of a non-empty folder fails under Wine, which runs
// these tests as Windows binaries.
func tempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "watcher-test-")
	if err != nil {
		t.Fatal(err)
	}
	dir, err = filepath.EvalSymlinks(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { removeTree(t, dir) })
	return dir
}

func removeTree(t *testing.T, dir string) {
	var paths []string
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil {
			paths = append(paths, p)
		}
		return nil
	})
	// Deeper paths sort after their parents; remove in reverse.
	slices.Sort(paths)
	for _, p := range slices.Backward(paths) {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			t.Logf("cleanup: %v", err)
		}
	}
}

func writeFile(t *testing.T, p, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// recorder collects the files a watcher reports.
type recorder struct {
	mu    sync.Mutex
	files []File
}

func (r *recorder) ready(f File) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.files = append(r.files, f)
}

func (r *recorder) all() []File {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.files)
}

func (r *recorder) count(rel string) int {
	n := 0
	for _, f := range r.all() {
		if f.Rel == rel {
			n++
		}
	}
	return n
}

// wait returns the n-th report of rel, failing the test when it does not
// come within waitLong.
func (r *recorder) wait(t *testing.T, rel string, n int) File {
	t.Helper()
	deadline := time.Now().Add(waitLong)
	for time.Now().Before(deadline) {
		var got []File
		for _, f := range r.all() {
			if f.Rel == rel {
				got = append(got, f)
			}
		}
		if len(got) >= n {
			return got[n-1]
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("report %d of %q did not come within %s; reported: %v", n, rel, waitLong, r.rels())
	return File{}
}

// waitTotal waits until n reports in all have come.
func (r *recorder) waitTotal(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(waitLong)
	for time.Now().Before(deadline) {
		if len(r.all()) >= n {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("got %d reports within %s, want %d", len(r.all()), waitLong, n)
}

// quiet waits quietPeriod and fails if rel was reported more than want
// times by then.
func (r *recorder) quiet(t *testing.T, rel string, want int) {
	t.Helper()
	time.Sleep(quietPeriod)
	if got := r.count(rel); got != want {
		t.Fatalf("%q reported %d times, want %d; reported: %v", rel, got, want, r.rels())
	}
}

func (r *recorder) rels() []string {
	var rels []string
	for _, f := range r.all() {
		rels = append(rels, f.Rel)
	}
	return rels
}

// logRecord is one line a watcher logged.
type logRecord struct {
	level slog.Level
	msg   string
	attrs map[string]string
}

// logSink records what a watcher logs and passes it on to the test's
// output.
type logSink struct {
	mu    *sync.Mutex
	recs  *[]logRecord
	next  slog.Handler
	attrs []slog.Attr
}

func newLogSink(t *testing.T) *logSink {
	return &logSink{
		mu:   &sync.Mutex{},
		recs: &[]logRecord{},
		next: slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}),
	}
}

func (h *logSink) Enabled(context.Context, slog.Level) bool { return true }

func (h *logSink) Handle(ctx context.Context, r slog.Record) error {
	rec := logRecord{level: r.Level, msg: r.Message, attrs: map[string]string{}}
	for _, a := range h.attrs {
		rec.attrs[a.Key] = a.Value.String()
	}
	r.Attrs(func(a slog.Attr) bool {
		rec.attrs[a.Key] = a.Value.String()
		return true
	})
	h.mu.Lock()
	*h.recs = append(*h.recs, rec)
	h.mu.Unlock()
	return h.next.Handle(ctx, r)
}

func (h *logSink) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	c.attrs = append(slices.Clone(h.attrs), attrs...)
	c.next = h.next.WithAttrs(attrs)
	return &c
}

func (h *logSink) WithGroup(name string) slog.Handler { return h }

// count returns how many lines match: the message is msg (when set)
// and every key=value in attrs holds.
func (h *logSink) count(msg string, attrs ...string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, r := range *h.recs {
		if msg != "" && r.msg != msg {
			continue
		}
		if matchAttrs(r.attrs, attrs) {
			n++
		}
	}
	return n
}

func matchAttrs(have map[string]string, want []string) bool {
	for i := 0; i+1 < len(want); i += 2 {
		if have[want[i]] != want[i+1] {
			return false
		}
	}
	return true
}

// waitLog waits until a matching line was logged.
func (h *logSink) waitLog(t *testing.T, msg string, attrs ...string) {
	t.Helper()
	deadline := time.Now().Add(waitLong)
	for time.Now().Before(deadline) {
		if h.count(msg, attrs...) > 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no log line %q %v within %s", msg, attrs, waitLong)
}

// harness is a running watcher with what it reported and logged.
type harness struct {
	w    *Watcher
	rec  *recorder
	logs *logSink
	root string
}

// start runs a watcher on o until the test ends; Settle defaults to
// testSettle.
func start(t *testing.T, o Options) *harness {
	t.Helper()
	h := prepare(t, o)
	h.run(t)
	return h
}

// prepare creates a watcher without running it, so a test can set hooks.
func prepare(t *testing.T, o Options) *harness {
	t.Helper()
	h := &harness{rec: &recorder{}, logs: newLogSink(t), root: o.Root}
	if o.Settle == 0 {
		o.Settle = testSettle
	}
	o.Ready = h.rec.ready
	o.Logger = slog.New(h.logs)
	w, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	h.w = w
	return h
}

func (h *harness) run(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.w.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run returned %v, want nil", err)
			}
		case <-time.After(waitLong):
			t.Errorf("Run did not return within %s of cancel", waitLong)
		}
	})
}

// waitListed waits until the first full listing of the inbox finished,
// so files created from now on are found by events.
func (h *harness) waitListed(t *testing.T) {
	t.Helper()
	h.logs.waitLog(t, "inbox listed")
}

// waitHealthy waits until Healthy returns nil (want == true) or an error.
func (h *harness) waitHealthy(t *testing.T, want bool) error {
	t.Helper()
	deadline := time.Now().Add(waitLong)
	var err error
	for time.Now().Before(deadline) {
		err = h.w.Healthy()
		if errors.Is(err, errNotRunning) {
			time.Sleep(10 * time.Millisecond)
			continue
		}
		if (err == nil) == want {
			return err
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("Healthy() = %v after %s, want healthy=%v", err, waitLong, want)
	return nil
}

func (h *harness) path(rel string) string {
	return filepath.Join(h.root, filepath.FromSlash(rel))
}

func names(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%05d.txt", prefix, i)
	}
	return out
}
