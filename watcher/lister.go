package watcher

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// listBatchSize is the number of directory entries read and sent to the
// event loop at a time, so the first files of a large folder reach the
// loop before the whole folder has been read.
const listBatchSize = 256

// found is a batch of entries the lister sends to the event loop.
type found struct {
	entries []foundEntry
	gen     uint64 // number of the latest full listing started
	done    bool   // the listing this batch belongs to has finished
	full    bool   // that listing covered the whole inbox
	stats   listStats
}

type foundEntry struct {
	path string
	kind kind
}

type listStats struct {
	files        int   // files the filters let through, ready markers not included
	dirs         int   // folders listed below the inbox
	watchErr     error // first failure to watch a folder
	watchFailed  int   // folders that could not be watched
	took         time.Duration
	listedFolder string // the folder the listing started at
}

// lister lists folders on a goroutine of its own, so Run never waits for
// a large backlog to be read. It watches each folder before listing it,
// so a file created meanwhile shows up as an event, in the listing, or
// both.
type lister struct {
	root     string
	filter   filter
	watches  *watchSet
	log      *slog.Logger
	classify func(error) string
	out      chan<- found

	mu      sync.Mutex
	full    bool     // a full listing is requested
	dirs    []string // subfolders to list
	wake    chan struct{}
	gen     uint64
	failing map[string]bool // folders whose last listing failed; used by run only
}

func newLister(l *loop, out chan<- found) *lister {
	return &lister{
		root:     l.o.Root,
		filter:   l.f,
		watches:  l.watches,
		log:      l.log,
		classify: l.o.Classify,
		out:      out,
		wake:     make(chan struct{}, 1),
		failing:  make(map[string]bool),
	}
}

// requestFull asks for a listing of the whole inbox. A request made while
// one runs starts another when it ends, because the running one may have
// passed folders whose events were lost.
func (s *lister) requestFull() {
	s.mu.Lock()
	s.full = true
	s.mu.Unlock()
	s.nudge()
}

// requestDir asks for dir and everything below it to be watched and listed.
func (s *lister) requestDir(dir string) {
	s.mu.Lock()
	s.dirs = append(s.dirs, dir)
	s.mu.Unlock()
	s.nudge()
}

func (s *lister) nudge() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// takeDirs returns the subfolders requested so far, leaving a full
// listing request in place.
func (s *lister) takeDirs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	dirs := s.dirs
	s.dirs = nil
	return dirs
}

func (s *lister) take() (full bool, dirs []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	full, dirs = s.full, s.dirs
	s.full, s.dirs = false, nil
	return full, dirs
}

func (s *lister) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		}
		for {
			full, dirs := s.take()
			if !full && len(dirs) == 0 {
				break
			}
			if full {
				// A full listing covers every requested subfolder.
				s.gen++
				dirs = []string{s.root}
			}
			for _, d := range dirs {
				if !s.walk(ctx, d, full) {
					return
				}
			}
		}
	}
}

// walk watches and lists start and, when Recursive, the folders below it.
// It returns false when ctx ended.
func (s *lister) walk(ctx context.Context, start string, full bool) bool {
	began := time.Now()
	st := listStats{listedFolder: start}
	stack := []string{start}
	var batch []foundEntry
	for len(stack) > 0 {
		if full && !s.walkRequested(ctx) {
			return false
		}
		dir := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if dir != s.root && !isPlainDir(dir) {
			continue
		}
		err := s.watches.add(dir)
		if errors.Is(err, fs.ErrNotExist) {
			continue // removed since it was read; its Remove event follows
		}
		if dir != s.root {
			st.dirs++
		}
		if err != nil {
			st.watchFailed++
			if st.watchErr == nil {
				st.watchErr = fmt.Errorf("watching folder %q failed: %w", dir, err)
			}
		}
		var ok bool
		batch, stack, ok = s.list(ctx, dir, batch, stack, &st)
		if !ok {
			return false
		}
	}
	st.took = time.Since(began)
	return s.send(ctx, found{entries: batch, gen: s.gen, done: true, full: full, stats: st})
}

// walkRequested lists the subfolders requested while a full listing runs,
// so new folders on a slow share are watched without waiting for it.
func (s *lister) walkRequested(ctx context.Context) bool {
	for _, d := range s.takeDirs() {
		if !s.walk(ctx, d, false) {
			return false
		}
	}
	return true
}

// list reads dir in chunks, sends its non-folder entries on in batches
// and pushes the subfolders to list onto stack.
func (s *lister) list(ctx context.Context, dir string, batch []foundEntry, stack []string, st *listStats) ([]foundEntry, []string, bool) {
	f, err := os.Open(dir)
	if err != nil {
		s.listFailed(dir, err)
		return batch, stack, true
	}
	defer f.Close()
	for {
		entries, err := f.ReadDir(listBatchSize)
		for _, de := range entries {
			p := filepath.Join(dir, de.Name())
			if de.IsDir() {
				if s.filter.dir(p) {
					stack = append(stack, p)
				}
				continue
			}
			fe := foundEntry{path: p, kind: kindOf(p, de.Type())}
			if s.counts(fe) {
				st.files++
			}
			batch = append(batch, fe)
			if len(batch) >= listBatchSize {
				if !s.send(ctx, found{entries: batch, gen: s.gen}) {
					return nil, nil, false
				}
				batch = nil
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			s.listFailed(dir, err)
			return batch, stack, true
		}
	}
	if s.failing[dir] {
		delete(s.failing, dir)
		s.log.Info("folder can be listed again", slog.String("path", dir))
	}
	return batch, stack, true
}

// counts reports whether fe is counted in the files of a listing: a
// regular file that the filters let through and that is not a ready
// marker. So excluded names, such as the agent's inbox lock file, are not
// counted.
func (s *lister) counts(fe foundEntry) bool {
	return fe.kind == kindFile && s.filter.markerBase(fe.path) == "" && s.filter.file(fe.path)
}

// listFailed logs a folder that cannot be read, once until it can be read
// again. A folder that vanished meanwhile is not worth a warning.
func (s *lister) listFailed(dir string, err error) {
	if errors.Is(err, fs.ErrNotExist) {
		s.log.Debug("folder vanished before it was listed", slog.String("path", dir))
		return
	}
	if s.failing[dir] {
		return
	}
	s.failing[dir] = true
	s.log.Warn("cannot list folder", slog.String("path", dir),
		slog.String("class", s.classify(err)), slog.Any("error", err))
}

func (s *lister) send(ctx context.Context, b found) bool {
	select {
	case s.out <- b:
		return true
	case <-ctx.Done():
		return false
	}
}

// isPlainDir reports whether p is a folder and not a link to one, so a
// folder swapped for a link after it was read is not followed.
func isPlainDir(p string) bool {
	fi, err := os.Lstat(p)
	return err == nil && kindOf(p, fi.Mode()) == kindDir
}
