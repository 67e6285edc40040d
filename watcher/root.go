package watcher

import (
	"fmt"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"os"
	"time"
)

// checkRoot notices an inbox that went away, came back or was replaced
// (a share remounted, a folder removed and created again) and watches it
// again. It runs at start, every rootCheck and after an event on the inbox
// itself.
func (l *loop) checkRoot() {
	l.startNotifier()
	fi, err := os.Stat(l.o.Root)
	if err == nil && !fi.IsDir() {
		err = fmt.Errorf("%q is not a folder", l.o.Root)
	}
	switch {
	case err != nil:
		l.disarm(err)
	case !l.armed:
		l.arm(fi)
	case !os.SameFile(fi, l.rootInfo):
		l.log.Warn("inbox replaced, watching it again", slog.String("path", l.o.Root), slog.String("class", "inbox_replaced"))
		l.arm(fi)
	case l.notify != nil && !l.watches.has(l.o.Root):
		l.retryRootWatch()
	}
}

// retryRootWatch tries again to watch an inbox whose watch failed or was
// dropped, and lists it in full once that works, because its events were
// lost meanwhile.
func (l *loop) retryRootWatch() {
	if err := l.watches.add(l.o.Root); err != nil {
		return
	}
	l.lister.requestFull()
}

// rootEvent handles the inbox itself being removed or renamed: fsnotify
// dropped its watch, so the inbox is checked and watched again at once.
func (l *loop) rootEvent() {
	l.watches.forget(l.o.Root)
	l.checkRoot()
}

// arm watches the inbox, then lists it in full.
func (l *loop) arm(fi fs.FileInfo) {
	l.watches.forget(l.o.Root)
	if err := l.watches.add(l.o.Root); err != nil {
		if l.watchErr == nil {
			l.log.Error("cannot watch inbox, relying on rescans", slog.String("path", l.o.Root),
				slog.String("class", "watch_failed"), slog.Duration("rescan", l.rescanIntervalIf(true)), slog.Any("error", err))
		}
		l.watchErr = fmt.Errorf("watching inbox %q failed: %w", l.o.Root, err)
	}
	if l.rootErr != nil {
		l.log.Info("inbox available again, watching it", slog.String("path", l.o.Root))
	}
	// On Windows a FileInfo loads its file ID from its path on first use;
	// load it now, before the path can name another folder.
	os.SameFile(fi, fi)
	l.armed, l.rootInfo, l.rootErr = true, fi, nil
	l.publishHealth()
	l.lister.requestFull()
}

// disarm stops watching an inbox that is unavailable. Pending files stay
// pending and are looked at again once it is back.
func (l *loop) disarm(err error) {
	if l.rootErr == nil {
		l.log.Warn("inbox unavailable, retrying", slog.String("path", l.o.Root),
			slog.String("class", "inbox_missing"), slog.Duration("retry", l.w.rootCheck), slog.Any("error", err))
	}
	l.armed, l.rootInfo = false, nil
	l.rootErr = fmt.Errorf("inbox %q is unavailable: %w", l.o.Root, err)
	l.watches.forget(l.o.Root)
	l.publishHealth()
}

// publishHealth stores the reason Healthy returns.
func (l *loop) publishHealth() {
	var err error
	switch {
	case l.rootErr != nil:
		err = l.rootErr
	case l.notifyError != nil:
		err = fmt.Errorf("file events unavailable, rescanning every %s: %w", l.rescanInterval(), l.notifyError)
	case l.watchErr != nil:
		err = fmt.Errorf("%w; rescanning every %s", l.watchErr, l.rescanInterval())
	}
	l.w.setHealth(err)
}

// rescanDue starts a periodic full listing.
func (l *loop) rescanDue() {
	if l.armed {
		l.lister.requestFull()
		return
	}
	l.scheduleRescan()
}

// scheduleRescan sets the next periodic listing to a random 3/4 to 5/4 of
// the interval, so agents sharing a folder do not list it in step.
func (l *loop) scheduleRescan() {
	d := l.rescanInterval()
	if d <= 0 {
		return
	}
	d = d*3/4 + rand.N(d/2+1)
	l.rescanTimer.Reset(d)
}

// rescanInterval is Options.Rescan, or the degraded interval while some
// folders cannot be watched and Options.Rescan is 0.
func (l *loop) rescanInterval() time.Duration {
	return l.rescanIntervalIf(l.notifyError != nil || l.watchErr != nil)
}

func (l *loop) rescanIntervalIf(degraded bool) time.Duration {
	if l.o.Rescan > 0 || !degraded {
		return l.o.Rescan
	}
	return l.w.degradedRescan
}

// repeatLog limits a repeating warning to one line a minute and counts the
// repeats it suppressed.
type repeatLog struct {
	last       time.Time
	suppressed int
}

func (r *repeatLog) allow() (suppressed int, ok bool) {
	now := time.Now()
	if !r.last.IsZero() && now.Sub(r.last) < time.Minute {
		r.suppressed++
		return 0, false
	}
	n := r.suppressed
	r.last, r.suppressed = now, 0
	return n, true
}
