package uploader

import (
	"context"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"golang.org/x/sys/windows"
)

// holdFile opens p with the given share mode, as a scanner or another
// program would, and closes the handle when the test ends.
func holdFile(t *testing.T, p string, share uint32) {
	t.Helper()
	name, err := windows.UTF16PtrFromString(p)
	if err != nil {
		t.Fatal(err)
	}
	h, err := windows.CreateFile(name, windows.GENERIC_READ, share, nil,
		windows.OPEN_EXISTING, windows.FILE_ATTRIBUTE_NORMAL, 0)
	if err != nil {
		t.Fatalf("open %s with share mode %#x: %v", p, share, err)
	}
	t.Cleanup(func() { windows.CloseHandle(h) })
}

// The Windows error numbers arrive as syscall.Errno values inside the
// usual wrappers, as os and net return them.
func TestClassifyWindowsErrnos(t *testing.T) {
	cases := []struct {
		name        string
		err         error
		want        Class
		recoverable bool
	}{
		{"sharing violation", &fs.PathError{Op: "open", Path: `C:\in\a.pdf`, Err: windows.ERROR_SHARING_VIOLATION}, ClassFileBusy, true},
		{"lock violation", &fs.PathError{Op: "read", Path: `C:\in\a.pdf`, Err: windows.ERROR_LOCK_VIOLATION}, ClassFileBusy, true},
		{"sharing violation on rename", &os.LinkError{Op: "rename", Old: `C:\in\a.pdf`, New: `C:\in\done\a.pdf`, Err: windows.ERROR_SHARING_VIOLATION}, ClassFileBusy, true},
		{"access denied", &fs.PathError{Op: "open", Path: `C:\in\a.pdf`, Err: windows.ERROR_ACCESS_DENIED}, ClassPermission, false},
		{"disk full", &fs.PathError{Op: "write", Path: `C:\in\done\a.pdf`, Err: windows.ERROR_DISK_FULL}, ClassDiskFull, true},
		{"handle disk full", &fs.PathError{Op: "write", Path: `C:\in\done\a.pdf`, Err: windows.ERROR_HANDLE_DISK_FULL}, ClassDiskFull, true},
		{"too many open files", &fs.PathError{Op: "open", Path: `C:\in\a.pdf`, Err: windows.ERROR_TOO_MANY_OPEN_FILES}, ClassTooManyOpenFiles, true},
		{"file not found", &fs.PathError{Op: "open", Path: `C:\in\a.pdf`, Err: windows.ERROR_FILE_NOT_FOUND}, ClassFileNotFound, false},
		{"path not found", &fs.PathError{Op: "open", Path: `C:\in\x\a.pdf`, Err: windows.ERROR_PATH_NOT_FOUND}, ClassFileNotFound, false},
		{"connection refused", &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connectex", windows.WSAECONNREFUSED)}, ClassRefused, true},
		{"connection reset", &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("wsarecv", windows.WSAECONNRESET)}, ClassReset, true},
		{"connection aborted", &net.OpError{Op: "write", Net: "tcp", Err: os.NewSyscallError("wsasend", windows.WSAECONNABORTED)}, ClassReset, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Classify(c.err)
			if got != c.want {
				t.Errorf("Classify(%v) = %q, want %q", c.err, got, c.want)
			}
			if got.Recoverable() != c.recoverable {
				t.Errorf("%q.Recoverable() = %v, want %v", got, got.Recoverable(), c.recoverable)
			}
		})
	}
}

func TestClassifyRealSharingViolation(t *testing.T) {
	src := writeSource(t, "held.pdf", []byte("scanned page"))
	holdFile(t, src.Path, 0)
	_, err := os.Open(src.Path)
	if err == nil {
		t.Fatal("open of a file held without sharing succeeded")
	}
	if got := Classify(err); got != ClassFileBusy {
		t.Errorf("Classify(%v) = %q, want %q", err, got, ClassFileBusy)
	}
}

// Windows refuses to replace a folder with a file with ERROR_ACCESS_DENIED.
// A read-only file does not serve here: Wine running as root opens it for
// writing.
func TestClassifyRealAccessDenied(t *testing.T) {
	src := writeSource(t, "a.pdf", []byte("x"))
	folder := filepath.Join(filepath.Dir(src.Path), "folder")
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	err := os.Rename(src.Path, folder)
	if err == nil {
		t.Fatal("rename of a file onto a folder succeeded")
	}
	if got := Classify(err); got != ClassPermission {
		t.Errorf("Classify(%v) = %q, want %q", err, got, ClassPermission)
	}
}

// An upload of a file that another program holds without sharing fails
// as file_busy before anything is sent, so the agent tries again later.
func TestUploadHeldFileIsBusy(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.WriteHeader(http.StatusCreated)
	}))
	t.Cleanup(srv.Close)
	src := writeSource(t, "held.pdf", []byte("scanned page"))
	holdFile(t, src.Path, 0)
	_, err := newClient(t, Config{URL: srv.URL}).Upload(context.Background(), src, nil)
	if got := Classify(err); got != ClassFileBusy {
		t.Fatalf("Upload of a held file: class %q (%v), want %q", got, err, ClassFileBusy)
	}
	if n := requests.Load(); n != 0 {
		t.Errorf("server saw %d requests, want 0", n)
	}
}
