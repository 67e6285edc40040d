package receiver

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestDeleteInFolder(t *testing.T) {
	dir := tempDir(t)
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	writeFile := func(name string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	writeFile(".recv-1.tmp")
	if err := deleteInFolder(root, ".recv-1.tmp"); err != nil {
		t.Fatalf("delete a file in the folder: %v", err)
	}
	if _, err := os.Lstat(filepath.Join(dir, ".recv-1.tmp")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("file still there after deleteInFolder: %v", err)
	}

	if err := deleteInFolder(root, "absent.tmp"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("delete a missing file: %v, want fs.ErrNotExist", err)
	}

	writeFile(`sub\kept.txt`)
	for _, name := range []string{`sub\kept.txt`, "sub/kept.txt", `..\x`, "..", ".", "", "kept.txt:stream"} {
		if err := deleteInFolder(root, name); err == nil {
			t.Errorf("deleteInFolder(%q) succeeded, want an error for a name that is not one component", name)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "sub", "kept.txt")); err != nil {
		t.Errorf("file in a subfolder: %v", err)
	}

	if err := os.Mkdir(filepath.Join(dir, "folder"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := deleteInFolder(root, "folder"); err == nil {
		t.Error("deleteInFolder removed a folder, want it to delete files only")
	}
}

// removeFile removes through os.Root where that works and through the
// folder's handle where it fails as under Wine; either way the file goes.
func TestRemoveFile(t *testing.T) {
	dir := tempDir(t)
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	p := filepath.Join(dir, ".recv-2.tmp")
	if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := removeFile(root, ".recv-2.tmp"); err != nil {
		t.Fatalf("removeFile: %v", err)
	}
	if _, err := os.Lstat(p); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("file still there after removeFile: %v", err)
	}
	if err := removeFile(root, ".recv-2.tmp"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("removeFile of a missing file: %v, want fs.ErrNotExist", err)
	}
}
