package agent

import (
	"os"
	"testing"
)

// Writes to /dev/full fail with ENOSPC, as on a full disk. The message
// names the journal once, as "write PATH: no space left on device".
func TestJournalDiskFullMessage(t *testing.T) {
	f, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skipf("no /dev/full: %v", err)
	}
	j := &journal{path: "/dev/full", f: f}
	defer j.close()

	err = j.append(receiptRecord{Op: "sent", Folder: "scans", Path: "/inbox/a.pdf"}, false)
	if want := "write /dev/full: no space left on device"; err == nil || err.Error() != want {
		t.Errorf("append to a full disk: %v, want %q", err, want)
	}
}
