// Package memwatch samples the process's own memory and reports when it
// crosses a warning level and a limit.
package memwatch

import (
	"context"
	"log/slog"
	"runtime/metrics"
	"time"
)

// Config sets the levels and the callbacks. Levels are in bytes; 0 turns a
// level off.
type Config struct {
	Warn     uint64
	Limit    uint64
	Interval time.Duration // between samples; default 5s
	// Sample returns the memory in use; default InUse.
	Sample func() uint64
	// Pressure is called when memory rises above Limit, and Relief when it
	// falls back below Warn (below Limit when Warn is 0) after that.
	Pressure, Relief func()
	Logger           *slog.Logger
}

// State is where the last sample stood.
type State int

// States of the watch.
const (
	Normal   State = iota
	Warned         // above Warn, logged once
	Pressing       // above Limit, Pressure called; stays until below Warn
)

// Watch tracks the memory state between samples.
type Watch struct {
	cfg   Config
	state State
}

// New returns a Watch for cfg.
func New(cfg Config) *Watch {
	if cfg.Interval <= 0 {
		cfg.Interval = 5 * time.Second
	}
	if cfg.Sample == nil {
		cfg.Sample = InUse
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Watch{cfg: cfg}
}

// Run samples every Interval until ctx ends.
func (w *Watch) Run(ctx context.Context) {
	t := time.NewTicker(w.cfg.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			w.Check()
		}
	}
}

// Check takes one sample, acts on it and returns the new state. A warning
// is logged once per episode: from crossing Warn until falling back below
// it.
func (w *Watch) Check() State {
	used := w.cfg.Sample()
	c := w.cfg
	mib := func(b uint64) uint64 { return b >> 20 }
	calm := c.Warn // the level to fall below to end an episode
	if calm == 0 {
		calm = c.Limit
	}
	switch {
	case c.Limit > 0 && used > c.Limit && w.state != Pressing:
		c.Logger.Warn("memory above limit, lowering concurrency and pausing intake",
			"memory_mb", mib(used), "memory_limit_mb", mib(c.Limit), "memory_warn_mb", mib(c.Warn))
		w.state = Pressing
		if c.Pressure != nil {
			c.Pressure()
		}
	case c.Warn > 0 && used > c.Warn && w.state == Normal:
		c.Logger.Warn("memory above warning level", "memory_mb", mib(used), "memory_warn_mb", mib(c.Warn))
		w.state = Warned
	case used <= calm && w.state != Normal:
		c.Logger.Info("memory back below warning level", "memory_mb", mib(used), "memory_warn_mb", mib(c.Warn))
		if w.state == Pressing && c.Relief != nil {
			c.Relief()
		}
		w.state = Normal
	}
	return w.state
}

var sampleNames = []string{"/memory/classes/total:bytes", "/memory/classes/heap/released:bytes"}

// InUse returns the memory the Go runtime has mapped and not released to
// the operating system: all runtime memory classes minus released heap. It
// is close to the process's resident set when little else maps memory.
func InUse() uint64 {
	s := []metrics.Sample{{Name: sampleNames[0]}, {Name: sampleNames[1]}}
	metrics.Read(s)
	total, released := s[0].Value.Uint64(), s[1].Value.Uint64()
	return total - min(released, total)
}
