package watcher

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestReleaseThenRecreatedReportedAgain(t *testing.T) {
	t.Parallel()
	root := tempDir(t)
	h := start(t, Options{Root: root})
	h.waitListed(t)
	p := filepath.Join(root, "order.json")
	writeFile(t, p, "first")
	first := h.rec.wait(t, "order.json", 1)
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	h.w.Release(first.Path)
	time.Sleep(2 * testSettle)
	writeFile(t, p, "second!")
	if f := h.rec.wait(t, "order.json", 2); f.Size != 7 {
		t.Errorf("second report Size = %d, want 7", f.Size)
	}
	h.rec.quiet(t, "order.json", 2)
}

func TestRecreatedBeforeReleaseWaitsForRelease(t *testing.T) {
	t.Parallel()
	root := tempDir(t)
	h := start(t, Options{Root: root})
	h.waitListed(t)
	p := filepath.Join(root, "order.json")
	writeFile(t, p, "first")
	first := h.rec.wait(t, "order.json", 1)

	// A new file under the same name while the agent still holds the
	// path is not reported until the agent releases it.
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	writeFile(t, p, "second!")
	h.rec.quiet(t, "order.json", 1)

	h.w.Release(first.Path)
	if f := h.rec.wait(t, "order.json", 2); f.Size != 7 {
		t.Errorf("second report Size = %d, want 7", f.Size)
	}
	h.rec.quiet(t, "order.json", 2)
}

func TestReleaseOfRemovedFileForgetsIt(t *testing.T) {
	t.Parallel()
	root := tempDir(t)
	h := start(t, Options{Root: root, Rescan: 300 * time.Millisecond})
	h.waitListed(t)
	p := filepath.Join(root, "a.txt")
	writeFile(t, p, "x")
	f := h.rec.wait(t, "a.txt", 1)
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	h.w.Release(f.Path)
	h.rec.quiet(t, "a.txt", 1)
}

func TestHandedFileNotReportedByRescans(t *testing.T) {
	t.Parallel()
	root := tempDir(t)
	h := start(t, Options{Root: root, Rescan: 200 * time.Millisecond})
	h.waitListed(t)
	writeFile(t, filepath.Join(root, "held.txt"), "x")
	f := h.rec.wait(t, "held.txt", 1)
	h.rec.quiet(t, "held.txt", 1)

	// Released while still in the inbox (the agent could not file it):
	// the next rescan reports it again.
	h.w.Release(f.Path)
	h.rec.wait(t, "held.txt", 2)
}

func TestResettleReportsAgain(t *testing.T) {
	t.Parallel()
	root := tempDir(t)
	h := start(t, Options{Root: root})
	h.waitListed(t)
	p := filepath.Join(root, "changing.bin")
	writeFile(t, p, "v1")
	f := h.rec.wait(t, "changing.bin", 1)
	writeFile(t, p, "version 2")
	h.w.Resettle(f.Path)
	if got := h.rec.wait(t, "changing.bin", 2); got.Size != 9 {
		t.Errorf("Size after Resettle = %d, want 9", got.Size)
	}
	h.rec.quiet(t, "changing.bin", 2)
}

func TestResettleWaitsForSettle(t *testing.T) {
	t.Parallel()
	root := tempDir(t)
	settle := 2 * time.Second
	h := start(t, Options{Root: root, Settle: settle})
	h.waitListed(t)
	p := filepath.Join(root, "x.bin")
	writeFile(t, p, "v1")
	f := h.rec.wait(t, "x.bin", 1)
	h.w.Resettle(f.Path)
	resettled := time.Now()
	h.rec.wait(t, "x.bin", 2)
	if took := time.Since(resettled); took < settle {
		t.Fatalf("reported again %s after Resettle, want at least the settle time %s", took, settle)
	}
}

func TestReadyMarkerAfterFile(t *testing.T) {
	t.Parallel()
	root := tempDir(t)
	h := start(t, Options{Root: root, ReadyMarker: ".ready"})
	h.waitListed(t)
	p := filepath.Join(root, "x.pdf")
	writeFile(t, p, "pdf bytes")
	h.rec.quiet(t, "x.pdf", 0)
	writeFile(t, p+".ready", "")
	f := h.rec.wait(t, "x.pdf", 1)
	if f.Marker != p+".ready" {
		t.Errorf("Marker = %q, want %q", f.Marker, p+".ready")
	}
	if f.Size != 9 {
		t.Errorf("Size = %d, want 9", f.Size)
	}
	h.rec.quiet(t, "x.pdf", 1)
	if n := h.rec.count("x.pdf.ready"); n != 0 {
		t.Fatalf("the marker itself was reported %d times", n)
	}
}

func TestReadyMarkerBeforeFile(t *testing.T) {
	t.Parallel()
	root := tempDir(t)
	settle := time.Second
	h := start(t, Options{Root: root, Settle: settle, ReadyMarker: ".ready"})
	h.waitListed(t)
	p := filepath.Join(root, "y.pdf")
	writeFile(t, p+".ready", "")
	time.Sleep(settle / 2)
	created := time.Now()
	writeFile(t, p, "pdf")
	f := h.rec.wait(t, "y.pdf", 1)
	if took := time.Since(created); took < settle {
		t.Errorf("reported %s after creation, want at least the settle time %s", took, settle)
	}
	if f.Marker != p+".ready" {
		t.Errorf("Marker = %q, want %q", f.Marker, p+".ready")
	}
	h.rec.quiet(t, "y.pdf", 1)
}

func TestReadyMarkerInBacklog(t *testing.T) {
	t.Parallel()
	root := tempDir(t)
	writeFile(t, filepath.Join(root, "a.pdf"), "a")
	writeFile(t, filepath.Join(root, "a.pdf.ready"), "")
	writeFile(t, filepath.Join(root, "b.pdf"), "b")
	h := start(t, Options{Root: root, ReadyMarker: ".ready"})
	h.rec.wait(t, "a.pdf", 1)
	h.rec.quiet(t, "b.pdf", 0)
	if got := h.rec.rels(); len(got) != 1 {
		t.Fatalf("reported %v, want only a.pdf", got)
	}
}

func TestReadyMarkerInPollMode(t *testing.T) {
	t.Parallel()
	root := tempDir(t)
	h := start(t, Options{Root: root, Poll: true, Rescan: 300 * time.Millisecond, ReadyMarker: ".ready"})
	h.waitListed(t)
	p := filepath.Join(root, "z.pdf")
	writeFile(t, p, "z")
	h.rec.quiet(t, "z.pdf", 0)
	writeFile(t, p+".ready", "")
	h.rec.wait(t, "z.pdf", 1)
}
