package watcher

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"
)

func TestBacklogAtStart(t *testing.T) {
	t.Parallel()
	root := tempDir(t)
	want := map[string]string{
		"a.txt":         "alpha",
		"b.pdf":         "bravo bravo",
		"sub/c.csv":     "charlie",
		"sub/deep/d.md": "delta delta delta",
	}
	for rel, content := range want {
		writeFile(t, filepath.Join(root, filepath.FromSlash(rel)), content)
	}
	h := start(t, Options{Root: root, Recursive: true})
	for rel, content := range want {
		f := h.rec.wait(t, rel, 1)
		if f.Size != int64(len(content)) {
			t.Errorf("%s: Size = %d, want %d", rel, f.Size, len(content))
		}
		if f.Path != h.path(rel) {
			t.Errorf("%s: Path = %q, want %q", rel, f.Path, h.path(rel))
		}
		if f.Marker != "" {
			t.Errorf("%s: Marker = %q, want empty without a ready marker", rel, f.Marker)
		}
		if f.ModTime.IsZero() {
			t.Errorf("%s: ModTime is zero", rel)
		}
	}
	time.Sleep(quietPeriod)
	if got := len(h.rec.all()); got != len(want) {
		t.Fatalf("got %d reports, want %d: %v", got, len(want), h.rec.rels())
	}
}

func TestNonRecursiveIgnoresSubfolders(t *testing.T) {
	t.Parallel()
	root := tempDir(t)
	writeFile(t, filepath.Join(root, "sub", "old.txt"), "x")
	h := start(t, Options{Root: root})
	h.waitListed(t)
	writeFile(t, filepath.Join(root, "sub", "new.txt"), "x")
	writeFile(t, filepath.Join(root, "top.txt"), "x")
	h.rec.wait(t, "top.txt", 1)
	h.rec.quiet(t, "sub/new.txt", 0)
	if n := h.rec.count("sub/old.txt"); n != 0 {
		t.Fatalf("sub/old.txt reported %d times without Recursive", n)
	}
}

func TestCreateDuringStartupReportedOnce(t *testing.T) {
	t.Parallel()
	root := tempDir(t)
	for _, n := range names("before-", 300) {
		writeFile(t, filepath.Join(root, n), "b")
	}

	// Files keep arriving while Run arms its watch and lists the inbox.
	h := prepare(t, Options{Root: root})
	during := names("during-", 300)
	created := make(chan struct{})
	go func() {
		defer close(created)
		for _, n := range during {
			if err := os.WriteFile(filepath.Join(root, n), []byte("d"), 0o644); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	h.run(t)
	<-created

	h.rec.waitTotal(t, 600)
	time.Sleep(quietPeriod)
	seen := map[string]int{}
	for _, f := range h.rec.all() {
		seen[f.Rel]++
	}
	for rel, n := range seen {
		if n != 1 {
			t.Errorf("%s reported %d times, want once", rel, n)
		}
	}
	if len(seen) != 600 {
		t.Fatalf("%d distinct files reported, want 600", len(seen))
	}
}

func TestManyFilesAtOnceReportedOnce(t *testing.T) {
	t.Parallel()
	root := tempDir(t)
	h := start(t, Options{Root: root})
	h.waitListed(t)
	all := names("burst-", 1500)
	for _, n := range all {
		writeFile(t, filepath.Join(root, n), n)
	}
	h.rec.waitTotal(t, len(all))
	time.Sleep(quietPeriod)
	seen := map[string]int{}
	for _, f := range h.rec.all() {
		seen[f.Rel]++
	}
	for _, n := range all {
		if seen[n] != 1 {
			t.Errorf("%s reported %d times, want once", n, seen[n])
		}
	}
	if len(h.rec.all()) != len(all) {
		t.Fatalf("got %d reports, want %d", len(h.rec.all()), len(all))
	}
}

func TestOverflowListsInboxAgain(t *testing.T) {
	t.Parallel()
	root := tempDir(t)
	h := prepare(t, Options{Root: root})
	h.w.injectErr = make(chan error, 1)
	h.run(t)
	h.waitListed(t)

	// With events ignored and no periodic rescan, only the listing that
	// an overflow starts can find this file.
	h.w.dropEvents.Store(true)
	writeFile(t, filepath.Join(root, "missed.txt"), "no event for me")
	h.rec.quiet(t, "missed.txt", 0)

	h.w.injectErr <- fsnotify.ErrEventOverflow
	f := h.rec.wait(t, "missed.txt", 1)
	if f.Size != int64(len("no event for me")) {
		t.Errorf("Size = %d, want %d", f.Size, len("no event for me"))
	}
	if n := h.logs.count("file events lost, listing the inbox again", "class", "event_overflow"); n != 1 {
		t.Errorf("logged %d event_overflow lines, want 1", n)
	}
}

func TestWatchErrorListsInboxAgain(t *testing.T) {
	t.Parallel()
	root := tempDir(t)
	h := prepare(t, Options{Root: root})
	h.w.injectErr = make(chan error, 1)
	h.run(t)
	h.waitListed(t)
	h.w.dropEvents.Store(true)
	writeFile(t, filepath.Join(root, "missed.txt"), "x")
	h.w.injectErr <- errors.New("read inotify: input/output error")
	h.rec.wait(t, "missed.txt", 1)
	if n := h.logs.count("file events lost, listing the inbox again", "class", "watch_error"); n != 1 {
		t.Errorf("logged %d watch_error lines, want 1", n)
	}
}

func TestRunTwiceConcurrently(t *testing.T) {
	t.Parallel()
	root := tempDir(t)
	h := start(t, Options{Root: root})
	h.waitListed(t)
	err := h.w.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "already running") {
		t.Fatalf("second Run = %v, want an 'already running' error", err)
	}
}

func TestRunReturnsNilOnCancel(t *testing.T) {
	t.Parallel()
	root := tempDir(t)
	w, err := New(Options{Root: root, Settle: testSettle, Ready: func(File) {}})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Healthy(); err == nil {
		t.Error("Healthy() = nil before Run, want an error")
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	deadline := time.Now().Add(waitLong)
	for w.Healthy() != nil && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if err := w.Healthy(); err != nil {
		t.Fatalf("Healthy() = %v while running on an existing inbox", err)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run = %v after cancel, want nil", err)
		}
	case <-time.After(waitLong):
		t.Fatal("Run did not return after cancel")
	}
	if err := w.Healthy(); err == nil {
		t.Error("Healthy() = nil after Run returned, want an error")
	}
}
