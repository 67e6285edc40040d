package agent

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// journal is an append-only record, in state_dir, of files the server has
// accepted but that are not yet filed in done. Each record is synced to
// disk before the agent moves the file, so after a crash between the
// server's receipt and the move the file is filed without a second upload.
//
// Syncs are shared (group commit): a record waits for the sync in progress
// to end, and then one waiting writer syncs every record written so far,
// so concurrent uploads cost one fsync per group instead of one each.
type journal struct {
	mu      sync.Mutex
	synced  *sync.Cond // broadcast when a sync ends
	path    string
	f       *os.File
	written uint64 // records written
	durable uint64 // records known to be on disk
	syncing bool
	failed  uint64 // records covered by the latest failed sync
	failErr error
	syncs   uint64 // fsync calls made
}

// receiptRecord is one line of the journal.
type receiptRecord struct {
	Op      string `json:"op"` // "sent" or "filed"
	Folder  string `json:"folder"`
	Path    string `json:"path"` // the file in the inbox
	Rel     string `json:"rel,omitempty"`
	Size    int64  `json:"size,omitempty"`
	ModTime int64  `json:"mtime_ns,omitempty"`
	SHA256  string `json:"sha256,omitempty"`
	Status  int    `json:"status,omitempty"`
	Time    string `json:"time"`
}

const journalName = "receipts.jsonl"

// openJournal reads the journal in dir and returns it, ready for appends,
// with the records still pending: sent and not filed.
func openJournal(dir string) (*journal, []receiptRecord, error) {
	p := filepath.Join(dir, journalName)
	pending, err := readPending(p)
	if err != nil {
		return nil, nil, err
	}
	if err := rewriteJournal(p, pending); err != nil {
		return nil, nil, err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, nil, err
	}
	j := &journal{path: p, f: f}
	j.synced = sync.NewCond(&j.mu)
	return j, pending, nil
}

// readPending returns the sent records without a later filed record. A
// torn last line, from a crash mid-write, is ignored.
func readPending(p string) ([]receiptRecord, error) {
	f, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var order []string
	open := map[string]receiptRecord{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var r receiptRecord
		if json.Unmarshal(sc.Bytes(), &r) != nil {
			continue
		}
		switch r.Op {
		case "sent":
			if _, ok := open[r.Path]; !ok {
				order = append(order, r.Path)
			}
			open[r.Path] = r
		case "filed":
			delete(open, r.Path)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, withPath(p, "read", err)
	}
	var pending []receiptRecord
	for _, path := range order {
		if r, ok := open[path]; ok {
			pending = append(pending, r)
			delete(open, path)
		}
	}
	return pending, nil
}

// rewriteJournal replaces the journal with just the pending records,
// through a synced temporary file, so it never grows without bound.
func rewriteJournal(p string, pending []receiptRecord) error {
	tmp, err := os.CreateTemp(filepath.Dir(p), ".receipts-*.tmp")
	if err != nil {
		return err
	}
	w := bufio.NewWriter(tmp)
	enc := json.NewEncoder(w)
	for _, r := range pending {
		if err = enc.Encode(r); err != nil {
			break
		}
	}
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), p)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("rewrite %s: %w", p, err)
	}
	return nil
}

// append writes r and, when sync is set, waits until it is on disk.
func (j *journal) append(r receiptRecord, sync bool) error {
	r.Time = time.Now().UTC().Format(time.RFC3339Nano)
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if _, err := j.f.Write(append(data, '\n')); err != nil {
		return withPath(j.path, "write", err)
	}
	j.written++
	if sync {
		return j.waitDurable(j.written)
	}
	return nil
}

// waitDurable returns once record seq is on disk, syncing the file itself
// when no other writer is. j.mu must be held.
func (j *journal) waitDurable(seq uint64) error {
	for j.durable < seq {
		if j.failed >= seq && j.failErr != nil {
			return j.failErr
		}
		if j.syncing {
			j.synced.Wait()
			continue
		}
		j.syncing = true
		j.syncs++
		upTo := j.written
		j.mu.Unlock()
		err := j.f.Sync()
		j.mu.Lock()
		j.syncing = false
		if err != nil {
			j.failed, j.failErr = upTo, withPath(j.path, "sync", err)
		} else {
			j.durable = upTo
		}
		j.synced.Broadcast()
	}
	return nil
}

func (j *journal) close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.f.Close()
}

// withPath returns err with op and path in front, unless err is an
// *fs.PathError, which names both already.
func withPath(path, op string, err error) error {
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		return err
	}
	return fmt.Errorf("%s %s: %w", op, path, err)
}
