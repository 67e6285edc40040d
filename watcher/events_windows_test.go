package watcher

import (
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/windows"
)

// These tests run without rescans, so after the first listing only
// ReadDirectoryChangesW events (through fsnotify) can find a file.

// noWarnings fails the test if the watcher logged a warning or an error,
// such as lost events or a folder it could not watch, after which a
// listing and not an event may have found the file.
func noWarnings(t *testing.T, h *harness) {
	t.Helper()
	h.logs.mu.Lock()
	defer h.logs.mu.Unlock()
	for _, r := range *h.logs.recs {
		if r.level >= slog.LevelWarn {
			t.Errorf("watcher logged %s %q %v", r.level, r.msg, r.attrs)
		}
	}
}

// One watcher sees, by events alone, a file created in the inbox, a file
// renamed in, a file in new nested folders, a folder moved in with files,
// and a file created later in that folder, which needs the folder's own
// watch.
func TestEventsWithoutRescans(t *testing.T) {
	t.Parallel()
	outside := tempDir(t)
	root := filepath.Join(outside, "inbox")
	if err := os.Mkdir(root, 0o755); err != nil {
		t.Fatal(err)
	}
	h := start(t, Options{Root: root, Recursive: true})
	h.waitListed(t)

	writeFile(t, filepath.Join(root, "scan.pdf"), "page")
	if f := h.rec.wait(t, "scan.pdf", 1); f.Path != filepath.Join(root, "scan.pdf") {
		t.Errorf("Path = %q, want %q", f.Path, filepath.Join(root, "scan.pdf"))
	}

	src := filepath.Join(outside, "export.csv")
	writeFile(t, src, "till,total\n")
	if err := os.Rename(src, filepath.Join(root, "export.csv")); err != nil {
		t.Fatal(err)
	}
	h.rec.wait(t, "export.csv", 1)

	writeFile(t, filepath.Join(root, "2026", "12", "lab.txt"), "result 42")
	h.rec.wait(t, "2026/12/lab.txt", 1)

	batch := filepath.Join(outside, "batch")
	writeFile(t, filepath.Join(batch, "sub", "b.pdf"), "b")
	if err := os.Rename(batch, filepath.Join(root, "batch")); err != nil {
		t.Fatal(err)
	}
	h.rec.wait(t, "batch/sub/b.pdf", 1)
	writeFile(t, filepath.Join(root, "batch", "sub", "c.pdf"), "c")
	h.rec.wait(t, "batch/sub/c.pdf", 1)
	noWarnings(t, h)
}

// A file that another program holds open without sharing read or delete
// access is not reported until the handle is closed.
func TestHeldWithoutSharingNotReported(t *testing.T) {
	t.Parallel()
	root := tempDir(t)
	p := filepath.Join(root, "held.pdf")
	writeFile(t, p, "scanned page")
	name, err := windows.UTF16PtrFromString(p)
	if err != nil {
		t.Fatal(err)
	}
	handle, err := windows.CreateFile(name, windows.GENERIC_READ, 0, nil,
		windows.OPEN_EXISTING, windows.FILE_ATTRIBUTE_NORMAL, 0)
	if err != nil {
		t.Fatalf("open %s without sharing: %v", p, err)
	}
	closed := false
	defer func() {
		if !closed {
			windows.CloseHandle(handle)
		}
	}()
	h := start(t, Options{Root: root})
	h.waitListed(t)
	h.rec.quiet(t, "held.pdf", 0)
	windows.CloseHandle(handle)
	closed = true
	h.rec.wait(t, "held.pdf", 1)
}
