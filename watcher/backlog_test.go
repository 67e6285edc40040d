package watcher

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// TestLargeBacklogStaysPendingCheaply lists a large backlog whose files all
// wait for ready markers, so every one stays pending, and checks the memory
// they take. 150 MiB for 100,000 pending files is the budget.
func TestLargeBacklogStaysPendingCheaply(t *testing.T) {
	if testing.Short() {
		t.Skip("creates a large backlog")
	}
	n := 100_000
	if runtime.GOOS == "windows" {
		// Under Wine, creating files is slow, and each look for a missing
		// marker reads the whole folder to match names without regard to
		// case. The memory bound is per file, so fewer files test it too.
		n = 2_000
	}
	const budgetPerFile = 150 << 20 / 100_000
	root := tempDir(t)
	for i := range n {
		if err := os.WriteFile(filepath.Join(root, fmt.Sprintf("f%06d.dat", i)), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)

	h := start(t, Options{Root: root, ReadyMarker: ".ready", Settle: time.Second})
	// Events flow while the backlog is listed and settled.
	writeFile(t, filepath.Join(root, "late.pdf"), "late")
	writeFile(t, filepath.Join(root, "late.pdf.ready"), "")
	h.rec.wait(t, "late.pdf", 1)
	h.waitListed(t)

	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	grown := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("heap grew by %d KiB for %d pending files, %d bytes per file", grown>>10, n, grown/int64(n))
	if grown > int64(n*budgetPerFile) {
		t.Errorf("heap grew by %d bytes for %d pending files, want at most %d bytes per file", grown, n, budgetPerFile)
	}

	// The backlog is pending, not lost: a marker releases one of them.
	writeFile(t, filepath.Join(root, "f000123.dat.ready"), "")
	h.rec.wait(t, "f000123.dat", 1)
	if got := len(h.rec.all()); got != 2 {
		t.Fatalf("reported %v, want late.pdf and f000123.dat", h.rec.rels())
	}
}

func TestOldBacklogSettlesEarly(t *testing.T) {
	t.Parallel()
	root := tempDir(t)
	p := filepath.Join(root, "yesterday.pdf")
	writeFile(t, p, "scanned last night")
	old := time.Now().Add(-24 * time.Hour)
	if err := os.Chtimes(p, old, old); err != nil {
		t.Fatal(err)
	}
	settle := time.Minute
	h := start(t, Options{Root: root, Settle: settle})
	began := time.Now()
	h.rec.wait(t, "yesterday.pdf", 1)
	// waitLong is well below settle: only the two-look path for old
	// files can report it in time.
	if took := time.Since(began); took >= settle {
		t.Fatalf("reported after %s, want well before the settle time %s", took, settle)
	}
}

func TestOldMtimeStillGrowingWaits(t *testing.T) {
	root := tempDir(t)
	p := filepath.Join(root, "share.dat")
	writeFile(t, p, "")
	old := time.Now().Add(-24 * time.Hour)
	if err := os.Chtimes(p, old, old); err != nil {
		t.Fatal(err)
	}
	// Poll mode: no events, and an mtime that stays old while the file
	// grows, as on a share that updates mtimes late.
	settle := 4 * time.Second
	h := start(t, Options{Root: root, Settle: settle, Poll: true, Rescan: time.Hour})
	h.waitListed(t)

	f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	for range 30 {
		if _, err := f.WriteString("0123456789"); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	if n := h.rec.count("share.dat"); n != 0 {
		t.Fatalf("share.dat reported %d times while it was growing", n)
	}
	if got := h.rec.wait(t, "share.dat", 1); got.Size != 300 {
		t.Errorf("Size = %d, want 300", got.Size)
	}
}
