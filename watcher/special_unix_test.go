//go:build unix

package watcher

import (
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"sync"
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

// A file that cannot be opened for lack of permission is reported once it
// has settled and a second open fails too, so the agent can file it in
// failed/ with a note.
func TestUnreadableFileReported(t *testing.T) {
	t.Parallel()
	if os.Geteuid() == 0 {
		t.Skip("running as root, which reads files whatever their mode")
	}
	root := tempDir(t)
	h := start(t, Options{Root: root})
	h.waitListed(t)
	p := filepath.Join(root, "locked.txt")
	writeFile(t, p, "secret")
	if err := os.Chmod(p, 0); err != nil {
		t.Fatal(err)
	}
	f := h.rec.wait(t, "locked.txt", 1)
	if f.Size != int64(len("secret")) {
		t.Errorf("Size = %d, want %d", f.Size, len("secret"))
	}
	if n := h.logs.count("cannot read file, retrying", "class", "permission_denied", "path", p); n != 1 {
		t.Errorf("logged %d permission_denied warnings before the report, want 1", n)
	}
	if n := h.logs.count("", "class", "read_failed"); n != 0 {
		t.Errorf("logged %d lines with class read_failed, which is not an error class", n)
	}
	// Handed over, it is not reported again until Release.
	h.rec.quiet(t, "locked.txt", 1)
}

// A folder that cannot be listed is logged with the class that
// Options.Classify returns for the error.
func TestUnreadableFolderClassified(t *testing.T) {
	t.Parallel()
	if os.Geteuid() == 0 {
		t.Skip("running as root, which lists folders whatever their mode")
	}
	root := tempDir(t)
	dir := filepath.Join(root, "closed")
	writeFile(t, filepath.Join(dir, "inside.txt"), "x")
	if err := os.Chmod(dir, 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	var mu sync.Mutex
	var classified []error
	h := start(t, Options{Root: root, Recursive: true, Classify: func(err error) string {
		mu.Lock()
		defer mu.Unlock()
		classified = append(classified, err)
		return "test_class"
	}})
	h.logs.waitLog(t, "cannot list folder", "class", "test_class", "path", dir)
	if n := h.logs.count("", "class", "list_failed"); n != 0 {
		t.Errorf("logged %d lines with class list_failed, which is not an error class", n)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, err := range classified {
		if !errors.Is(err, fs.ErrPermission) {
			t.Errorf("Classify got %v, want a permission error", err)
		}
	}
}
