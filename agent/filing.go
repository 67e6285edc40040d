package agent

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// filer moves finished files into their done or failed folder. One mutex
// for the whole process makes choosing a free name and renaming into it
// atomic, also for folders that share a done folder.
type filer struct {
	mu sync.Mutex
}

// move puts src at rel inside root, keeping rel's subfolders, and returns
// the final path. A taken name gets a " (n)" suffix; nothing is
// overwritten. Across file systems it copies, syncs, checks the size and
// only then removes src.
func (fl *filer) move(src, root, rel string) (string, error) {
	dst := filepath.Join(root, filepath.FromSlash(rel))
	// The lock covers creating the folder too: retention removes empty
	// folders while holding it.
	fl.mu.Lock()
	defer fl.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", err
	}
	dst, err := freeName(dst)
	if err != nil {
		return "", err
	}
	err = os.Rename(src, dst)
	if err == nil || !isCrossDevice(err) {
		return dst, err
	}
	return dst, copyAcross(src, root, dst)
}

// freeName returns p, or p with " (n)" before its extension when p is
// taken.
func freeName(p string) (string, error) {
	ext := filepath.Ext(p)
	base := strings.TrimSuffix(p, ext)
	for n := 0; n < 100000; n++ {
		cand := p
		if n > 0 {
			cand = fmt.Sprintf("%s (%d)%s", base, n, ext)
		}
		if _, err := os.Lstat(cand); errors.Is(err, os.ErrNotExist) {
			return cand, nil
		} else if err != nil {
			return "", err
		}
	}
	return "", fmt.Errorf("no free name for %s", p)
}

// Temporary names in a done or failed folder's top level. A crash can
// leave them behind; the agent removes them at start.
const (
	tempMovePattern = ".hotfolder-move-*"
	tempNotePattern = ".hotfolder-note-*"
)

// copyAcross copies src to dst through a temporary name in root, the top of
// dst's file tree, with src's permission bits and modification time. It
// syncs the copy, checks the size, renames it into place and only then
// removes src.
func copyAcross(src, root, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(root, tempMovePattern)
	if err != nil {
		return err
	}
	n, err := io.Copy(tmp, in)
	if err == nil {
		// CreateTemp makes the file with mode 0600, so the copy gets the
		// source's permission bits here, as a rename would keep them.
		err = tmp.Chmod(st.Mode().Perm())
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil && n != st.Size() {
		err = fmt.Errorf("copy of %s has %d bytes, expected %d", src, n, st.Size())
	}
	if err == nil {
		err = os.Rename(tmp.Name(), dst)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return err
	}
	_ = os.Chtimes(dst, st.ModTime(), st.ModTime())
	in.Close()
	return removeSource(src, dst)
}

// removeSource removes src once its copy is at dst. When another process
// holds src (on Windows, an open without delete sharing) and src is still
// there, it removes the copy, so a retry copies anew instead of
// leaving a second copy under a " (n)" name.
func removeSource(src, dst string) error {
	err := os.Remove(src)
	if err == nil {
		return nil
	}
	if _, serr := os.Lstat(src); serr == nil {
		os.Remove(dst)
	}
	return err
}

// failureNote is the content of the <name>.error.json file written beside
// each file in the failed folder.
type failureNote struct {
	File         string `json:"file"`
	Folder       string `json:"folder"`
	Time         string `json:"time"`
	Class        string `json:"class"`
	Recoverable  bool   `json:"recoverable"`
	Error        string `json:"error"`
	HTTPStatus   int    `json:"http_status,omitempty"`
	Response     string `json:"response,omitempty"`
	Attempts     int    `json:"attempts"`
	FirstAttempt string `json:"first_attempt,omitempty"`
	LastAttempt  string `json:"last_attempt,omitempty"`
	URL          string `json:"url"`
	AgentVersion string `json:"agent_version"`
}

// writeNote writes note as p.error.json through a temporary file in root.
func writeNote(root, p string, note *failureNote) error {
	data, err := json.MarshalIndent(note, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(root, tempNotePattern)
	if err != nil {
		return err
	}
	// CreateTemp makes the file with mode 0600; a note is for anyone who
	// may read the failed folder.
	err = tmp.Chmod(0o644)
	if err == nil {
		_, err = tmp.Write(append(data, '\n'))
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), p+".error.json")
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}
