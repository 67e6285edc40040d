package agent

import (
	"fmt"
	"sync"
	"testing"
)

func TestJournalConcurrentSyncedAppends(t *testing.T) {
	dir := tempDir(t)
	j, _, err := openJournal(dir)
	if err != nil {
		t.Fatal(err)
	}
	const writers, each = 16, 20
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				p := fmt.Sprintf("/inbox/w%d-%d", w, i)
				errs <- j.append(receiptRecord{Op: "sent", Folder: "f", Path: p, Rel: p, Size: 1}, true)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("append: %v", err)
		}
	}
	j.mu.Lock()
	written, durable, syncs := j.written, j.durable, j.syncs
	j.mu.Unlock()
	t.Logf("%d records, %d syncs", written, syncs)
	if written != writers*each || durable != written {
		t.Errorf("written %d, durable %d; want both %d", written, durable, writers*each)
	}
	if syncs == 0 || syncs > written {
		t.Errorf("%d syncs for %d records, want between 1 and %d", syncs, written, written)
	}
	if err := j.close(); err != nil {
		t.Fatal(err)
	}
	reopened, pending, err := openJournal(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer reopened.close()
	if len(pending) != writers*each {
		t.Errorf("reopened journal has %d pending records, want %d", len(pending), writers*each)
	}
}

func TestJournalSyncFailureReported(t *testing.T) {
	j, _, err := openJournal(tempDir(t))
	if err != nil {
		t.Fatal(err)
	}
	j.f.Close() // the next write fails, as on a disk that went away
	if err := j.append(receiptRecord{Op: "sent", Path: "/inbox/a"}, true); err == nil {
		t.Error("append to a closed journal reported success")
	}
}
