package agent

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// A done folder on tmpfs (/dev/shm) is on another file system than the
// default folder for temporary files on most Linux machines, so the move
// falls back to a copy, which must keep the source's content and
// permission bits.
func TestMoveToTmpfsKeepsPermissions(t *testing.T) {
	if _, err := os.Stat("/dev/shm"); err != nil {
		t.Skipf("no /dev/shm: %v", err)
	}
	src := filepath.Join(tempDir(t), "scan.pdf")
	content := bytes.Repeat([]byte("%PDF page "), 1000)
	writeFile(t, src, content)
	if err := os.Chmod(src, 0o640); err != nil {
		t.Fatal(err)
	}
	root := tempDirIn(t, "/dev/shm")
	probe := filepath.Join(root, "probe.pdf")
	if err := os.Rename(src, probe); !isCrossDevice(err) {
		os.Rename(probe, src)
		t.Skipf("rename from %s to %s: got %v, want EXDEV, so both are on one file system", src, probe, err)
	}

	var fl filer
	dst, err := fl.move(src, root, "scan.pdf")
	if err != nil {
		t.Fatalf("move to /dev/shm: %v", err)
	}
	got, err := os.ReadFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, content) {
		t.Errorf("copy has %d bytes, want the %d bytes of the source", len(got), len(content))
	}
	st, err := os.Stat(dst)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o640 {
		t.Errorf("filed copy has mode %v, want the source's %v", st.Mode().Perm(), os.FileMode(0o640))
	}
	if _, err := os.Stat(src); !os.IsNotExist(err) {
		t.Errorf("source still there after the move: %v", err)
	}
}
