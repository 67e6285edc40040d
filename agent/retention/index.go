// Package retention deletes files from done folders once they have been
// there longer than the folder's keep_done, and removes the subfolders
// that leaves empty.
//
// A filed file keeps its original modification time, so age is counted
// from the time the agent filed it, kept in an Index in the agent's
// state_dir. A file missing from the index, because it was filed before
// keep_done was set or put there by hand, is adopted at its first sweep
// with its modification time as filing time. It may be deleted from the
// next sweep on, never in the sweep that found it.
package retention

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Index records when each file was filed. It is an append-only JSON lines
// file, rewritten with just the live entries after each sweep. Entries
// are keyed by the file's path exactly as filed.
type Index struct {
	mu    sync.Mutex
	path  string
	f     *os.File
	filed map[string]time.Time
	fresh map[string]bool // recorded since the last compact, kept by it
}

type indexRecord struct {
	Path  string    `json:"path"`
	Filed time.Time `json:"filed"`
}

// OpenIndex reads the index at path, creating it when missing. A torn
// last line, from a crash mid-write, is ignored.
func OpenIndex(path string) (*Index, error) {
	x := &Index{path: path, filed: map[string]time.Time{}, fresh: map[string]bool{}}
	if err := x.load(); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open retention index %s: %w", path, err)
	}
	x.f = f
	return x, nil
}

func (x *Index) load() error {
	f, err := os.Open(x.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read retention index %s: %w", x.path, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var r indexRecord
		if json.Unmarshal(sc.Bytes(), &r) == nil && r.Path != "" {
			x.filed[r.Path] = r.Filed
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read retention index %s: %w", x.path, err)
	}
	return nil
}

// Record notes that the file at path was filed at t. The entry is written
// to the operating system but not synced: losing it in a crash only makes
// the file's modification time count instead.
func (x *Index) Record(path string, t time.Time) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.filed[path] = t
	x.fresh[path] = true
	return x.write(indexRecord{Path: path, Filed: t})
}

func (x *Index) write(r indexRecord) error {
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if _, err := x.f.Write(append(data, '\n')); err != nil {
		return fmt.Errorf("write retention index %s: %w", x.path, err)
	}
	return nil
}

// lookup returns when path was filed, and false when the index does not
// know it.
func (x *Index) lookup(path string) (time.Time, bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	t, ok := x.filed[path]
	return t, ok
}

// adopt records path as filed at t unless the index already contains it.
func (x *Index) adopt(path string, t time.Time) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if _, ok := x.filed[path]; ok {
		return nil
	}
	x.filed[path] = t
	return x.write(indexRecord{Path: path, Filed: t})
}

func (x *Index) forget(path string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	delete(x.filed, path)
}

// compact rewrites the index, through a synced temporary file, with the
// entries keep accepts and those recorded since the last compact, which a
// sweep running at the same time may not have seen.
func (x *Index) compact(keep func(path string) bool) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	for p := range x.filed {
		if !keep(p) && !x.fresh[p] {
			delete(x.filed, p)
		}
	}
	clear(x.fresh)

	tmp, err := os.CreateTemp(filepath.Dir(x.path), ".retention-*.tmp")
	if err != nil {
		return fmt.Errorf("rewrite retention index %s: %w", x.path, err)
	}
	w := bufio.NewWriter(tmp)
	enc := json.NewEncoder(w)
	for p, t := range x.filed {
		if err = enc.Encode(indexRecord{Path: p, Filed: t}); err != nil {
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
		// Windows cannot rename over a file that is open.
		x.f.Close()
		err = os.Rename(tmp.Name(), x.path)
		f, oerr := os.OpenFile(x.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if oerr != nil {
			return fmt.Errorf("reopen retention index %s: %w", x.path, oerr)
		}
		x.f = f
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("rewrite retention index %s: %w", x.path, err)
	}
	return nil
}

// Len returns the number of entries.
func (x *Index) Len() int {
	x.mu.Lock()
	defer x.mu.Unlock()
	return len(x.filed)
}

// Close closes the index file.
func (x *Index) Close() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.f.Close()
}
