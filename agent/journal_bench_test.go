package agent

import (
	"fmt"
	"sync/atomic"
	"testing"
)

// BenchmarkJournalSyncedAppends measures synced receipts from parallel
// writers, which share fsyncs, and reports the fsyncs per record.
func BenchmarkJournalSyncedAppends(b *testing.B) {
	j, _, err := openJournal(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer j.close()
	var n atomic.Int64
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			p := fmt.Sprintf("/inbox/f%d", n.Add(1))
			if err := j.append(receiptRecord{Op: "sent", Folder: "f", Path: p, Rel: p, Size: 1}, true); err != nil {
				b.Error(err)
				return
			}
		}
	})
	j.mu.Lock()
	defer j.mu.Unlock()
	b.ReportMetric(float64(j.syncs)/float64(j.written), "fsyncs/record")
}
