//go:build unix

package watcher

import (
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func TestSymlinksSkipped(t *testing.T) {
	t.Parallel()
	outside := tempDir(t)
	writeFile(t, filepath.Join(outside, "target.txt"), "outside the inbox")
	writeFile(t, filepath.Join(outside, "dir", "inner.txt"), "outside the inbox")
	root := filepath.Join(outside, "inbox")
	if err := os.Mkdir(root, 0o755); err != nil {
		t.Fatal(err)
	}
	// One link in the backlog, the others created while watching.
	if err := os.Symlink(filepath.Join(outside, "target.txt"), filepath.Join(root, "early-link.txt")); err != nil {
		t.Fatal(err)
	}
	h := start(t, Options{Root: root, Recursive: true, Rescan: 200 * time.Millisecond})
	h.waitListed(t)

	if err := os.Symlink(filepath.Join(outside, "target.txt"), filepath.Join(root, "file-link.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "dir"), filepath.Join(root, "dir-link")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(root, "real.txt"), "x")

	h.rec.wait(t, "real.txt", 1)
	time.Sleep(quietPeriod) // several rescans
	if got := h.rec.rels(); len(got) != 1 {
		t.Fatalf("reported %v, want only real.txt", got)
	}
	for _, name := range []string{"early-link.txt", "file-link.txt", "dir-link"} {
		p := filepath.Join(root, name)
		if n := h.logs.count("", "class", "rejected_link", "path", p); n != 1 {
			t.Errorf("%s: logged %d rejected_link lines, want exactly 1", name, n)
		}
	}
}

func TestSpecialFilesSkipped(t *testing.T) {
	t.Parallel()
	root := tempDir(t)
	fifo := filepath.Join(root, "backlog.fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	h := start(t, Options{Root: root, Rescan: 200 * time.Millisecond})
	h.waitListed(t)

	fifo2 := filepath.Join(root, "new.fifo")
	if err := syscall.Mkfifo(fifo2, 0o644); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(root, "s.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	writeFile(t, filepath.Join(root, "real.txt"), "x")

	// A FIFO opened for reading would block the loop, and this report
	// would never come.
	h.rec.wait(t, "real.txt", 1)
	time.Sleep(quietPeriod)
	if got := h.rec.rels(); len(got) != 1 {
		t.Fatalf("reported %v, want only real.txt", got)
	}
	for _, p := range []string{fifo, fifo2, sock} {
		if n := h.logs.count("", "class", "rejected_special", "path", p); n != 1 {
			t.Errorf("%s: logged %d rejected_special lines, want exactly 1", filepath.Base(p), n)
		}
	}
}

func TestUnreadableFileWaits(t *testing.T) {
	t.Parallel()
	if os.Geteuid() == 0 {
		t.Skip("root reads files whatever their mode")
	}
	root := tempDir(t)
	h := start(t, Options{Root: root})
	h.waitListed(t)
	p := filepath.Join(root, "locked.txt")
	writeFile(t, p, "secret")
	if err := os.Chmod(p, 0); err != nil {
		t.Fatal(err)
	}
	h.logs.waitLog(t, "cannot read file, retrying", "class", "read_failed", "path", p)
	h.rec.quiet(t, "locked.txt", 0)
	if err := os.Chmod(p, 0o644); err != nil {
		t.Fatal(err)
	}
	h.rec.wait(t, "locked.txt", 1)
	if n := h.logs.count("cannot read file, retrying", "path", p); n != 1 {
		t.Errorf("logged the read failure %d times, want once", n)
	}
}
