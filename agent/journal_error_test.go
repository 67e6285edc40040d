package agent

import (
	"strings"
	"testing"
)

// A failed write or sync of the journal names the journal once: the
// *os.PathError from the file already carries the operation and path.
func TestJournalErrorNamesPathOnce(t *testing.T) {
	j, _, err := openJournal(tempDir(t))
	if err != nil {
		t.Fatal(err)
	}
	rec := receiptRecord{Op: "sent", Folder: "scans", Path: "/inbox/a.pdf", Rel: "a.pdf", Size: 1}
	if err := j.append(rec, true); err != nil {
		t.Fatal(err)
	}
	j.close()

	err = j.append(rec, false)
	if err == nil {
		t.Fatal("append to a closed journal returned no error")
	}
	if n := strings.Count(err.Error(), j.path); n != 1 {
		t.Errorf("write error names the journal %d times, want once: %v", n, err)
	}

	j.mu.Lock()
	j.written++
	err = j.waitDurable(j.written)
	j.mu.Unlock()
	if err == nil {
		t.Fatal("sync of a closed journal returned no error")
	}
	if n := strings.Count(err.Error(), j.path); n != 1 {
		t.Errorf("sync error names the journal %d times, want once: %v", n, err)
	}
}
