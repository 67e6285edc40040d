package agent

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/hotfolder/hotfolder/uploader"
)

// unfiled tracks files the server accepted that could not be moved into
// done, such as a file in a subfolder the agent may not write to. Their
// receipts stay in the journal, so they are never sent again, not even
// after a restart. The move is retried with backoff until it succeeds or
// the file changes.
type unfiled struct {
	mu    sync.Mutex
	files map[string]*job // by path
}

// holds reports whether path is a file the server accepted, unchanged
// since: size and modification time as in its receipt.
func (u *unfiled) holds(path string, size int64, modTime time.Time) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	j := u.files[path]
	if j == nil {
		return false
	}
	if j.file.Size != size || !j.file.ModTime.Equal(modTime) {
		delete(u.files, path) // a new version, to be sent
		return false
	}
	return true
}

// keepFiling records that j was accepted but not moved, and retries the
// move after a backoff.
func (a *Agent) keepFiling(ctx context.Context, j *job, rel string, cause error) {
	if ctx.Err() != nil {
		a.log.Info("agent stopping before the accepted file was moved; the next start files it without a second upload",
			"folder", j.folder.cfg.Name, "file", j.file.Rel)
		return
	}
	a.unfiled.mu.Lock()
	if a.unfiled.files == nil {
		a.unfiled.files = map[string]*job{}
	}
	a.unfiled.files[j.file.Path] = j
	a.unfiled.mu.Unlock()
	a.log.Error("the server accepted the file but it cannot be moved to done; it will not be sent again, and the move is retried",
		"folder", j.folder.cfg.Name, "file", j.file.Rel, "class", uploader.Classify(cause), "error", cause)
	a.refileAfter(ctx, j, rel, 1)
}

func (a *Agent) refileAfter(ctx context.Context, j *job, rel string, attempt int) {
	u := j.folder.cfg.Upload
	time.AfterFunc(uploader.Backoff(attempt, u.RetryMin.D(), u.RetryMax.D()), func() {
		if ctx.Err() != nil || !a.unfiled.holds(j.file.Path, j.file.Size, j.file.ModTime) {
			return
		}
		f := j.folder
		if st, err := os.Stat(j.file.Path); err != nil || st.Size() != j.file.Size || !st.ModTime().Equal(j.file.ModTime) {
			a.forgetUnfiled(j, err)
			return
		}
		dst, err := a.filer.move(j.file.Path, f.cfg.Done, rel)
		if err != nil {
			a.log.Warn("cannot move an accepted file to done yet, retrying", "folder", f.cfg.Name, "file", j.file.Rel,
				"attempt", attempt+1, "class", uploader.Classify(err), "error", err)
			a.refileAfter(ctx, j, rel, attempt+1)
			return
		}
		a.unfiled.mu.Lock()
		delete(a.unfiled.files, j.file.Path)
		a.unfiled.mu.Unlock()
		a.removeMarker(j)
		a.filedInDone(f, dst)
		a.log.Info("accepted file filed without a second upload", "folder", f.cfg.Name, "file", j.file.Rel,
			"sha256", j.sha256, "outcome", "done", "moved_to", dst)
		a.journal.append(receiptRecord{Op: "filed", Folder: f.cfg.Name, Path: j.file.Path}, false)
		f.watcher.Release(j.file.Path)
	})
}

// forgetUnfiled drops the receipt of an accepted file that vanished or
// changed before it could be moved: a vanished file is forgotten, and a
// changed one is settled and sent again.
func (a *Agent) forgetUnfiled(j *job, statErr error) {
	f := j.folder
	a.unfiled.mu.Lock()
	delete(a.unfiled.files, j.file.Path)
	a.unfiled.mu.Unlock()
	a.journal.append(receiptRecord{Op: "filed", Folder: f.cfg.Name, Path: j.file.Path}, false)
	if statErr != nil {
		a.log.Info("accepted file vanished before it could be moved to done", "folder", f.cfg.Name, "file", j.file.Rel,
			"class", uploader.Classify(statErr), "error", statErr)
		f.watcher.Release(j.file.Path)
		return
	}
	a.log.Info("accepted file changed before it could be moved to done; it will be sent again", "folder", f.cfg.Name, "file", j.file.Rel)
	f.watcher.Resettle(j.file.Path)
}

// unfiledProblem describes the accepted files of folder f that cannot be
// moved into done, or returns nil when there are none.
func (a *Agent) unfiledProblem(f *folder) error {
	a.unfiled.mu.Lock()
	defer a.unfiled.mu.Unlock()
	n, example := 0, ""
	for _, j := range a.unfiled.files {
		if j.folder == f {
			n++
			if example == "" || j.file.Rel < example {
				example = j.file.Rel
			}
		}
	}
	if n == 0 {
		return nil
	}
	return fmt.Errorf("%d accepted file(s) cannot be moved into done %s, such as %s: see the log", n, f.cfg.Done, example)
}
