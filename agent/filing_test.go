package agent

import (
	"os"
	"path/filepath"
	"testing"
)

// Filing across file systems copies the file through a temporary file,
// which os.CreateTemp makes with mode 0600. The filed copy must have the
// source's permission bits instead.
func TestCopyAcrossKeepsPermissions(t *testing.T) {
	src := filepath.Join(tempDir(t), "scan.pdf")
	writeFile(t, src, []byte("%PDF page"))
	if err := os.Chmod(src, 0o640); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(src)
	if err != nil {
		t.Fatal(err)
	}
	root := tempDir(t)
	dst := filepath.Join(root, "scan.pdf")

	if err := copyAcross(src, root, dst); err != nil {
		t.Fatalf("copy into %s: %v", root, err)
	}
	got, err := os.Stat(dst)
	if err != nil {
		t.Fatal(err)
	}
	if got.Mode().Perm() != st.Mode().Perm() {
		t.Errorf("filed copy has mode %v, want the source's %v", got.Mode().Perm(), st.Mode().Perm())
	}
}
