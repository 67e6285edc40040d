package agent

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeJournal writes a journal holding one "sent" record for the file at
// p, as a crash right after the server's receipt leaves it.
func writeJournal(t *testing.T, state, p, rel string) {
	t.Helper()
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(p)
	sum := sha256.Sum256(data)
	rec := receiptRecord{Op: "sent", Folder: "test", Path: p, Rel: rel, Size: st.Size(),
		ModTime: st.ModTime().UnixNano(), SHA256: hex.EncodeToString(sum[:]), Status: 201,
		Time: time.Now().Format(time.RFC3339)}
	line, _ := json.Marshal(rec)
	os.MkdirAll(state, 0o755)
	if err := os.WriteFile(filepath.Join(state, journalName), append(line, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestRecoverCompletesInterruptedCopy(t *testing.T) {
	s := newSink(nil)
	srv := newServer(t, s)
	dir := tempDir(t)
	src := filepath.Join(dir, "inbox", "copied.pdf")
	writeFile(t, src, []byte("copied across volumes"))
	// The copy into done finished, the source was not yet removed, and a
	// temporary copy of another file was cut short.
	writeFile(t, filepath.Join(dir, "done", "copied.pdf"), []byte("copied across volumes"))
	writeFile(t, filepath.Join(dir, "done", ".hotfolder-move-123"), []byte("half"))
	writeJournal(t, filepath.Join(dir, "state"), src, "copied.pdf")

	ta := startAgent(t, dir, configText(srv.URL+"/upload", ""))
	eventually(t, "source removed", func() bool { return !exists(src) })
	time.Sleep(500 * time.Millisecond)
	entries, _ := os.ReadDir(ta.done)
	if len(entries) != 1 || entries[0].Name() != "copied.pdf" {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("done holds %v, want only copied.pdf", names)
	}
	if _, requests := s.total(); requests != 0 {
		t.Errorf("server got %d requests, want none", requests)
	}
	if !strings.Contains(ta.log.String(), "partial copy") {
		t.Errorf("removal of the partial copy not logged:\n%s", ta.log)
	}
}

func TestRecoverChangedFileIsSentAgain(t *testing.T) {
	s := newSink(nil)
	srv := newServer(t, s)
	dir := tempDir(t)
	src := filepath.Join(dir, "inbox", "report.csv")
	writeFile(t, src, []byte("v1"))
	writeJournal(t, filepath.Join(dir, "state"), src, "report.csv")
	// A new version replaced the file after the receipt of the old one.
	time.Sleep(20 * time.Millisecond)
	writeFile(t, src, []byte("version 2"))

	ta := startAgent(t, dir, configText(srv.URL+"/upload", ""))
	eventually(t, "report.csv in done", func() bool { return exists(filepath.Join(ta.done, "report.csv")) })
	if got := string(s.content("report.csv")); got != "version 2" {
		t.Errorf("server has %q, want the new version", got)
	}
}

func TestJournalCompactedAtStart(t *testing.T) {
	dir := tempDir(t)
	p := filepath.Join(dir, journalName)
	lines := `{"op":"sent","folder":"f","path":"/a","size":1}
{"op":"filed","folder":"f","path":"/a"}
{"op":"sent","folder":"f","path":"/b","size":2}
{"op":"sent","fol`
	os.WriteFile(p, []byte(lines), 0o644)
	j, pending, err := openJournal(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer j.close()
	if len(pending) != 1 || pending[0].Path != "/b" {
		t.Fatalf("pending %+v, want only /b", pending)
	}
	data, _ := os.ReadFile(p)
	if n := strings.Count(string(data), "\n"); n != 1 {
		t.Errorf("journal has %d lines after compaction, want 1:\n%s", n, data)
	}
}
