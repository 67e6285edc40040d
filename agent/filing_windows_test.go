package agent

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hotfolder/hotfolder/uploader"
	"golang.org/x/sys/windows"
)

// openHeld opens p for reading with the given share mode, as a virus
// scanner, an indexer or the file's writer would.
func openHeld(p string, share uint32) (windows.Handle, error) {
	name, err := windows.UTF16PtrFromString(p)
	if err != nil {
		return 0, err
	}
	return windows.CreateFile(name, windows.GENERIC_READ, share, nil,
		windows.OPEN_EXISTING, windows.FILE_ATTRIBUTE_NORMAL, 0)
}

// holdOnUpload returns an endpoint that stores uploads in s and, on the
// first one, opens p for reading without delete sharing, as a virus
// scanner does. It sends the handle on the returned channel, and the test
// closes it.
func holdOnUpload(t *testing.T, s *sink, p string) (http.Handler, <-chan windows.Handle) {
	handles := make(chan windows.Handle, 1)
	var once sync.Once
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() {
			h, err := openHeld(p, windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE)
			if err != nil {
				t.Errorf("open %s as a scanner would: %v", p, err)
				return
			}
			handles <- h
		})
		s.ServeHTTP(w, r)
	}), handles
}

// waitHeld returns the handle that holdOnUpload opened and closes it when
// the test ends unless the test closes it first.
func waitHeld(t *testing.T, held <-chan windows.Handle) (release func()) {
	t.Helper()
	var h windows.Handle
	select {
	case h = <-held:
	case <-time.After(waitFor):
		t.Fatal("timed out waiting for the upload")
	}
	var once sync.Once
	release = func() { once.Do(func() { windows.CloseHandle(h) }) }
	t.Cleanup(release)
	return release
}

// otherDrive returns a new folder on drive E:, which must be another
// volume than the temporary folder, or skips the test.
func otherDrive(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(`E:\`); err != nil {
		t.Skipf("drive E: is not available (%v); moves between drives need a second drive, "+
			"such as the tmpfs that the Wine setup maps to E: with SECOND_DRIVE=1", err)
	}
	if strings.EqualFold(filepath.VolumeName(os.TempDir()), "E:") {
		t.Skip("the temporary folder is on E:, so E: is not another drive")
	}
	return tempDirIn(t, `E:\`)
}

// fileNames lists the names in dir.
func fileNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestIsCrossDeviceWindowsErrors(t *testing.T) {
	cases := []struct {
		err  error
		want bool
	}{
		{&os.LinkError{Op: "rename", Old: `C:\in\a.pdf`, New: `E:\done\a.pdf`, Err: windows.ERROR_NOT_SAME_DEVICE}, true},
		{&os.LinkError{Op: "rename", Old: `C:\in\a.pdf`, New: `E:\done\a.pdf`, Err: windows.Errno(17)}, true},
		{&os.LinkError{Op: "rename", Old: `C:\in\a.pdf`, New: `C:\done\a.pdf`, Err: windows.ERROR_SHARING_VIOLATION}, false},
		{&os.LinkError{Op: "rename", Old: `C:\in\a.pdf`, New: `C:\done\a.pdf`, Err: windows.ERROR_ACCESS_DENIED}, false},
		{nil, false},
	}
	for _, c := range cases {
		if got := isCrossDevice(c.err); got != c.want {
			t.Errorf("isCrossDevice(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}

// A rename from C: to E: fails with ERROR_NOT_SAME_DEVICE, so the filer
// copies, syncs, checks the size and then removes the source.
func TestMoveToOtherDriveCopies(t *testing.T) {
	root := otherDrive(t)
	src := filepath.Join(tempDir(t), "scan.pdf")
	content := bytes.Repeat([]byte("%PDF page "), 50_000)
	writeFile(t, src, content)
	mtime := time.Date(2026, 3, 1, 8, 30, 0, 0, time.UTC)
	if err := os.Chtimes(src, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	probe := filepath.Join(root, "probe.pdf")
	if err := os.Rename(src, probe); !isCrossDevice(err) {
		os.Rename(probe, src)
		t.Fatalf("rename from %s to %s: got %v, want ERROR_NOT_SAME_DEVICE", src, probe, err)
	}

	var fl filer
	dst, err := fl.move(src, root, "2026/03/scan.pdf")
	if err != nil {
		t.Fatalf("move to another drive: %v", err)
	}
	if want := filepath.Join(root, "2026", "03", "scan.pdf"); dst != want {
		t.Errorf("moved to %s, want %s", dst, want)
	}
	got, err := os.ReadFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, content) {
		t.Errorf("copy has %d bytes, want the %d bytes of the source", len(got), len(content))
	}
	if st, err := os.Stat(dst); err != nil || !st.ModTime().Equal(mtime) {
		t.Errorf("copy's modification time: %v (%v), want %v", st.ModTime(), err, mtime)
	}
	if _, err := os.Stat(src); !os.IsNotExist(err) {
		t.Errorf("source still there after the move: %v", err)
	}
	if names := fileNames(t, root); len(names) != 1 || names[0] != "2026" {
		t.Errorf("done folder holds %v, want only 2026 (no temporary file)", names)
	}
}

// The move into done fails with a sharing violation while another handle
// has the file open without delete sharing. The agent retries the move
// and files the file once the handle is closed, without sending it again.
func TestAgentMoveRetriesWhileHeld(t *testing.T) {
	s := newSink(nil)
	dir := tempDir(t)
	p := filepath.Join(dir, "inbox", "held.pdf")
	h, held := holdOnUpload(t, s, p)
	srv := newServer(t, h)
	ta := startAgent(t, dir, configText(srv.URL+"/upload", ""))
	writeFile(t, p, []byte("scanned page"))
	release := waitHeld(t, held)
	eventually(t, "a file_busy retry of the move", func() bool {
		return strings.Contains(ta.log.String(), "cannot move file yet") &&
			strings.Contains(ta.log.String(), "class=file_busy")
	})
	time.Sleep(time.Second)
	if !exists(p) {
		t.Fatal("file left the inbox while another handle held it")
	}
	release()
	eventually(t, "held.pdf in done", func() bool { return exists(filepath.Join(ta.done, "held.pdf")) })
	if n := s.count("held.pdf"); n != 1 {
		t.Errorf("uploaded %d times, want 1", n)
	}
	if exists(p) {
		t.Error("file still in the inbox after it was filed")
	}
}

// On a move to another drive the source can be opened by another program
// while it is being copied, so the copy succeeds and only the removal of
// the source fails. The copy must then go again: a retry that found it in
// place would file a second copy under a new name.
func TestMoveToOtherDriveSourceHeldDuringCopy(t *testing.T) {
	root := otherDrive(t)
	src := filepath.Join(tempDir(t), "big.bin")
	writeFile(t, src, bytes.Repeat([]byte("0123456789abcdef"), 4<<20)) // 64 MiB, so the copy takes a while
	held := make(chan windows.Handle, 1)
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		holdWhenCopyStarts(root, src, held, stop)
	}()

	var fl filer
	_, err := fl.move(src, root, "big.bin")
	close(stop)
	<-stopped
	var h windows.Handle
	select {
	case h = <-held:
	default:
		t.Skipf("the copy finished before the source could be held (move returned %v)", err)
	}
	if got := uploader.Classify(err); got != uploader.ClassFileBusy {
		windows.CloseHandle(h)
		t.Fatalf("move while the source is held: %v (class %q), want a file_busy error", err, got)
	}
	if names := fileNames(t, root); len(names) != 0 {
		t.Errorf("after the failed move the done folder holds %v, want nothing", names)
	}
	windows.CloseHandle(h)
	dst, err := fl.move(src, root, "big.bin")
	if err != nil {
		t.Fatalf("move after the source was released: %v", err)
	}
	if want := filepath.Join(root, "big.bin"); dst != want {
		t.Errorf("moved to %s, want %s", dst, want)
	}
	if names := fileNames(t, root); len(names) != 1 {
		t.Errorf("done folder holds %v, want only big.bin", names)
	}
}

// holdWhenCopyStarts opens src without delete sharing as soon as a
// temporary copy appears in root, and sends the handle on held.
func holdWhenCopyStarts(root, src string, held chan<- windows.Handle, stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		default:
		}
		matches, _ := filepath.Glob(filepath.Join(root, tempMovePattern))
		if len(matches) > 0 {
			if h, err := openHeld(src, windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE); err == nil {
				held <- h
			}
			return
		}
		time.Sleep(time.Millisecond)
	}
}
