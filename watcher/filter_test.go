package watcher

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestFilterFile(t *testing.T) {
	t.Parallel()
	root := filepath.Join(string(filepath.Separator)+"srv", "inbox")
	done := filepath.Join(root, "done")
	f := newFilter(Options{
		Root:        root,
		Recursive:   true,
		Skip:        []string{done},
		Include:     []string{"*.pdf", "scans/*.tif"},
		Exclude:     defaultExclude,
		ReadyMarker: ".ready",
	})
	cases := []struct {
		rel  string
		want bool
	}{
		{"a.pdf", true},
		{"sub/deep/a.pdf", true},
		{"a.txt", false},
		{"scans/page.tif", true},
		{"other/page.tif", false},
		{"scans/deeper/page.tif", false},
		{".hidden.pdf", false},
		{"~$a.pdf", false},
		{"a.pdf.part", false},
		{"done/a.pdf", false},
		{"done/sub/a.pdf", false},
		{"donex/a.pdf", true},
	}
	for _, tc := range cases {
		p := filepath.Join(root, filepath.FromSlash(tc.rel))
		if got := f.file(p); got != tc.want {
			t.Errorf("file(%q) = %v, want %v", tc.rel, got, tc.want)
		}
	}
	outside := filepath.Join(string(filepath.Separator)+"srv", "inboxes", "a.pdf")
	if f.file(outside) {
		t.Errorf("file(%q) = true for a path outside the inbox", outside)
	}
}

func TestFilterDir(t *testing.T) {
	t.Parallel()
	root := filepath.Join(string(filepath.Separator)+"srv", "inbox")
	f := newFilter(Options{
		Root:      root,
		Recursive: true,
		Skip:      []string{filepath.Join(root, "failed")},
		Include:   []string{"*.pdf"},
		Exclude:   append([]string{"archive"}, defaultExclude...),
	})
	cases := []struct {
		rel  string
		want bool
	}{
		{"scans", true},
		{"scans/2024", true},
		{".git", false},
		{"sub/.sync", false},
		{"archive", false},
		{"failed", false},
		{"failed/x", false},
	}
	for _, tc := range cases {
		p := filepath.Join(root, filepath.FromSlash(tc.rel))
		if got := f.dir(p); got != tc.want {
			t.Errorf("dir(%q) = %v, want %v", tc.rel, got, tc.want)
		}
	}
	flat := newFilter(Options{Root: root})
	if flat.dir(filepath.Join(root, "scans")) {
		t.Error("dir(scans) = true without Recursive")
	}
	if !flat.dir(root) {
		t.Error("dir(root) = false; the inbox itself is always listed")
	}
}

func TestFilterMarkerBase(t *testing.T) {
	t.Parallel()
	root := filepath.Join(string(filepath.Separator)+"srv", "inbox")
	f := newFilter(Options{Root: root, ReadyMarker: ".ready"})
	x := filepath.Join(root, "x.pdf")
	if got := f.markerBase(x + ".ready"); got != x {
		t.Errorf("markerBase(x.pdf.ready) = %q, want %q", got, x)
	}
	if got := f.markerBase(x); got != "" {
		t.Errorf("markerBase(x.pdf) = %q, want empty", got)
	}
	if got := f.markerBase(filepath.Join(root, ".ready")); got != "" {
		t.Errorf("markerBase(.ready) = %q, want empty: a bare marker has no file", got)
	}
	none := newFilter(Options{Root: root})
	if got := none.markerBase(x + ".ready"); got != "" {
		t.Errorf("markerBase without a marker = %q, want empty", got)
	}
}

func TestNewRejectsInvalidOptions(t *testing.T) {
	t.Parallel()
	ready := func(File) {}
	abs := tempDir(t)
	cases := []struct {
		name string
		o    Options
		want string
	}{
		{"relative root", Options{Root: "inbox", Settle: time.Second, Ready: ready}, "not an absolute path"},
		{"no ready", Options{Root: abs, Settle: time.Second}, "Ready"},
		{"zero settle", Options{Root: abs, Ready: ready}, "settle"},
		{"negative rescan", Options{Root: abs, Settle: time.Second, Rescan: -time.Second, Ready: ready}, "rescan"},
		{"poll without rescan", Options{Root: abs, Settle: time.Second, Poll: true, Ready: ready}, "poll mode"},
		{"bad include", Options{Root: abs, Settle: time.Second, Include: []string{"[a-"}, Ready: ready}, "include pattern"},
		{"bad exclude", Options{Root: abs, Settle: time.Second, Exclude: []string{`x\`}, Ready: ready}, "exclude pattern"},
		{"marker with slash", Options{Root: abs, Settle: time.Second, ReadyMarker: "a/b", Ready: ready}, "ready marker"},
		{"relative skip", Options{Root: abs, Settle: time.Second, Skip: []string{"done"}, Ready: ready}, "skip folder"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.o)
			if err == nil {
				t.Fatal("New returned no error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not mention %q", err, tc.want)
			}
		})
	}
}

func TestIncludeExclude(t *testing.T) {
	t.Parallel()
	root := tempDir(t)
	h := start(t, Options{
		Root:      root,
		Recursive: true,
		Include:   []string{"*.pdf", "*.csv"},
		Exclude:   append([]string{"draft-*", "private/*"}, defaultExclude...),
	})
	h.waitListed(t)
	for _, rel := range []string{"a.pdf", "b.csv", "c.txt", "draft-d.pdf", ".e.pdf", "sub/f.pdf", "private/g.pdf", "private/deeper/h.pdf"} {
		writeFile(t, h.path(rel), rel)
	}
	// "private/*" also matches the folder private/deeper, which is then
	// not listed.
	for _, rel := range []string{"a.pdf", "b.csv", "sub/f.pdf"} {
		h.rec.wait(t, rel, 1)
	}
	time.Sleep(quietPeriod)
	if got := len(h.rec.all()); got != 3 {
		t.Fatalf("reported %v, want exactly a.pdf, b.csv, sub/f.pdf", h.rec.rels())
	}
}

func TestSkipFolderNeverReported(t *testing.T) {
	t.Parallel()
	root := tempDir(t)
	done := filepath.Join(root, "done")
	failed := filepath.Join(root, "failed")
	writeFile(t, filepath.Join(done, "old.pdf"), "x")
	writeFile(t, filepath.Join(failed, "sub", "old.pdf"), "x")
	h := start(t, Options{Root: root, Recursive: true, Skip: []string{done, failed}, Rescan: 300 * time.Millisecond})
	h.waitListed(t)
	writeFile(t, filepath.Join(done, "new.pdf"), "x")
	writeFile(t, filepath.Join(failed, "new.pdf"), "x")
	writeFile(t, filepath.Join(root, "in.pdf"), "x")
	h.rec.wait(t, "in.pdf", 1)
	time.Sleep(quietPeriod)
	if got := h.rec.rels(); len(got) != 1 {
		t.Fatalf("reported %v, want only in.pdf", got)
	}
	if h.w.Healthy() != nil {
		t.Fatalf("Healthy() = %v", h.w.Healthy())
	}
}

func TestMovedToSkipFolderNotReported(t *testing.T) {
	t.Parallel()
	root := tempDir(t)
	done := filepath.Join(root, "done")
	if err := os.Mkdir(done, 0o755); err != nil {
		t.Fatal(err)
	}
	h := start(t, Options{Root: root, Recursive: true, Skip: []string{done}})
	h.waitListed(t)
	p := filepath.Join(root, "a.pdf")
	writeFile(t, p, "x")
	f := h.rec.wait(t, "a.pdf", 1)
	// What the agent does after an upload: move to done, then Release.
	if err := os.Rename(p, filepath.Join(done, "a.pdf")); err != nil {
		t.Fatal(err)
	}
	h.w.Release(f.Path)
	h.rec.quiet(t, "a.pdf", 1)
	if n := h.rec.count("done/a.pdf"); n != 0 {
		t.Fatalf("done/a.pdf reported %d times", n)
	}
}
