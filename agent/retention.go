package agent

import (
	"path/filepath"
	"time"

	"github.com/hotfolder/hotfolder/agent/retention"
)

// retentionInterval is how often done folders with keep_done are swept,
// after a first sweep at start.
const retentionInterval = time.Hour

// retentionIndexName is the file in state_dir that records when each
// file was filed in a done folder with keep_done.
const retentionIndexName = "filed.jsonl"

// newSweeper returns the retention sweeper, or nil when no folder sets
// keep_done.
func (a *Agent) newSweeper() (*retention.Sweeper, error) {
	var rules []retention.Rule
	skip := []string{a.cfg.Agent.StateDir, filepath.Dir(a.cfg.Agent.LogFile)}
	for _, f := range a.cfg.Folders {
		skip = append(skip, f.Inbox, f.Failed)
		if keep := f.KeepDoneFor(); keep > 0 {
			rules = append(rules, retention.Rule{Folder: f.Name, Dir: f.Done, Keep: keep})
		}
	}
	if len(rules) == 0 {
		return nil, nil
	}
	index, err := retention.OpenIndex(filepath.Join(a.cfg.Agent.StateDir, retentionIndexName))
	if err != nil {
		return nil, err
	}
	return &retention.Sweeper{Rules: rules, Skip: skip, Index: index, Now: time.Now, Lock: &a.filer.mu,
		Log: a.log.With("component", "retention"), Removed: a.tracker.Removed}, nil
}

// filedInDone records when a file was filed in f's done folder, for
// keep_done.
//
// NOTE: a crash between the move and this record leaves the file to count
// from its modification time, which may be old enough to delete it at the
// second sweep after the restart.
func (a *Agent) filedInDone(f *folder, dst string) {
	if a.sweeper == nil || f.cfg.KeepDoneFor() == 0 {
		return
	}
	if err := a.sweeper.Index.Record(dst, time.Now()); err != nil {
		a.log.Warn("cannot record the filing time; keep_done counts from the file's modification time",
			"folder", f.cfg.Name, "path", dst, "error", err)
	}
}

func (a *Agent) closeSweeper() {
	if a.sweeper != nil {
		a.sweeper.Index.Close()
	}
}
