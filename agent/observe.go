package agent

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hotfolder/hotfolder/agent/status"
	"github.com/hotfolder/hotfolder/uploader"
	"github.com/hotfolder/hotfolder/watcher"
)

// newTracker returns the tracker behind the status page, the metrics and
// the terminal's progress bars.
func (a *Agent) newTracker() *status.Tracker {
	var names []string
	for _, f := range a.cfg.Folders {
		names = append(names, f.Name)
	}
	t := status.NewTracker(status.Options{Folders: names, Version: Version, Health: a.folderHealth})
	return t
}

// limitsRefresh is how often the concurrency and bandwidth gauges are
// brought up to date.
const limitsRefresh = time.Second

// publishLimits keeps the metrics' concurrency limits and bandwidth caps
// in step with the limiters until ctx ends.
func (a *Agent) publishLimits(ctx context.Context) {
	m := a.tracker.Metrics()
	t := time.NewTicker(limitsRefresh)
	defer t.Stop()
	for {
		m.SetBandwidthLimit("", float64(a.bandwidth.Rate()))
		for _, f := range a.folders {
			m.SetConcurrencyLimit(f.cfg.Name, f.limiter.Limit())
			m.SetBandwidthLimit(f.cfg.Name, float64(f.bandwidth.Rate()))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Tracker returns the agent's progress, queue and outcome tracker.
func (a *Agent) Tracker() *status.Tracker { return a.tracker }

func (a *Agent) folderHealth(name string) error {
	f := a.folderByName(name)
	if f == nil || f.watcher == nil {
		return nil
	}
	if err := f.watcher.Healthy(); err != nil {
		return err
	}
	if err := f.gate.health(); err != nil {
		return fmt.Errorf("the endpoint rejects uploads until a person acts: %w", err)
	}
	return a.unfiledProblem(f)
}

// startObservers starts rate sampling, the status page and retention. The
// returned function stops them and waits; Run calls it last, so the status
// page keeps serving while uploads drain.
func (a *Agent) startObservers(ctx context.Context) (stop func()) {
	obsCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	run := func(fn func()) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn()
		}()
	}
	run(func() { a.tracker.Run(obsCtx) })
	run(func() { a.publishLimits(obsCtx) })
	if addr := a.cfg.Agent.StatusListen; addr != "" {
		run(func() { status.Serve(obsCtx, addr, a.tracker, a.log) })
	}
	if a.sweeper != nil {
		run(func() { a.sweeper.Run(ctx, retentionInterval) })
	}
	run(func() {
		select {
		case <-ctx.Done():
			a.tracker.SetStopping()
			a.tracker.ClearQueue()
		case <-obsCtx.Done():
		}
	})
	return func() {
		cancel()
		wg.Wait()
	}
}

// settled queues a file its watcher reported, noting how long it waited:
// from its last modification, or from the agent's start for a file that
// was already there.
func (a *Agent) settled(f *folder, file watcher.File) {
	from := file.ModTime
	if started := a.tracker.Started(); from.Before(started) {
		from = started
	}
	if a.unfiled.holds(file.Path, file.Size, file.ModTime) {
		return // accepted already; its move into done is being retried
	}
	a.tracker.Settled(f.cfg.Name, time.Since(from))
	a.enqueue(&job{folder: f, file: file})
}

// enqueue puts j in the upload queue.
func (a *Agent) enqueue(j *job) {
	a.tracker.Queued(j.folder.cfg.Name, j.file.Size)
	a.queue.push(j)
}

// record keeps the outcome of an attempt for the status page and the
// metrics. httpStatus is the status of a successful attempt's response;
// for a failed attempt it comes from err.
func (a *Agent) record(j *job, outcome string, took time.Duration, httpStatus int, err error) {
	o := status.Outcome{Folder: j.folder.cfg.Name, File: j.file.Rel, Outcome: outcome, Bytes: j.file.Size,
		Duration: took, Attempts: j.attempts, Status: httpStatus}
	if err != nil {
		o.Class = string(uploader.Classify(err))
		o.Error = err.Error()
		var ue *uploader.Error
		if errors.As(err, &ue) {
			o.Status = ue.Status
		}
	}
	a.tracker.Record(o)
}
