package watcher

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFileOpenForWritingNotReported(t *testing.T) {
	t.Parallel()
	root := tempDir(t)
	h := start(t, Options{Root: root})
	h.waitListed(t)
	f, err := os.Create(filepath.Join(root, "held.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("first part"); err != nil {
		t.Fatal(err)
	}
	// Size and mtime hold still, but the writer still has the file open.
	h.rec.quiet(t, "held.pdf", 0)
	h.logs.waitLog(t, "file still open by its writer")
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	h.rec.wait(t, "held.pdf", 1)
}

func TestLongPath(t *testing.T) {
	if got := longPath(`C:\short`); got != `C:\short` {
		t.Errorf("longPath(short) = %q, want it unchanged", got)
	}
	long := `C:\` + filepath.Join(strings.Repeat("d", 100), strings.Repeat("e", 100), strings.Repeat("f", 100))
	if got := longPath(long); got != `\\?\`+long {
		t.Errorf("longPath(long) = %q, want the \\\\?\\ prefix", got)
	}
	unc := `\\server\share\` + strings.Repeat("g", 300)
	if got := longPath(unc); got != `\\?\UNC\server\share\`+strings.Repeat("g", 300) {
		t.Errorf("longPath(UNC) = %q, want the \\\\?\\UNC\\ prefix", got)
	}
}
