// Package agent wires the hot-folder agent together: it loads the config,
// runs one watcher per inbox, uploads settled files through a fixed number
// of workers, retries what is worth retrying and files each file in its
// done or failed folder.
//
// A file's path through the agent: watcher.Watcher reports it settled, it
// waits in the queue, and a worker hashes it and calls
// uploader.Client.Upload. On a receipt the filer moves it to done. On a
// permanent error it goes to failed with a note. On a recoverable error it
// waits and goes back to the queue.
package agent

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/hotfolder/hotfolder/agent/bandwidth"
	"github.com/hotfolder/hotfolder/agent/limit"
	"github.com/hotfolder/hotfolder/agent/memwatch"
	"github.com/hotfolder/hotfolder/agent/retention"
	"github.com/hotfolder/hotfolder/agent/status"
	"github.com/hotfolder/hotfolder/uploader"
	"github.com/hotfolder/hotfolder/watcher"
)

// Version is the agent's version, stamped at build time.
var Version = "dev"

// Agent is a configured agent. Run it once.
type Agent struct {
	cfg       *Config
	log       *slog.Logger
	folders   []*folder
	queue     *queue
	bandwidth *bandwidth.Limiter // [agent] bandwidth, shared by every upload
	memory    *memwatch.Watch
	filer     filer
	journal   *journal
	locks     []io.Closer     // of state_dir and each inbox, held while the agent runs
	pending   []receiptRecord // receipts from before a restart, filed by Run
	unfiled   unfiled         // accepted files that could not be moved yet
	retries   sync.WaitGroup
	stopped   chan struct{} // closed when intake stops

	tracker *status.Tracker    // progress, queue and outcomes for the status page
	sweeper *retention.Sweeper // nil when no folder sets keep_done
}

// folder is one inbox with its watcher and endpoint.
type folder struct {
	cfg       *FolderConfig
	watcher   *watcher.Watcher
	client    *uploader.Client
	gate      *gate
	limiter   *limit.Limiter     // uploads in flight to the endpoint
	bandwidth *bandwidth.Limiter // the folder's own cap
}

// job is one file on its way through the agent.
type job struct {
	folder   *folder
	file     watcher.File
	sha256   string
	attempts int
	first    time.Time // first attempt
	last     time.Time // latest attempt
}

// New builds an agent from a loaded config. It creates missing folders.
func New(cfg *Config, log *slog.Logger) (*Agent, error) {
	a := &Agent{cfg: cfg, log: log, queue: newQueue(), stopped: make(chan struct{}),
		bandwidth: bandwidth.NewLimiter(cfg.Agent.Bandwidth.Schedule(), nil)}
	a.memory = a.newMemoryWatch(nil)
	if err := os.MkdirAll(cfg.Agent.StateDir, 0o755); err != nil {
		return nil, fmt.Errorf("create state_dir: %w", err)
	}
	lock, err := lockStateDir(cfg.Agent.StateDir)
	if err != nil {
		return nil, err
	}
	a.locks = append(a.locks, lock)
	if a.journal, a.pending, err = openJournal(cfg.Agent.StateDir); err != nil {
		a.unlock()
		return nil, fmt.Errorf("open journal in state_dir: %w", err)
	}
	a.tracker = a.newTracker()
	for i := range cfg.Folders {
		f, err := a.newFolder(&cfg.Folders[i])
		if err != nil {
			a.journal.close()
			a.unlock()
			return nil, err
		}
		a.folders = append(a.folders, f)
	}
	if a.sweeper, err = a.newSweeper(); err != nil {
		a.journal.close()
		a.unlock()
		return nil, fmt.Errorf("open retention index in state_dir: %w", err)
	}
	return a, nil
}

// unlock releases the locks of state_dir and the inboxes.
func (a *Agent) unlock() {
	for _, f := range a.locks {
		f.Close()
	}
	a.locks = nil
}

func (a *Agent) newFolder(fc *FolderConfig) (*folder, error) {
	for _, dir := range []string{fc.Inbox, fc.Done, fc.Failed} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("folder %q: create %s: %w", fc.Name, dir, err)
		}
	}
	lock, err := lockInbox(fc.Name, fc.Inbox)
	if err != nil {
		return nil, err
	}
	a.locks = append(a.locks, lock)
	u := fc.Upload
	folderLimiter := bandwidth.NewLimiter(fc.Bandwidth.Schedule(), nil)
	client, err := NewClient(fc, a.throttleFor(fc, folderLimiter))
	if err != nil {
		return nil, err
	}
	// NOTE: folders that send to one server each have a limiter of their
	// own, so together they may probe above that server's capacity.
	f := &folder{cfg: fc, client: client, gate: &gate{min: u.RetryMin.D(), max: u.RetryMax.D(), notify: a.queue.kick},
		limiter: limit.New(limit.Config{Max: a.cfg.Agent.MaxUploads}), bandwidth: folderLimiter}
	f.limiter.OnChange(a.queue.kick)
	f.watcher, err = watcher.New(watcher.Options{
		Root:        fc.Inbox,
		Recursive:   fc.Recursive,
		Skip:        a.skipDirs(),
		Include:     fc.Include,
		Exclude:     append(append([]string{}, DefaultExclude...), fc.Exclude...),
		Settle:      fc.Settle.D(),
		Rescan:      fc.Rescan.D(),
		Poll:        fc.Watch == "poll",
		ReadyMarker: fc.ReadyMarker,
		Ready:       func(file watcher.File) { a.settled(f, file) },
		Logger:      a.log.With("folder", fc.Name),
		Classify:    func(err error) string { return string(uploader.Classify(err)) },
	})
	if err != nil {
		return nil, fmt.Errorf("folder %q: %w", fc.Name, err)
	}
	return f, nil
}

// skipDirs lists every done and failed folder, never to be watched.
func (a *Agent) skipDirs() []string {
	var dirs []string
	for _, f := range a.cfg.Folders {
		dirs = append(dirs, f.Done, f.Failed)
	}
	return dirs
}

// Run watches and uploads until ctx is canceled. Then intake stops at
// once and uploads in flight get shutdown_grace to finish. After that they
// are canceled, and their files stay in the inbox for the next start.
func (a *Agent) Run(ctx context.Context) error {
	a.logStart()
	defer a.unlock()
	defer a.journal.close()
	a.recoverPending(ctx)
	defer a.closeSweeper()
	stopObservers := a.startObservers(ctx)
	defer stopObservers()
	a.startPacing(ctx)
	var watchers sync.WaitGroup
	for _, f := range a.folders {
		watchers.Add(1)
		go func() {
			defer watchers.Done()
			if err := f.watcher.Run(ctx); err != nil {
				a.log.Error("watcher stopped", "folder", f.cfg.Name, "error", err)
			}
		}()
	}

	work, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	var workers sync.WaitGroup
	for range a.cfg.Agent.MaxUploads {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for {
				j, slot, ok := a.queue.pop()
				if !ok {
					return
				}
				a.process(work, j, slot)
			}
		}()
	}

	<-ctx.Done()
	close(a.stopped)
	a.queue.close()
	start := time.Now()
	if !waitTimeout(&workers, a.cfg.Agent.ShutdownGrace.D()) {
		a.log.Warn("shutdown grace over, canceling uploads in flight", "grace", a.cfg.Agent.ShutdownGrace)
		cancelWork()
		workers.Wait()
	}
	watchers.Wait()
	for _, f := range a.folders {
		f.client.Close()
	}
	a.log.Info("agent stopped", "shutdown_took", time.Since(start).Round(time.Millisecond))
	return nil
}

func waitTimeout(wg *sync.WaitGroup, d time.Duration) bool {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}

func (a *Agent) logStart() {
	c := a.cfg.Agent
	a.log.Info("agent starting", "version", Version, "config", a.cfg.File, "folders", len(a.folders),
		"max_uploads", c.MaxUploads, "bandwidth", c.Bandwidth, "memory_warn_mb", c.MemoryWarnMB,
		"memory_limit_mb", c.MemoryLimitMB, "state_dir", c.StateDir, "log_file", c.LogFile)
	for _, f := range a.folders {
		u := f.cfg.Upload
		a.log.Info("watching folder", "folder", f.cfg.Name, "inbox", f.cfg.Inbox, "done", f.cfg.Done,
			"failed", f.cfg.Failed, "recursive", f.cfg.Recursive, "watch", f.cfg.Watch, "settle", f.cfg.Settle,
			"url", uploader.RedactURL(u.URL), "method", u.Method, "mode", u.Mode, "token", u.Token() != "",
			"bandwidth", f.cfg.Bandwidth)
	}
}
