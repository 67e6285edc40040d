package retention

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// Rule keeps the files of one done folder for Keep after filing.
type Rule struct {
	Folder string // folder name, for logs and counts
	Dir    string // the done folder
	Keep   time.Duration
}

// Sweeper applies Rules. Set every field before the first Sweep.
type Sweeper struct {
	Rules []Rule
	// Skip lists folders never touched, even inside a done folder: inboxes,
	// failed folders, state_dir.
	Skip  []string
	Index *Index
	Now   func() time.Time
	// Lock is held while a sweep removes an empty folder. The code that
	// creates a folder and moves a file into it holds it too, so a folder
	// is never removed between the two.
	Lock sync.Locker
	Log  *slog.Logger
	// Removed, when not nil, is called with the number of files deleted
	// from a rule's folder in a sweep.
	Removed func(folder string, files int)
}

// Run sweeps at once and then every interval until ctx ends.
func (s *Sweeper) Run(ctx context.Context, interval time.Duration) {
	s.Sweep()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.Sweep()
		}
	}
}

// Sweep deletes every expired file, removes the subfolders left empty and
// rewrites the index with the files that remain.
func (s *Sweeper) Sweep() {
	now := s.Now()
	seen := map[string]bool{}
	for _, r := range s.Rules {
		removed := s.sweepRule(r, now, seen)
		if removed > 0 {
			s.Log.Info("removed old files from done", "folder", r.Folder, "done", r.Dir, "files", removed,
				"keep_done", r.Keep.String())
		}
		if s.Removed != nil {
			s.Removed(r.Folder, removed)
		}
	}
	if err := s.Index.compact(func(p string) bool { return seen[p] }); err != nil {
		s.Log.Warn("cannot rewrite the retention index", "error", err)
	}
}

// sweepRule walks one done folder. It returns the number of files deleted.
func (s *Sweeper) sweepRule(r Rule, now time.Time, seen map[string]bool) int {
	var dirs []string
	removed := 0
	err := filepath.WalkDir(r.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				s.Log.Warn("cannot read a done folder for retention", "folder", r.Folder, "path", p, "error", err)
			}
			return nil
		}
		if d.IsDir() {
			if p != r.Dir && s.skipped(p) {
				return filepath.SkipDir
			}
			dirs = append(dirs, p)
			return nil
		}
		if !d.Type().IsRegular() || strings.HasPrefix(d.Name(), ".hotfolder-") {
			return nil
		}
		if s.expire(r, p, d, now) {
			removed++
			return nil
		}
		seen[p] = true
		return nil
	})
	if err != nil {
		s.Log.Warn("retention sweep stopped early", "folder", r.Folder, "done", r.Dir, "error", err)
	}
	// Deepest first, so a folder emptied by removing its empty
	// subfolders goes too; the done folder itself stays.
	slices.Reverse(dirs)
	for _, dir := range dirs[:max(len(dirs)-1, 0)] {
		s.removeIfEmpty(dir)
	}
	return removed
}

// expire deletes the file at p when it was filed more than r.Keep ago and
// reports whether it did. A file the index does not know is adopted
// instead and kept in this sweep, because it may have been moved in an
// instant ago, before its filing time was recorded.
func (s *Sweeper) expire(r Rule, p string, d fs.DirEntry, now time.Time) bool {
	filed, known := s.Index.lookup(p)
	if !known {
		info, err := d.Info()
		if err != nil {
			return false
		}
		if err := s.Index.adopt(p, info.ModTime()); err != nil {
			s.Log.Warn("cannot record a file in the retention index", "path", p, "error", err)
		}
		return false
	}
	if now.Sub(filed) < r.Keep {
		return false
	}
	if err := os.Remove(p); err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			s.Log.Warn("cannot remove an old file from done", "folder", r.Folder, "path", p, "error", err)
			return false
		}
	}
	s.Index.forget(p)
	return true
}

func (s *Sweeper) skipped(dir string) bool {
	for _, skip := range s.Skip {
		if samePath(dir, skip) {
			return true
		}
	}
	for _, r := range s.Rules {
		if samePath(dir, r.Dir) {
			return true // another rule's done folder, swept by that rule
		}
	}
	return false
}

// removeIfEmpty removes dir when it has no entries, holding s.Lock so no
// file is being moved into it.
func (s *Sweeper) removeIfEmpty(dir string) {
	s.Lock.Lock()
	defer s.Lock.Unlock()
	f, err := os.Open(dir)
	if err != nil {
		return
	}
	names, _ := f.Readdirnames(1)
	f.Close()
	if len(names) > 0 {
		return
	}
	if err := os.Remove(dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
		s.Log.Warn("cannot remove an empty folder from done", "path", dir, "error", err)
	}
}
