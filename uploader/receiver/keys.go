package receiver

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"sync"
	"time"
)

// keysFile is the key index under Dir: one JSON object per line, appended
// and synced after each stored upload that carried an Idempotency-Key.
var keysFile = path.Join(stateDirName, "keys.jsonl")

// Receipt is the JSON response body for a stored upload.
type Receipt struct {
	Name      string            `json:"name"`   // stored name, relative to Dir, slash-separated
	Size      int64             `json:"size"`   // bytes stored
	SHA256    string            `json:"sha256"` // hex SHA-256 of the stored bytes
	Fields    map[string]string `json:"fields,omitempty"`
	Duplicate bool              `json:"duplicate,omitempty"` // true when a repeated Idempotency-Key matched an earlier upload
}

// keyRecord is one line of the key index.
type keyRecord struct {
	Key  string    `json:"key"`
	Time time.Time `json:"time"`
	Receipt
}

// keyIndex maps Idempotency-Keys to the receipts of stored uploads, and
// serialises requests that carry the same key.
type keyIndex struct {
	root *os.Root
	log  *slog.Logger

	mu      sync.Mutex
	file    *os.File // keysFile, opened for appending
	records map[string]keyRecord
	locks   map[string]*keyLock
}

type keyLock struct {
	sem  chan struct{} // holds one token while a request owns the key
	refs int           // requests holding or waiting for the key
}

func openKeyIndex(root *os.Root, retention time.Duration, log *slog.Logger) (*keyIndex, error) {
	k := &keyIndex{root: root, log: log, records: make(map[string]keyRecord), locks: make(map[string]*keyLock)}
	data, err := root.ReadFile(keysFile)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("receiver: read key index %s: %w", k.path(), err)
	}
	dropped := k.load(data, retention)
	if dropped > 0 {
		if err := k.rewrite(); err != nil {
			return nil, err
		}
	}
	k.file, err = root.OpenFile(keysFile, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("receiver: open key index %s: %w", k.path(), err)
	}
	return k, nil
}

func (k *keyIndex) path() string {
	return path.Join(k.root.Name(), keysFile)
}

// load fills the index from the file's data and returns how many lines it
// dropped: expired keys, and lines that a crash cut short.
func (k *keyIndex) load(data []byte, retention time.Duration) int {
	cutoff := time.Now().Add(-retention)
	dropped, invalid := 0, 0
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var rec keyRecord
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil || rec.Key == "" {
			invalid++
			continue
		}
		if retention > 0 && rec.Time.Before(cutoff) {
			dropped++
			continue
		}
		if _, ok := k.records[rec.Key]; !ok {
			k.records[rec.Key] = rec
		}
	}
	if invalid > 0 {
		k.log.Warn("skipped invalid lines in the key index", "file", k.path(), "lines", invalid)
	}
	if len(data) > 0 && data[len(data)-1] != '\n' && invalid == 0 {
		invalid++ // a line without its newline would join the next append
	}
	return dropped + invalid
}

// rewrite replaces the index file with the records in memory, through a
// synced temporary file and a rename.
func (k *keyIndex) rewrite() error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, rec := range k.records {
		if err := enc.Encode(rec); err != nil {
			return fmt.Errorf("receiver: encode key index record: %w", err)
		}
	}
	tmp := keysFile + ".tmp"
	if err := writeSynced(k.root, tmp, buf.Bytes()); err != nil {
		return fmt.Errorf("receiver: rewrite key index %s: %w", k.path(), err)
	}
	if err := k.root.Rename(tmp, keysFile); err != nil {
		return fmt.Errorf("receiver: rewrite key index %s: %w", k.path(), err)
	}
	if err := syncDir(k.root, stateDirName); err != nil {
		return fmt.Errorf("receiver: sync state folder of %s: %w", k.path(), err)
	}
	k.log.Info("compacted the key index", "file", k.path(), "keys", len(k.records))
	return nil
}

func writeSynced(root *os.Root, name string, data []byte) error {
	f, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

func (k *keyIndex) lookup(key string) (Receipt, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	rec, ok := k.records[key]
	return rec.Receipt, ok
}

// add records r under key, in memory and then on disk. The memory record
// stays when the write fails, so this process still recognises repeats.
func (k *keyIndex) add(key string, r Receipt) error {
	rec := keyRecord{Key: key, Time: time.Now().UTC(), Receipt: r}
	line, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode key index record: %w", err)
	}
	line = append(line, '\n')
	k.mu.Lock()
	defer k.mu.Unlock()
	k.records[key] = rec
	if k.file == nil {
		return fmt.Errorf("append to key index %s: %w", k.path(), os.ErrClosed)
	}
	if _, err := k.file.Write(line); err != nil {
		return fmt.Errorf("append to key index %s: %w", k.path(), err)
	}
	if err := k.file.Sync(); err != nil {
		return fmt.Errorf("sync key index %s: %w", k.path(), err)
	}
	return nil
}

// acquire waits until no other request holds key, or until done is
// closed. Call the returned function to release the key.
func (k *keyIndex) acquire(done <-chan struct{}, key string) (release func(), ok bool) {
	k.mu.Lock()
	l := k.locks[key]
	if l == nil {
		l = &keyLock{sem: make(chan struct{}, 1)}
		k.locks[key] = l
	}
	l.refs++
	k.mu.Unlock()
	select {
	case l.sem <- struct{}{}:
		return func() { <-l.sem; k.unref(key, l) }, true
	case <-done:
		k.unref(key, l)
		return nil, false
	}
}

func (k *keyIndex) unref(key string, l *keyLock) {
	k.mu.Lock()
	defer k.mu.Unlock()
	l.refs--
	if l.refs == 0 {
		delete(k.locks, key)
	}
}

func (k *keyIndex) close() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.file == nil {
		return nil
	}
	err := k.file.Close()
	k.file = nil
	return err
}
