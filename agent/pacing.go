package agent

import (
	"context"
	"runtime/debug"

	"github.com/hotfolder/hotfolder/agent/bandwidth"
	"github.com/hotfolder/hotfolder/agent/memwatch"
	"github.com/hotfolder/hotfolder/uploader"
)

// throttleFor returns the bandwidth caps a folder's uploads obey: the
// agent's, shared by every folder, and the folder's own. It returns nil
// when neither caps anything at any time.
func (a *Agent) throttleFor(fc *FolderConfig, own *bandwidth.Limiter) uploader.Throttle {
	var chain bandwidth.Chain
	if a.cfg.Agent.Bandwidth.Limited() {
		chain = append(chain, a.bandwidth)
	}
	if fc.Bandwidth.Limited() {
		chain = append(chain, own)
	}
	if len(chain) == 0 {
		return nil
	}
	return chain
}

// startPacing starts what paces uploads while the agent runs: the
// bandwidth timetables and the memory watch. They stop with ctx.
func (a *Agent) startPacing(ctx context.Context) {
	if a.cfg.Agent.Bandwidth.Limited() {
		go a.bandwidth.Run(ctx, a.log, "agent")
	}
	for _, f := range a.folders {
		if f.cfg.Bandwidth.Limited() {
			go f.bandwidth.Run(ctx, a.log, f.cfg.Name)
		}
	}
	if limitMB := a.cfg.Agent.MemoryLimitMB; limitMB > 0 {
		// A soft limit for the garbage collector, which collects harder as
		// the heap nears it; the watch below acts on what remains.
		debug.SetMemoryLimit(int64(limitMB) << 20)
	}
	go a.memory.Run(ctx)
}

// newMemoryWatch returns the watch that warns above memory_warn_mb and,
// above memory_limit_mb, lowers every folder's concurrency and pauses
// intake until memory falls below the warning level again. A nil sample
// reads the process's own memory.
func (a *Agent) newMemoryWatch(sample func() uint64) *memwatch.Watch {
	c := a.cfg.Agent
	return memwatch.New(memwatch.Config{
		Warn:   uint64(c.MemoryWarnMB) << 20,
		Limit:  uint64(c.MemoryLimitMB) << 20,
		Sample: sample,
		Logger: a.log,
		Pressure: func() {
			for _, f := range a.folders {
				f.limiter.Decrease()
			}
			a.queue.setPaused(true)
		},
		Relief: func() { a.queue.setPaused(false) },
	})
}
