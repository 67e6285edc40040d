package agent

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hotfolder/hotfolder/uploader"
	"github.com/hotfolder/hotfolder/watcher"
)

// recoverPending finishes what a crash interrupted, before any watcher
// starts: files the server accepted but that were not moved are filed in
// done without another upload, and half-finished copies into done or
// failed are removed.
func (a *Agent) recoverPending(ctx context.Context) {
	for _, f := range a.folders {
		for _, root := range []string{f.cfg.Done, f.cfg.Failed} {
			a.removeTempCopies(root)
		}
	}
	for _, r := range a.pending {
		a.recoverOne(ctx, r)
	}
	a.pending = nil
}

func (a *Agent) recoverOne(ctx context.Context, r receiptRecord) {
	f := a.folderByName(r.Folder)
	st, err := os.Stat(r.Path)
	switch {
	case f == nil:
		a.log.Warn("receipt for a folder no longer configured, ignored", "folder", r.Folder, "file", r.Rel)
	case errors.Is(err, os.ErrNotExist):
		// Filed before the crash; only the "filed" record was lost.
	case err != nil:
		a.log.Warn("cannot check a file the server accepted before a restart", "folder", r.Folder, "file", r.Rel,
			"class", uploader.Classify(err), "error", err)
		return
	case st.Size() != r.Size || st.ModTime().UnixNano() != r.ModTime:
		a.log.Info("file changed since the server accepted it; it will be sent again", "folder", r.Folder, "file", r.Rel)
	default:
		a.fileRecovered(ctx, f, r)
		return
	}
	a.journal.append(receiptRecord{Op: "filed", Folder: r.Folder, Path: r.Path}, false)
}

// fileRecovered files a file the server accepted before a crash.
func (a *Agent) fileRecovered(ctx context.Context, f *folder, r receiptRecord) {
	j := &job{folder: f, sha256: r.SHA256, file: watcher.File{Path: r.Path, Rel: r.Rel, Size: r.Size,
		ModTime: time.Unix(0, r.ModTime)}}
	if f.cfg.ReadyMarker != "" {
		j.file.Marker = r.Path + f.cfg.ReadyMarker
	}
	rel := doneRel(f.cfg, r.Rel, receiptTime(r))
	if dst := sameFileIn(f.cfg.Done, rel, r); dst != "" {
		// A copy across file systems finished but the source was not yet
		// removed.
		if err := os.Remove(r.Path); err != nil {
			a.log.Error("cannot remove a file already copied to done", "folder", f.cfg.Name, "file", r.Rel, "error", err)
			return
		}
		a.removeMarker(j)
		a.filedInDone(f, dst)
		a.log.Info("file filed after restart without a second upload", "folder", f.cfg.Name, "file", r.Rel, "moved_to", dst)
		a.journal.append(receiptRecord{Op: "filed", Folder: r.Folder, Path: r.Path}, false)
		return
	}
	dst, err := a.fileAway(ctx, j, f.cfg.Done, rel)
	if err != nil {
		a.keepFiling(ctx, j, rel, err)
		return
	}
	a.filedInDone(f, dst)
	a.log.Info("file filed after restart without a second upload", "folder", f.cfg.Name, "file", r.Rel,
		"status", r.Status, "sha256", r.SHA256, "moved_to", dst)
	a.journal.append(receiptRecord{Op: "filed", Folder: r.Folder, Path: r.Path}, false)
}

// sameFileIn returns the path of a file at rel in root, or at one of its
// " (n)" variants, with r's size and content, or "" when there is none.
func sameFileIn(root, rel string, r receiptRecord) string {
	p := filepath.Join(root, filepath.FromSlash(rel))
	ext := filepath.Ext(p)
	base := strings.TrimSuffix(p, ext)
	for n := 0; n < 1000; n++ {
		cand := p
		if n > 0 {
			cand = fmt.Sprintf("%s (%d)%s", base, n, ext)
		}
		st, err := os.Stat(cand)
		if err != nil {
			return ""
		}
		if st.Size() != r.Size {
			continue
		}
		if sum, err := uploader.HashFile(context.Background(), cand, st.Size()); err == nil && sum == r.SHA256 {
			return cand
		}
	}
	return ""
}

// removeTempCopies deletes the temporary files a crash left in a done or
// failed folder: copies across file systems and notes not yet renamed.
func (a *Agent) removeTempCopies(root string) {
	for _, pattern := range []string{tempMovePattern, tempNotePattern} {
		matches, _ := filepath.Glob(filepath.Join(root, pattern))
		for _, m := range matches {
			if err := os.Remove(m); err == nil {
				a.log.Info("removed a partial copy left by a crash", "path", m)
			}
		}
	}
}

func (a *Agent) folderByName(name string) *folder {
	for _, f := range a.folders {
		if f.cfg.Name == name {
			return f
		}
	}
	return nil
}

// receiptTime returns when the server accepted the file of r, or now when
// the record lacks a readable time.
func receiptTime(r receiptRecord) time.Time {
	if t, err := time.Parse(time.RFC3339Nano, r.Time); err == nil {
		return t
	}
	return time.Now()
}
