package watcher

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestInboxRemovedAndRecreated(t *testing.T) {
	t.Parallel()
	skipUnderWine(t, wineKeepsRemovedFolders)
	parent := tempDir(t)
	root := filepath.Join(parent, "inbox")
	if err := os.Mkdir(root, 0o755); err != nil {
		t.Fatal(err)
	}
	h := start(t, Options{Root: root, Recursive: true})
	h.waitListed(t)
	h.waitHealthy(t, true)

	if err := os.Remove(root); err != nil {
		t.Fatal(err)
	}
	err := h.waitHealthy(t, false)
	if !strings.Contains(err.Error(), "unavailable") {
		t.Errorf("Healthy() = %q, want it to say the inbox is unavailable", err)
	}
	h.logs.waitLog(t, "inbox unavailable, retrying", "class", "inbox_missing")

	if err := os.Mkdir(root, 0o755); err != nil {
		t.Fatal(err)
	}
	h.waitHealthy(t, true)
	h.logs.waitLog(t, "inbox available again, watching it")
	writeFile(t, filepath.Join(root, "after.txt"), "back")
	writeFile(t, filepath.Join(root, "sub", "nested.txt"), "back")
	h.rec.wait(t, "after.txt", 1)
	h.rec.wait(t, "sub/nested.txt", 1)
	h.rec.quiet(t, "after.txt", 1)
}

func TestInboxReplacedQuickly(t *testing.T) {
	t.Parallel()
	parent := tempDir(t)
	root := filepath.Join(parent, "inbox")
	if err := os.Mkdir(root, 0o755); err != nil {
		t.Fatal(err)
	}
	h := start(t, Options{Root: root})
	h.waitListed(t)
	// Swap in another folder under the same name faster than any check.
	aside := filepath.Join(parent, "aside")
	if err := os.Rename(root, aside); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(root, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(root, "new.txt"), "x")
	writeFile(t, filepath.Join(aside, "elsewhere.txt"), "x")
	h.rec.wait(t, "new.txt", 1)
	h.rec.quiet(t, "elsewhere.txt", 0)
	if err := h.w.Healthy(); err != nil {
		t.Fatalf("Healthy() = %v after the inbox was replaced", err)
	}
}

func TestInboxMissingAtStart(t *testing.T) {
	t.Parallel()
	parent := tempDir(t)
	root := filepath.Join(parent, "later")
	h := start(t, Options{Root: root})
	err := h.waitHealthy(t, false)
	if !strings.Contains(err.Error(), fmt.Sprintf("%q", root)) {
		t.Errorf("Healthy() = %q, want it to name the inbox %q", err, root)
	}
	h.logs.waitLog(t, "inbox unavailable, retrying", "class", "inbox_missing")
	if err := os.Mkdir(root, 0o755); err != nil {
		t.Fatal(err)
	}
	h.waitHealthy(t, true)
	writeFile(t, filepath.Join(root, "first.txt"), "x")
	h.rec.wait(t, "first.txt", 1)
}

func TestInboxIsAFile(t *testing.T) {
	t.Parallel()
	parent := tempDir(t)
	root := filepath.Join(parent, "inbox")
	writeFile(t, root, "not a folder")
	h := start(t, Options{Root: root})
	err := h.waitHealthy(t, false)
	if !strings.Contains(err.Error(), "not a folder") {
		t.Errorf("Healthy() = %q, want it to say the inbox is not a folder", err)
	}
}

func TestPollModeFindsFiles(t *testing.T) {
	t.Parallel()
	root := tempDir(t)
	writeFile(t, filepath.Join(root, "old.txt"), "backlog")
	h := start(t, Options{Root: root, Recursive: true, Poll: true, Rescan: 300 * time.Millisecond})
	h.rec.wait(t, "old.txt", 1)
	writeFile(t, filepath.Join(root, "new.txt"), "new")
	writeFile(t, filepath.Join(root, "sub", "deep.txt"), "deep")
	h.rec.wait(t, "new.txt", 1)
	h.rec.wait(t, "sub/deep.txt", 1)
	h.rec.quiet(t, "new.txt", 1)
	if got := len(h.rec.all()); got != 3 {
		t.Fatalf("reported %v, want 3 files once each", h.rec.rels())
	}
	if err := h.w.Healthy(); err != nil {
		t.Fatalf("Healthy() = %v in poll mode", err)
	}
}

func TestPollModeChunkedWriter(t *testing.T) {
	root := tempDir(t)
	settle := 600 * time.Millisecond
	h := start(t, Options{Root: root, Poll: true, Rescan: 100 * time.Millisecond, Settle: settle})
	h.waitListed(t)
	f, err := os.Create(filepath.Join(root, "slow.dat"))
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		if _, err := f.WriteString("0123456789"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if n := h.rec.count("slow.dat"); n != 0 {
		t.Fatalf("slow.dat reported %d times while being written", n)
	}
	if got := h.rec.wait(t, "slow.dat", 1); got.Size != 200 {
		t.Errorf("Size = %d, want 200", got.Size)
	}
	h.rec.quiet(t, "slow.dat", 1)
}

func TestPeriodicRescanFindsMissedFile(t *testing.T) {
	t.Parallel()
	root := tempDir(t)
	h := start(t, Options{Root: root, Rescan: 400 * time.Millisecond})
	h.waitListed(t)
	h.w.dropEvents.Store(true)
	writeFile(t, filepath.Join(root, "share.txt"), "no event")
	h.rec.wait(t, "share.txt", 1)
	h.rec.quiet(t, "share.txt", 1)
}

func TestUnwatchableFolderFoundByRescans(t *testing.T) {
	t.Parallel()
	root := tempDir(t)
	sub := filepath.Join(root, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	h := prepare(t, Options{Root: root, Recursive: true})
	h.w.degradedRescan = 300 * time.Millisecond
	h.w.failWatch = func(dir string) error {
		if dir == sub {
			return errors.New("no space left on device")
		}
		return nil
	}
	h.run(t)
	err := h.waitHealthy(t, false)
	if !strings.Contains(err.Error(), fmt.Sprintf("%q", sub)) {
		t.Errorf("Healthy() = %q, want it to name the folder %q", err, sub)
	}
	if !strings.Contains(err.Error(), "rescanning every 300ms") {
		t.Errorf("Healthy() = %q, want it to give the rescan interval", err)
	}
	h.logs.waitLog(t, "cannot watch folders, their new files are found only by rescans", "class", "watch_failed")
	writeFile(t, filepath.Join(sub, "late.txt"), "x")
	h.rec.wait(t, "sub/late.txt", 1)
	h.rec.quiet(t, "sub/late.txt", 1)
	if n := h.logs.count("cannot watch folders, their new files are found only by rescans"); n != 1 {
		t.Errorf("logged the watch failure %d times, want once", n)
	}
}
