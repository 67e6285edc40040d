package agent

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// tempDir returns a new folder that is removed when the test ends, like
// t.TempDir. It removes entries one at a time with os.Remove, deepest
// first, because os.RemoveAll fails with "Invalid function" under Wine 8,
// which runs these tests as Windows binaries. An entry that still cannot
// be removed after 2 s, such as a file left open on Windows, fails the test.
func tempDir(t *testing.T) string {
	t.Helper()
	return tempDirIn(t, "")
}

// tempDirIn is tempDir in the folder parent, or in the default folder for
// temporary files when parent is "".
func tempDirIn(t *testing.T, parent string) string {
	t.Helper()
	dir, err := os.MkdirTemp(parent, "agent-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		deadline := time.Now().Add(2 * time.Second)
		for err := removeTree(dir); err != nil; err = removeTree(dir) {
			if time.Now().After(deadline) {
				t.Errorf("remove temporary folder: %v", err)
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
	return dir
}

// removeTree removes dir and everything in it. WalkDir visits a folder
// before its entries, so the reverse of its order is deepest first.
func removeTree(dir string) error {
	var paths []string
	err := filepath.WalkDir(dir, func(p string, _ fs.DirEntry, err error) error {
		paths = append(paths, p)
		return err
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	for _, p := range slices.Backward(paths) {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}
