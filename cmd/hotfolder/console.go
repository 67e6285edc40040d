package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hotfolder/hotfolder/agent/status"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/term"
)

// console is the output of "hotfolder run". When stdout is a terminal, it
// draws a progress bar per upload in flight and a queue summary below
// them. Log lines for a terminal stderr then go above the bars, so
// neither garbles the other. Otherwise, as under a service manager or in
// a pipe, the console is plain log lines on stderr.
type console struct {
	stderr   io.Writer
	progress *mpb.Progress // nil without a terminal
	cancel   context.CancelFunc
	done     chan struct{}
}

// displayRefresh is how often the bars read the tracker.
const displayRefresh = 250 * time.Millisecond

func newConsole(stdout, stderr io.Writer) *console {
	c := &console{stderr: stderr}
	if isTerminal(stdout) && os.Getenv("TERM") != "dumb" {
		// WithAutoRefresh draws frames even if the library's own terminal
		// check disagrees, so close cannot wait forever for a frame.
		c.progress = mpb.New(mpb.WithOutput(stdout), mpb.WithWidth(100), mpb.WithRefreshRate(displayRefresh),
			mpb.WithAutoRefresh())
	}
	return c
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// logWriter returns where console log lines go: above the bars when
// stderr is the same kind of terminal, else stderr itself.
func (c *console) logWriter() io.Writer {
	if c.progress == nil || !isTerminal(c.stderr) {
		return c.stderr
	}
	return &aboveBars{progress: c.progress, fallback: c.stderr}
}

// aboveBars writes log lines through the progress container, which
// prints them above the bars at its next refresh. Once the container has
// stopped, lines go to fallback.
type aboveBars struct {
	progress *mpb.Progress
	fallback io.Writer
	stopped  atomic.Bool
}

func (w *aboveBars) Write(p []byte) (int, error) {
	if !w.stopped.Load() {
		n, err := w.progress.Write(p)
		if err == nil {
			return n, nil
		}
		w.stopped.Store(true)
	}
	return w.fallback.Write(p)
}

// show starts drawing t's uploads; it does nothing without a terminal.
func (c *console) show(t *status.Tracker) {
	if c.progress == nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	c.done = make(chan struct{})
	d := &display{progress: c.progress, tracker: t, bars: map[uint64]*uploadBar{}}
	d.summary = c.progress.New(0, mpb.NopStyle(), mpb.BarPriority(math.MaxInt32),
		mpb.PrependDecorators(decor.Any(func(decor.Statistics) string { return d.summaryLine() })))
	go func() {
		defer close(c.done)
		d.run(ctx)
	}()
}

// close stops the display, leaving the last summary on screen. Log lines
// sent through the container wait in its buffer until it draws a frame,
// and Shutdown alone may draw none. So close ends every bar and calls
// Wait, which returns after a frame has drawn each bar's end, and with it
// the buffered lines. The extra bar ends at once, so that frame comes even
// when show never ran, as after a failed start.
func (c *console) close() {
	if c.progress == nil {
		return
	}
	if c.cancel != nil {
		c.cancel()
		<-c.done
	}
	if flush, err := c.progress.Add(0, mpb.NopStyle().Build(), mpb.BarRemoveOnComplete()); err == nil {
		flush.Abort(true)
	}
	c.progress.Wait()
}

// display keeps one bar per upload in flight in step with the tracker.
type display struct {
	progress *mpb.Progress
	tracker  *status.Tracker
	summary  *mpb.Bar
	bars     map[uint64]*uploadBar

	mu   sync.Mutex
	snap status.Snapshot // latest, for the summary line
}

type uploadBar struct {
	bar   *mpb.Bar
	state atomic.Pointer[status.UploadStatus]
}

func (d *display) run(ctx context.Context) {
	t := time.NewTicker(displayRefresh)
	defer t.Stop()
	for {
		d.update()
		select {
		case <-ctx.Done():
			for id, b := range d.bars {
				b.bar.Abort(true)
				delete(d.bars, id)
			}
			d.summary.Abort(false)
			return
		case <-t.C:
		}
	}
}

func (d *display) update() {
	snap := d.tracker.Snapshot()
	d.mu.Lock()
	d.snap = snap
	d.mu.Unlock()
	live := map[uint64]bool{}
	for _, u := range snap.InFlight {
		live[u.ID] = true
		b := d.bars[u.ID]
		if b == nil {
			b = d.newBar(u)
			d.bars[u.ID] = b
		}
		b.state.Store(&u)
		b.bar.SetCurrent(u.Sent)
	}
	for id, b := range d.bars {
		if !live[id] {
			// The outcome shows as a log line; the bar goes.
			b.bar.Abort(true)
			delete(d.bars, id)
		}
	}
}

func (d *display) newBar(u status.UploadStatus) *uploadBar {
	b := &uploadBar{}
	b.state.Store(&u)
	b.bar = d.progress.New(max(u.Size, 1), mpb.BarStyle(), mpb.BarPriority(int(min(u.ID, math.MaxInt32-1))),
		mpb.BarRemoveOnComplete(),
		mpb.PrependDecorators(decor.Name(shorten(u.File, 32), decor.WCSyncSpaceR)),
		mpb.AppendDecorators(decor.Any(func(decor.Statistics) string {
			s := b.state.Load()
			return fmt.Sprintf("%5.1f%%  %11s  %s", s.Percent, formatRate(s.Rate), uploadETA(*s))
		})))
	return b
}

func (d *display) summaryLine() string {
	d.mu.Lock()
	s := d.snap
	d.mu.Unlock()
	q := s.Queue
	var done, failed int64
	for _, f := range s.Folders {
		done += f.Uploaded
		failed += f.Failed
	}
	line := fmt.Sprintf("queue: %d files (%s) | uploading: %d at %s | ETA %s | done %d | failed %d",
		q.Files, formatSize(q.Bytes), q.InFlight, formatRate(q.Rate), formatETA(q.ETASeconds), done, failed)
	if q.RetryWaiting > 0 {
		line += fmt.Sprintf(" | waiting to retry %d", q.RetryWaiting)
	}
	if !s.Healthy && len(s.Problems) > 0 {
		line += " | " + s.Problems[0]
	}
	return line
}

// shorten keeps the end of a long name, where the file name is.
func shorten(name string, width int) string {
	r := []rune(name)
	if len(r) <= width {
		return name
	}
	return "..." + string(r[len(r)-width+3:])
}
