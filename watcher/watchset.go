package watcher

import (
	"sync"

	"github.com/fsnotify/fsnotify"
)

// watchSet tracks the folders watched with fsnotify. The event loop and
// the lister both change it. Its fsnotify calls never wait on the event
// loop, because pump drains fsnotify's channels on a goroutine of its own
// (the Windows backend's Add and Remove wait for its reader goroutine,
// which waits until its last event is taken).
type watchSet struct {
	root   string
	fail   func(dir string) error // test hook; nil in production
	mu     sync.Mutex
	notify *fsnotify.Watcher // nil in poll mode or while fsnotify is unavailable
	dirs   map[string]struct{}
}

func newWatchSet(root string, fail func(string) error) *watchSet {
	return &watchSet{root: root, fail: fail, dirs: make(map[string]struct{})}
}

// setNotifier replaces the fsnotify watcher; the caller closes the old one.
func (s *watchSet) setNotifier(n *fsnotify.Watcher) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.notify = n
	clear(s.dirs)
}

// add watches dir unless it is already watched. It does nothing without a
// notifier.
func (s *watchSet) add(dir string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.notify == nil {
		return nil
	}
	if _, ok := s.dirs[dir]; ok {
		return nil
	}
	if s.fail != nil {
		if err := s.fail(dir); err != nil {
			return err
		}
	}
	if err := addNotify(s.notify, dir, dir == s.root); err != nil {
		return err
	}
	s.dirs[dir] = struct{}{}
	return nil
}

func (s *watchSet) has(dir string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.dirs[dir]
	return ok
}

// forget stops watching dir and every watched folder below it. fsnotify
// may have dropped the watches already when the folder went away, so
// errors from Remove are expected and ignored.
func (s *watchSet) forget(dir string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for d := range s.dirs {
		if within(d, dir) {
			delete(s.dirs, d)
			if s.notify != nil {
				_ = s.notify.Remove(d)
			}
		}
	}
}

func (s *watchSet) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.dirs)
}
