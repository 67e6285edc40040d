package watcher

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// Timing of the checks that do not depend on Options.
const (
	// rootCheckInterval is how often Run checks that the inbox still
	// exists and is the folder it watches.
	rootCheckInterval = 2 * time.Second
	// degradedRescanInterval is the rescan interval while fsnotify cannot
	// watch every folder and Options.Rescan is 0.
	degradedRescanInterval = time.Minute
)

var (
	errNotRunning = errors.New("watcher starting: the inbox is not watched yet")
	errStopped    = errors.New("watcher stopped because its context ended")
)

// Watcher finds files in one inbox and reports each once it has settled.
// Create it with New and start it with Run. Release, Resettle and Healthy
// may be called from any goroutine.
type Watcher struct {
	opts           Options
	rootCheck      time.Duration // rootCheckInterval; tests shorten it
	degradedRescan time.Duration // degradedRescanInterval; tests shorten it
	running        atomic.Bool

	cmdMu   sync.Mutex
	cmds    []command
	cmdWake chan struct{}

	healthMu sync.Mutex
	health   error

	// Hooks for tests in this package; nil and false in production.
	injectErr  chan error             // errors handled as if fsnotify had sent them
	dropEvents atomic.Bool            // ignore every fsnotify event
	failWatch  func(dir string) error // a non-nil error fails the watch of dir
}

// command is a Release or Resettle waiting for the event loop.
type command struct {
	path     string
	resettle bool
}

// New validates opts and returns a Watcher for them. The inbox need not
// exist yet.
func New(opts Options) (*Watcher, error) {
	o, err := opts.validate()
	if err != nil {
		return nil, fmt.Errorf("watcher options: %w", err)
	}
	return &Watcher{
		opts:           o,
		rootCheck:      rootCheckInterval,
		degradedRescan: degradedRescanInterval,
		cmdWake:        make(chan struct{}, 1),
		health:         errNotRunning,
	}, nil
}

// Run watches the inbox and calls Options.Ready for each settled file
// until ctx is done, then returns nil. A missing inbox or a failed watch is
// logged, reported by Healthy and retried; Run returns an error only when
// it is already running.
func (w *Watcher) Run(ctx context.Context) error {
	if !w.running.CompareAndSwap(false, true) {
		return fmt.Errorf("watcher for %q is already running", w.opts.Root)
	}
	defer w.running.Store(false)
	l := newLoop(ctx, w)
	defer l.stop()
	l.run()
	w.setHealth(errStopped)
	return nil
}

// Release marks path as finished by the agent, whether it was filed or
// given up. A later event or rescan may report path again.
// When path changed while the agent held it, it is settled and reported
// again if it still exists.
func (w *Watcher) Release(path string) {
	w.enqueue(command{path: filepath.Clean(path)})
}

// Resettle forgets the hand-off of path and settles it again from scratch;
// the agent calls it when the file changed during its upload.
func (w *Watcher) Resettle(path string) {
	w.enqueue(command{path: filepath.Clean(path), resettle: true})
}

// Healthy returns nil while the watcher watches normally, else why not:
// not running, inbox unavailable, or fsnotify failing (rescans continue).
func (w *Watcher) Healthy() error {
	w.healthMu.Lock()
	defer w.healthMu.Unlock()
	return w.health
}

func (w *Watcher) setHealth(err error) {
	w.healthMu.Lock()
	defer w.healthMu.Unlock()
	w.health = err
}

func (w *Watcher) enqueue(c command) {
	w.cmdMu.Lock()
	w.cmds = append(w.cmds, c)
	w.cmdMu.Unlock()
	select {
	case w.cmdWake <- struct{}{}:
	default:
	}
}

func (w *Watcher) takeCommands() []command {
	w.cmdMu.Lock()
	defer w.cmdMu.Unlock()
	cmds := w.cmds
	w.cmds = nil
	return cmds
}
