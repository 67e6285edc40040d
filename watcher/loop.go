package watcher

import (
	"context"
	"io/fs"
	"log/slog"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

const (
	// eventQueueSize is the number of fsnotify events buffered between the
	// pump and the event loop. When it is full, events are dropped and the
	// inbox is listed again, as after a kernel queue overflow.
	eventQueueSize = 4096
	// maxCheckBatch bounds the time one round of settle checks may take
	// before the loop turns to events again.
	maxCheckBatch = 50 * time.Millisecond
	// minCheckDelay is the shortest wait before a round of settle checks,
	// so candidates arriving together are checked together.
	minCheckDelay = 5 * time.Millisecond
	// minMarkerWait and markerLookCost set the interval between looks at
	// a settled file whose ready marker is missing: minMarkerWait, or
	// markerLookCost per pending file when that is longer, so files
	// waiting for markers cost at most about 1,000 looks a second. The
	// marker's event, or the listing that finds it, brings the look
	// forward; this interval is the safety net for a lost event.
	minMarkerWait  = 2 * time.Second
	markerLookCost = time.Millisecond
)

// loop is the state of one Run. Everything in it belongs to the goroutine
// running Run unless a field's comment states otherwise.
type loop struct {
	ctx    context.Context
	cancel context.CancelFunc
	w      *Watcher
	o      Options
	f      filter
	log    *slog.Logger
	start  time.Time // base of the monotonic times in entries

	tick      time.Duration // interval between two looks at a pending file
	quickGap  time.Duration // shortest settle time of an old file found by a listing
	retryWait time.Duration // interval between looks at a file that could not be read

	watches *watchSet // shared with the lister
	notify  *fsnotify.Watcher
	events  chan fsnotify.Event // filled by pump
	errs    chan error          // filled by pump
	found   chan found          // filled by the lister
	lister  *lister
	workers sync.WaitGroup // the lister and the pumps

	files    map[string]*entry
	due      dueHeap
	rejected map[string]uint64 // skipped links and special files, by path, with the listing that last saw them
	gen      uint64            // latest full listing seen

	armed       bool        // the inbox exists and is being watched
	rootInfo    fs.FileInfo // the inbox folder as it was when armed
	rootErr     error
	watchErr    error
	listedOnce  bool
	notifyError error // the error that kept fsnotify from starting, nil when it runs or in poll mode

	checkTimer  *time.Timer
	checkAt     time.Duration // when checkTimer fires, -1 when stopped
	rescanTimer *time.Timer
	rootTicker  *time.Ticker
	lostEvents  repeatLog
}

func newLoop(ctx context.Context, w *Watcher) *loop {
	ctx, cancel := context.WithCancel(ctx)
	o := w.opts
	tick := clampDuration(o.Settle/4, 50*time.Millisecond, time.Second)
	l := &loop{
		ctx:         ctx,
		cancel:      cancel,
		w:           w,
		o:           o,
		f:           newFilter(o),
		log:         o.Logger,
		start:       time.Now(),
		tick:        tick,
		quickGap:    min(o.Settle, max(tick, time.Second)),
		retryWait:   clampDuration(4*tick, time.Second, 5*time.Second),
		watches:     newWatchSet(o.Root, w.failWatch),
		events:      make(chan fsnotify.Event, eventQueueSize),
		errs:        make(chan error, 16),
		found:       make(chan found, 4),
		files:       make(map[string]*entry),
		rejected:    make(map[string]uint64),
		checkTimer:  time.NewTimer(time.Hour),
		checkAt:     -1,
		rescanTimer: time.NewTimer(time.Hour),
		rootTicker:  time.NewTicker(w.rootCheck),
	}
	l.checkTimer.Stop()
	l.rescanTimer.Stop()
	l.lister = newLister(l, l.found)
	return l
}

func (l *loop) run() {
	l.log.Info("watching inbox", slog.String("path", l.o.Root), slog.Bool("recursive", l.o.Recursive),
		slog.Bool("poll", l.o.Poll), slog.Duration("settle", l.o.Settle), slog.Duration("rescan", l.o.Rescan))
	l.workers.Go(func() { l.lister.run(l.ctx) })
	l.startNotifier()
	l.checkRoot()
	for {
		l.armCheckTimer()
		select {
		case <-l.ctx.Done():
			return
		case ev := <-l.events:
			l.onEvent(ev)
		case err := <-l.errs:
			l.onNotifyError(err)
		case err := <-l.w.injectErr:
			l.onNotifyError(err)
		case b := <-l.found:
			l.onFound(b)
		case <-l.w.cmdWake:
			l.runCommands()
		case <-l.checkTimer.C:
			l.checkAt = -1
			l.runChecks()
		case <-l.rescanTimer.C:
			l.rescanDue()
		case <-l.rootTicker.C:
			l.checkRoot()
		}
	}
}

// stop ends the lister and the pumps and releases fsnotify.
func (l *loop) stop() {
	l.cancel()
	l.checkTimer.Stop()
	l.rescanTimer.Stop()
	l.rootTicker.Stop()
	if l.notify != nil {
		_ = l.notify.Close()
	}
	l.workers.Wait()
	l.log.Info("stopped watching inbox", slog.String("path", l.o.Root), slog.Int("pending", l.due.Len()))
}

// now returns the monotonic time since the loop started.
func (l *loop) now() time.Duration { return time.Since(l.start) }

// startNotifier starts fsnotify unless in poll mode or already running.
// On failure the watcher carries on with rescans and tries again on the
// next inbox check.
func (l *loop) startNotifier() {
	if l.o.Poll || l.notify != nil {
		return
	}
	n, err := fsnotify.NewWatcher()
	if err != nil {
		if l.notifyError == nil {
			l.log.Error("cannot start file events, relying on rescans", slog.String("path", l.o.Root),
				slog.String("class", "watch_failed"), slog.Duration("rescan", l.rescanIntervalIf(true)), slog.Any("error", err))
		}
		l.notifyError = err
		l.publishHealth()
		return
	}
	if l.notifyError != nil {
		l.log.Info("file events started", slog.String("path", l.o.Root))
		l.notifyError = nil
	}
	l.notify = n
	l.watches.setNotifier(n)
	l.workers.Go(func() { l.pump(n) })
	if l.armed {
		l.arm(l.rootInfo)
	}
}

// pump moves fsnotify's events and errors into the loop's queues without
// ever blocking on the loop; see watchSet for why.
func (l *loop) pump(n *fsnotify.Watcher) {
	for {
		select {
		case ev, ok := <-n.Events:
			if !ok {
				return
			}
			select {
			case l.events <- ev:
			default:
				l.pushError(errEventQueueFull)
			}
		case err, ok := <-n.Errors:
			if !ok {
				return
			}
			l.pushError(err)
		}
	}
}

// pushError queues err for the loop; when the queue is full, the errors
// already in it start a rescan anyway.
func (l *loop) pushError(err error) {
	select {
	case l.errs <- err:
	default:
	}
}

// armCheckTimer sets the check timer to the earliest due pending file.
func (l *loop) armCheckTimer() {
	if !l.armed || l.due.Len() == 0 {
		if l.checkAt >= 0 {
			l.checkTimer.Stop()
			l.checkAt = -1
		}
		return
	}
	now := l.now()
	at := max(l.due[0].due, now+minCheckDelay)
	if l.checkAt >= 0 && l.checkAt <= at {
		return
	}
	l.checkTimer.Reset(at - now)
	l.checkAt = at
}

func clampDuration(d, lo, hi time.Duration) time.Duration {
	return min(max(d, lo), hi)
}
