package watcher

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/fsnotify/fsnotify"
)

var errEventQueueFull = fmt.Errorf("event queue of %d events is full: %w", eventQueueSize, fsnotify.ErrEventOverflow)

// onEvent turns one fsnotify event into candidates, forgotten paths or
// watch changes. Events only hint at what changed: every candidate is
// checked with Lstat before anything is reported.
func (l *loop) onEvent(ev fsnotify.Event) {
	if l.w.dropEvents.Load() {
		return
	}
	p := filepath.Clean(ev.Name)
	if p == l.o.Root {
		if ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
			l.rootEvent()
		}
		return
	}
	if ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
		l.gone(p)
	}
	if ev.Has(fsnotify.Create) || ev.Has(fsnotify.Write) || ev.Has(fsnotify.Chmod) {
		l.touched(p, ev.Has(fsnotify.Create))
	}
}

// onNotifyError handles an error from fsnotify, such as a kernel queue
// overflow, by listing the whole inbox again: files whose events were
// lost are found that way.
func (l *loop) onNotifyError(err error) {
	class := "watch_error"
	if errors.Is(err, fsnotify.ErrEventOverflow) {
		class = "event_overflow"
	}
	if n, ok := l.lostEvents.allow(); ok {
		l.log.Warn("file events lost, listing the inbox again", slog.String("path", l.o.Root),
			slog.String("class", class), slog.Int("suppressed", n), slog.Any("error", err))
	}
	if l.armed {
		l.lister.requestFull()
	}
}

// gone forgets p after a Remove or Rename. A file handed to the agent
// stays handed until Release, and is looked at again after it.
func (l *loop) gone(p string) {
	delete(l.rejected, p)
	if l.watches.has(p) {
		l.watches.forget(p)
	}
	e := l.files[p]
	switch {
	case e == nil:
	case e.handed:
		e.dirty = true
	default:
		l.drop(e)
	}
}

// touched handles a Create, Write or Chmod of p. Only a Create can bring a
// new folder, so only then is p looked at before it becomes a candidate.
func (l *loop) touched(p string, created bool) {
	if base := l.f.markerBase(p); base != "" {
		l.markerSeen(base, false)
		return
	}
	if e := l.files[p]; e != nil {
		l.touchedEntry(e)
		return
	}
	if !created || l.watches.has(p) {
		l.candidate(p, false)
		return
	}
	fi, err := os.Lstat(p)
	if err != nil {
		return // gone again; its Remove event follows
	}
	l.classified(p, kindOf(p, fi.Mode()), false)
}

// classified acts on an entry whose kind is known.
func (l *loop) classified(p string, k kind, listed bool) {
	switch k {
	case kindDir:
		l.dirFound(p)
	case kindLink, kindSpecial:
		if l.f.file(p) {
			l.reject(p, k)
		}
	default:
		l.candidate(p, listed)
	}
}

// candidate makes p a pending file unless it is known already or
// filtered out. listed is true when a listing found it rather than an
// event.
func (l *loop) candidate(p string, listed bool) {
	if e := l.files[p]; e != nil {
		if !listed {
			l.touchedEntry(e)
		}
		return
	}
	if l.watches.has(p) || !l.f.file(p) {
		return
	}
	e := &entry{path: p, index: -1, listed: listed}
	l.files[p] = e
	l.schedule(e, l.now())
}

// touchedEntry records an event for a known file. A pending file waiting
// for its marker or for a retry is looked at again within a tick.
func (l *loop) touchedEntry(e *entry) {
	e.touched()
	if next := l.now() + l.tick; !e.handed && e.due > next {
		l.schedule(e, next)
	}
}

// markerSeen looks at base again now that its ready marker appeared.
func (l *loop) markerSeen(base string, listed bool) {
	e := l.files[base]
	switch {
	case e == nil:
		l.candidate(base, listed)
	case !e.handed:
		l.schedule(e, l.now())
	}
}

// dirFound watches and lists a new folder when Recursive allows it.
func (l *loop) dirFound(p string) {
	if !l.armed || !l.f.dir(p) || l.watches.has(p) {
		return
	}
	l.lister.requestDir(p)
}

// reject logs a link or special file once per path.
func (l *loop) reject(p string, k kind) {
	if _, ok := l.rejected[p]; !ok {
		msg := "skipped a link, it is never followed"
		if k == kindSpecial {
			msg = "skipped a special file, it is never opened"
		}
		l.log.Info(msg, slog.String("path", p), slog.String("class", k.class()))
	}
	l.rejected[p] = l.gen
}

// onFound takes a batch from the lister.
func (l *loop) onFound(b found) {
	l.gen = max(l.gen, b.gen)
	for _, fe := range b.entries {
		l.listed(fe)
	}
	if b.done {
		l.listingDone(b)
	}
}

func (l *loop) listed(fe foundEntry) {
	if base := l.f.markerBase(fe.path); base != "" {
		l.markerSeen(base, true)
		return
	}
	if e := l.files[fe.path]; e != nil {
		return
	}
	l.classified(fe.path, fe.kind, true)
}

// listingDone records the end of a listing: health, the next rescan, and
// pruning of skipped paths that no longer exist.
func (l *loop) listingDone(b found) {
	st := b.stats
	if st.watchErr != nil {
		if l.watchErr == nil {
			l.log.Error("cannot watch folders, their new files are found only by rescans",
				slog.String("path", st.listedFolder), slog.String("class", "watch_failed"),
				slog.Int("folders", st.watchFailed), slog.Duration("rescan", l.rescanIntervalIf(true)),
				slog.Any("error", st.watchErr))
		}
		l.watchErr = st.watchErr
	}
	if !b.full {
		l.publishHealth()
		return
	}
	if st.watchErr == nil && l.watchErr != nil {
		l.log.Info("watching every folder again", slog.String("path", l.o.Root))
		l.watchErr = nil
	}
	for p, g := range l.rejected {
		if g < b.gen {
			delete(l.rejected, p)
		}
	}
	l.logListing(st)
	l.publishHealth()
	l.scheduleRescan()
}

func (l *loop) logListing(st listStats) {
	attrs := []slog.Attr{slog.String("path", l.o.Root), slog.Int("files", st.files), slog.Int("folders", st.dirs),
		slog.Duration("took", st.took), slog.Int("pending", l.due.Len())}
	if !l.listedOnce {
		l.listedOnce = true
		l.log.LogAttrs(l.ctx, slog.LevelInfo, "inbox listed", attrs...)
		return
	}
	l.log.LogAttrs(l.ctx, slog.LevelDebug, "inbox listed again", attrs...)
}

// runCommands applies the Release and Resettle calls made since the last
// run.
func (l *loop) runCommands() {
	for _, c := range l.w.takeCommands() {
		if c.resettle {
			l.resettle(c.path)
		} else {
			l.release(c.path)
		}
	}
}

func (l *loop) release(p string) {
	e := l.files[p]
	if e == nil || !e.handed {
		return
	}
	delete(l.files, p)
	if e.dirty {
		// It changed while the agent held it: look at whatever is there now.
		l.candidate(p, false)
	}
}

func (l *loop) resettle(p string) {
	e := l.files[p]
	if e == nil {
		l.candidate(p, false)
		return
	}
	e.handed, e.dirty = false, false
	e.reset()
	l.schedule(e, l.now())
}
