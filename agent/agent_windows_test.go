package agent

import (
	"bytes"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hotfolder/hotfolder/uploader/receiver"
	"golang.org/x/sys/windows"
)

// A writer that holds its file open without sharing read or delete access
// keeps the file from settling, however long its size stays the same.
func TestAgentWaitsForWriterWithoutSharing(t *testing.T) {
	s := newSink(nil)
	srv := newServer(t, s)
	ta := startAgent(t, tempDir(t), configText(srv.URL+"/upload", ""))
	p := filepath.Join(ta.inbox, "export.csv")
	content := []byte("till,total\n1,9.99\n")
	name, err := windows.UTF16PtrFromString(p)
	if err != nil {
		t.Fatal(err)
	}
	h, err := windows.CreateFile(name, windows.GENERIC_WRITE, 0, nil,
		windows.CREATE_NEW, windows.FILE_ATTRIBUTE_NORMAL, 0)
	if err != nil {
		t.Fatalf("create %s without sharing: %v", p, err)
	}
	closed := false
	defer func() {
		if !closed {
			windows.CloseHandle(h)
		}
	}()
	if _, err := windows.Write(h, content); err != nil {
		t.Fatal(err)
	}

	time.Sleep(3 * time.Second) // ten settle times
	if n := s.count("export.csv"); n != 0 {
		t.Fatalf("uploaded %d times while its writer held it", n)
	}
	if !exists(p) {
		t.Fatal("file left the inbox while its writer held it")
	}
	windows.CloseHandle(h)
	closed = true
	eventually(t, "export.csv in done", func() bool { return exists(filepath.Join(ta.done, "export.csv")) })
	if n := s.count("export.csv"); n != 1 {
		t.Errorf("uploaded %d times, want 1", n)
	}
	if got := s.content("export.csv"); !bytes.Equal(got, content) {
		t.Errorf("server got %q, want %q", got, content)
	}
}

// Paths longer than MAX_PATH (260 characters) work throughout: the
// config, the inbox and its subfolders, the journal and log, the done
// folder, and the receiver's folder.
func TestAgentLongPaths(t *testing.T) {
	long := filepath.Join(tempDir(t), strings.Repeat("a", 60), strings.Repeat("b", 60),
		strings.Repeat("c", 60), strings.Repeat("d", 60))
	recv, err := receiver.New(receiver.Options{Dir: filepath.Join(long, "received")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { recv.Close() })
	srv := httptest.NewServer(recv)
	t.Cleanup(srv.Close)
	ta := startAgent(t, long, configText(srv.URL+"/upload", "recursive = true"))

	name := strings.Repeat("long name ", 8) + ".pdf"
	p := filepath.Join(ta.inbox, "scans", name)
	if len(p) <= 260 {
		t.Fatalf("test path has %d characters, want more than 260", len(p))
	}
	writeFile(t, p, []byte("page one"))
	done := filepath.Join(ta.done, "scans", name)
	eventually(t, "the file in done", func() bool { return exists(done) })
	got, err := os.ReadFile(filepath.Join(recv.Dir(), "scans", name))
	if err != nil {
		t.Fatalf("receiver did not store the file: %v", err)
	}
	if string(got) != "page one" {
		t.Errorf("receiver stored %q", got)
	}
	if exists(p) {
		t.Error("file still in the inbox")
	}
	if log := ta.log.String(); strings.Contains(log, "level=ERROR") || strings.Contains(log, "level=WARN") {
		t.Errorf("warnings or errors logged:\n%s", log)
	}
}

// An agent whose done folder is on another drive files each file by
// copying it there.
func TestAgentDoneOnOtherDrive(t *testing.T) {
	doneDir := filepath.Join(otherDrive(t), "done")
	s := newSink(nil)
	srv := newServer(t, s)
	text := strings.Replace(configText(srv.URL+"/upload", "recursive = true"), `done = "done"`, "done = '"+doneDir+"'", 1)
	ta := startAgent(t, tempDir(t), text)
	writeFile(t, filepath.Join(ta.inbox, "2026", "lab.txt"), []byte("result 42"))
	dst := filepath.Join(doneDir, "2026", "lab.txt")
	eventually(t, "lab.txt in done on E:", func() bool { return exists(dst) })
	if got := readFileEventually(t, dst); string(got) != "result 42" {
		t.Errorf("done copy holds %q", got)
	}
	eventually(t, "inbox empty", func() bool { return !exists(filepath.Join(ta.inbox, "2026", "lab.txt")) })
	if n := s.count("2026/lab.txt"); n != 1 {
		t.Errorf("uploaded %d times, want 1", n)
	}
	if names := fileNames(t, doneDir); len(names) != 1 || names[0] != "2026" {
		t.Errorf("done holds %v, want only 2026 (no temporary file)", names)
	}
}
