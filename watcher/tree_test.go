package watcher

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestNewSubfolderWatched(t *testing.T) {
	t.Parallel()
	root := tempDir(t)
	h := start(t, Options{Root: root, Recursive: true})
	h.waitListed(t)
	sub := filepath.Join(root, "batch-7")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	// Created at once, before the watcher can have watched the folder:
	// the listing that follows the watch finds them.
	writeFile(t, filepath.Join(sub, "first.pdf"), "1")
	writeFile(t, filepath.Join(sub, "deeper", "second.pdf"), "22")
	h.rec.wait(t, "batch-7/first.pdf", 1)
	h.rec.wait(t, "batch-7/deeper/second.pdf", 1)

	// Later files arrive through the new folders' own watches.
	time.Sleep(2 * testSettle)
	writeFile(t, filepath.Join(sub, "later.pdf"), "333")
	writeFile(t, filepath.Join(sub, "deeper", "later.pdf"), "4444")
	h.rec.wait(t, "batch-7/later.pdf", 1)
	h.rec.wait(t, "batch-7/deeper/later.pdf", 1)
	time.Sleep(quietPeriod)
	if got := len(h.rec.all()); got != 4 {
		t.Fatalf("reported %v, want 4 files once each", h.rec.rels())
	}
}

func TestFolderMovedIn(t *testing.T) {
	t.Parallel()
	outside := tempDir(t)
	root := filepath.Join(outside, "inbox")
	if err := os.Mkdir(root, 0o755); err != nil {
		t.Fatal(err)
	}
	h := start(t, Options{Root: root, Recursive: true})
	h.waitListed(t)
	src := filepath.Join(outside, "job")
	writeFile(t, filepath.Join(src, "a.txt"), "a")
	writeFile(t, filepath.Join(src, "nested", "b.txt"), "b")
	if err := os.Rename(src, filepath.Join(root, "job")); err != nil {
		t.Fatal(err)
	}
	h.rec.wait(t, "job/a.txt", 1)
	h.rec.wait(t, "job/nested/b.txt", 1)
	h.rec.quiet(t, "job/a.txt", 1)
}

func TestRemovedSubfolderRecreated(t *testing.T) {
	t.Parallel()
	skipUnderWine(t, wineKeepsRemovedFolders)
	root := tempDir(t)
	sub := filepath.Join(root, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	h := start(t, Options{Root: root, Recursive: true})
	h.waitListed(t)
	if err := os.Remove(sub); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * testSettle)
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * testSettle)
	writeFile(t, filepath.Join(sub, "again.txt"), "x")
	h.rec.wait(t, "sub/again.txt", 1)
	h.rec.quiet(t, "sub/again.txt", 1)
}

func TestSubfolderRenamedWithinInbox(t *testing.T) {
	t.Parallel()
	root := tempDir(t)
	old := filepath.Join(root, "old")
	if err := os.Mkdir(old, 0o755); err != nil {
		t.Fatal(err)
	}
	h := start(t, Options{Root: root, Recursive: true})
	h.waitListed(t)
	if err := os.Rename(old, filepath.Join(root, "new")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * testSettle)
	writeFile(t, filepath.Join(root, "new", "x.txt"), "x")
	f := h.rec.wait(t, "new/x.txt", 1)
	if f.Path != filepath.Join(root, "new", "x.txt") {
		t.Errorf("Path = %q, want it under the new folder name", f.Path)
	}
	h.rec.quiet(t, "new/x.txt", 1)
	if n := h.rec.count("old/x.txt"); n != 0 {
		t.Fatalf("reported under the old folder name %d times", n)
	}
}

func TestExcludedFolderNotDescended(t *testing.T) {
	t.Parallel()
	root := tempDir(t)
	writeFile(t, filepath.Join(root, ".git", "objects", "ab"), "blob")
	writeFile(t, filepath.Join(root, ".sync", "state.db"), "state")
	h := start(t, Options{Root: root, Recursive: true, Exclude: defaultExclude, Rescan: 300 * time.Millisecond})
	h.waitListed(t)
	writeFile(t, filepath.Join(root, ".git", "HEAD"), "ref")
	writeFile(t, filepath.Join(root, "real.txt"), "x")
	h.rec.wait(t, "real.txt", 1)
	time.Sleep(quietPeriod)
	if got := h.rec.rels(); len(got) != 1 {
		t.Fatalf("reported %v, want only real.txt", got)
	}
	if n := h.logs.count("inbox listed", "folders", "0"); n != 1 {
		t.Errorf("first listing did not log folders=0; excluded folders must not be listed")
	}
}
