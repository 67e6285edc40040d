//go:build unix

package agent

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A file the agent may not read settles, fails to open for the upload and
// is filed in failed/ with a permission_denied note, never sent.
func TestAgentUnreadableFileGoesToFailed(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root, which reads files whatever their mode")
	}
	s := newSink(nil)
	srv := newServer(t, s)
	ta := startAgent(t, tempDir(t), configText(srv.URL+"/upload", ""))
	p := filepath.Join(ta.inbox, "locked.pdf")
	writeFile(t, p, []byte("not for the agent"))
	if err := os.Chmod(p, 0); err != nil {
		t.Fatal(err)
	}
	notePath := filepath.Join(ta.failed, "locked.pdf.error.json")
	eventually(t, "note in failed", func() bool { return exists(notePath) })

	if !exists(filepath.Join(ta.failed, "locked.pdf")) {
		t.Error("locked.pdf not in failed")
	}
	if exists(p) {
		t.Error("locked.pdf still in the inbox")
	}
	data, err := os.ReadFile(notePath)
	if err != nil {
		t.Fatal(err)
	}
	var note failureNote
	if err := json.Unmarshal(data, &note); err != nil {
		t.Fatal(err)
	}
	if note.Class != "permission_denied" {
		t.Errorf("note class = %q, want permission_denied", note.Class)
	}
	if note.Recoverable {
		t.Error("note says recoverable, want permanent")
	}
	if !strings.Contains(note.Error, "permission denied") {
		t.Errorf("note error = %q, want the OS error", note.Error)
	}
	if files, requests := s.total(); files != 0 || requests != 0 {
		t.Errorf("server got %d files in %d requests, want none", files, requests)
	}
	log := ta.log.String()
	for _, class := range []string{"class=read_failed", "class=list_failed"} {
		if strings.Contains(log, class) {
			t.Errorf("log has %s, which is not an error class:\n%s", class, log)
		}
	}
}
