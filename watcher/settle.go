package watcher

import (
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"time"
)

// runChecks looks at every pending file that is due, oldest first, for at
// most maxCheckBatch. The rest wait for the next round, so events keep
// flowing meanwhile. Checks pause while the inbox is unavailable.
func (l *loop) runChecks() {
	if !l.armed {
		return
	}
	deadline := time.Now().Add(maxCheckBatch)
	for n := 1; l.due.Len() > 0; n++ {
		now := l.now()
		e := l.due[0]
		if e.due > now {
			return
		}
		l.check(e, now)
		if n%32 == 0 && time.Now().After(deadline) {
			return
		}
	}
}

// check looks at one due file. Every path out of it either reschedules e
// later than now or takes it out of the due heap.
func (l *loop) check(e *entry, now time.Duration) {
	fi, err := os.Lstat(e.path)
	if err != nil {
		l.lookFailed(e, err, now)
		return
	}
	switch k := kindOf(e.path, fi.Mode()); k {
	case kindDir:
		l.drop(e)
		l.dirFound(e.path)
		return
	case kindLink, kindSpecial:
		l.drop(e)
		l.reject(e.path, k)
		return
	}
	if !l.observe(e, fi, now) {
		return
	}
	if l.o.ReadyMarker != "" {
		if _, err := os.Lstat(e.path + l.o.ReadyMarker); err != nil {
			l.schedule(e, now+max(minMarkerWait, time.Duration(l.due.Len())*markerLookCost))
			return
		}
	}
	busy, err := openProbe(e.path)
	switch {
	case busy:
		l.log.Debug("file still open by its writer", slog.String("path", e.path))
		l.schedule(e, now+l.tick)
	case err == nil:
		l.handOff(e, fi)
	case errors.Is(err, fs.ErrPermission) && e.denied:
		l.handOffUnreadable(e, fi, err)
	default:
		e.denied = errors.Is(err, fs.ErrPermission)
		l.lookFailed(e, err, now)
	}
}

// observe records a look at e and returns true once its size and mtime
// have held for Settle, or for quickGap when a listing found it with an
// mtime already older than Settle. Both need two looks at least.
// Otherwise it schedules the next look.
//
// NOTE: the quick path trusts the mtime. A share whose clock runs behind,
// or a writer that sets an old mtime before it has finished writing, can
// make a file look old. Then only quickGap (at least 1 s, or Settle when
// shorter) of unchanged size and mtime guards against an early report.
func (l *loop) observe(e *entry, fi fs.FileInfo, now time.Duration) bool {
	size, mtime := fi.Size(), fi.ModTime().UnixNano()
	if e.seen == 0 || size != e.size || mtime != e.mtime {
		e.size, e.mtime, e.stable, e.seen = size, mtime, now, 1
		e.denied = false
		e.quick = time.Since(fi.ModTime()) > l.o.Settle
		l.schedule(e, now+l.tick)
		return false
	}
	if e.seen < 255 {
		e.seen++
	}
	need := l.o.Settle
	if e.quick && e.listed {
		need = l.quickGap
	}
	if now-e.stable >= need {
		return true
	}
	l.schedule(e, min(now+l.tick, e.stable+need))
	return false
}

// lookFailed handles a failed Lstat or open. A file that vanished is
// dropped quietly; any other failure is logged once and retried.
func (l *loop) lookFailed(e *entry, err error, now time.Duration) {
	if errors.Is(err, fs.ErrNotExist) {
		l.log.Debug("file vanished before it settled", slog.String("path", e.path))
		l.drop(e)
		return
	}
	if !e.warned {
		e.warned = true
		l.log.Warn("cannot read file, retrying", slog.String("path", e.path),
			slog.String("class", l.o.Classify(err)), slog.Any("error", err))
	}
	l.schedule(e, now+l.retryWait)
}

// handOff reports e to the agent.
func (l *loop) handOff(e *entry, fi fs.FileInfo) {
	l.unqueue(e)
	e.handed, e.dirty = true, false
	rel, _ := l.f.rel(e.path)
	f := File{Path: e.path, Rel: rel, Size: fi.Size(), ModTime: fi.ModTime()}
	if l.o.ReadyMarker != "" {
		f.Marker = e.path + l.o.ReadyMarker
	}
	if e.warned {
		l.log.Info("file can be read again", slog.String("path", e.path))
		e.warned = false
	}
	l.log.Debug("file settled", slog.String("path", e.path), slog.Int64("bytes", f.Size))
	l.o.Ready(f)
}

// handOffUnreadable reports a settled file whose open failed with a
// permission error on two looks in a row. The agent's upload then fails
// with the same error and files it in failed/ with a note, where it would
// otherwise wait in the inbox for ever. A sharing or lock violation on
// Windows never gets here, because openProbe reports it as busy.
//
// NOTE: on Windows, opening a file that is being deleted while another
// handle to it is open also fails with ERROR_ACCESS_DENIED. Such a file is
// reported if that handle stays open across two looks, and filing it then
// fails.
func (l *loop) handOffUnreadable(e *entry, fi fs.FileInfo, err error) {
	l.log.Debug("file settled but cannot be read, reporting it", slog.String("path", e.path),
		slog.String("class", l.o.Classify(err)), slog.Any("error", err))
	e.warned = false
	l.handOff(e, fi)
}
