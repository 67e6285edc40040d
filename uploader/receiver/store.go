package receiver

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"strings"
	"sync"
)

// Temporary files are hidden files at the top of Dir, named
// tempPrefix + random hex + tempSuffix. Names of that form are rejected as
// upload names, so removing them at start never removes a stored file.
const (
	tempPrefix = ".recv-"
	tempSuffix = ".tmp"
)

// maxCollisions bounds the search for a free name: "scan (1).pdf" up to
// "scan (9999).pdf".
const maxCollisions = 9999

// errNameConflict is returned by commit when a folder in the requested name
// exists as a file.
var errNameConflict = errors.New("name conflicts with an existing file")

// store writes files under one directory through an os.Root, so no name
// can reach outside it, also not through a symbolic link.
type store struct {
	dir  string
	root *os.Root
	lock *os.File
	log  *slog.Logger

	// mu serialises picking a free name and linking the file to it, so
	// two uploads of the same name in this process never race for it.
	mu sync.Mutex
}

func openStore(dir string, log *slog.Logger) (*store, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("receiver: create directory %s: %w", dir, err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("receiver: open directory %s: %w", dir, err)
	}
	st := &store{dir: dir, root: root, log: log}
	if err := root.MkdirAll(stateDirName, 0o700); err != nil {
		root.Close()
		return nil, fmt.Errorf("receiver: create state folder in %s: %w", dir, err)
	}
	if st.lock, err = lockDir(root, dir, log); err != nil {
		root.Close()
		return nil, err
	}
	st.removeStaleTemps()
	return st, nil
}

func (s *store) close() error {
	var err error
	if s.lock != nil {
		err = s.lock.Close()
	}
	return errors.Join(err, s.root.Close())
}

// removeStaleTemps deletes temporary files that a receiver left when it
// stopped in the middle of an upload.
func (s *store) removeStaleTemps() {
	entries, err := fs.ReadDir(s.root.FS(), ".")
	if err != nil {
		s.log.Warn("listing directory for stale temporary files failed", "dir", s.dir, "error", err)
		return
	}
	for _, e := range entries {
		if !isTempName(e.Name()) || !e.Type().IsRegular() {
			continue
		}
		if err := removeFile(s.root, e.Name()); err != nil {
			s.log.Warn("removing stale temporary file failed", "file", e.Name(), "error", err)
			continue
		}
		s.log.Info("removed stale temporary file", "file", e.Name())
	}
}

func isTempName(name string) bool {
	return strings.HasPrefix(name, tempPrefix) && strings.HasSuffix(name, tempSuffix)
}

// createTemp creates a new temporary file at the top of Dir.
func (s *store) createTemp() (*os.File, string, error) {
	var b [12]byte
	rand.Read(b[:])
	name := tempPrefix + hex.EncodeToString(b[:]) + tempSuffix
	f, err := s.root.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, "", fmt.Errorf("create temporary file in %s: %w", s.dir, err)
	}
	return f, name, nil
}

func (s *store) removeTemp(name string) {
	if err := removeFile(s.root, name); err != nil && !errors.Is(err, fs.ErrNotExist) {
		s.log.Warn("removing temporary file failed", "file", name, "error", err)
	}
}

// commit moves the synced temporary file tmp to the first free name of
// want, want with " (1)", " (2)" and so on, creating the folders of want
// as needed. It never replaces an existing file, and it syncs the folder so
// the new name survives a power loss. It returns the stored name.
func (s *store) commit(tmp, want string) (string, error) {
	dir := path.Dir(want)
	created, err := s.makeFolders(dir)
	if err != nil {
		return "", err
	}
	stored, linked, err := s.place(tmp, want)
	if err != nil {
		return "", err
	}
	if linked {
		s.removeTemp(tmp)
	}
	return stored, s.syncFolders(dir, created)
}

// makeFolders creates dir and its missing parents, and reports whether it
// created any.
func (s *store) makeFolders(dir string) (bool, error) {
	if dir == "." {
		return false, nil
	}
	if info, err := s.root.Stat(dir); err == nil && info.IsDir() {
		return false, nil
	}
	if err := s.root.MkdirAll(dir, 0o755); err != nil {
		if file := s.fileInPath(dir); file != "" {
			return false, fmt.Errorf("%w: folder %q cannot be created because %q is a file", errNameConflict, dir, file)
		}
		return false, fmt.Errorf("create folder %q in %s: %w", dir, s.dir, err)
	}
	return true, nil
}

// syncFolders syncs dir, which holds a new name, and when folders were
// created, each parent up to Dir, which holds the new folders' names.
func (s *store) syncFolders(dir string, created bool) error {
	for {
		if err := syncDir(s.root, dir); err != nil {
			return fmt.Errorf("sync folder %q in %s: %w", dir, s.dir, err)
		}
		if !created || dir == "." {
			return nil
		}
		dir = path.Dir(dir)
	}
}

// fileInPath returns the first component of dir that exists and is not a
// folder, or "" when there is none.
func (s *store) fileInPath(dir string) string {
	prefix := ""
	for _, part := range strings.Split(dir, "/") {
		prefix = path.Join(prefix, part)
		info, err := s.root.Stat(prefix)
		if err != nil {
			return ""
		}
		if !info.IsDir() {
			return prefix
		}
	}
	return ""
}

// place gives tmp the first free candidate name. It hard-links when the
// file system allows it, because a link fails instead of replacing an
// existing file, also one that another process has just created. Without
// hard links it renames after checking that the name is free, which only
// this process's lock protects. linked reports whether tmp still exists.
func (s *store) place(tmp, want string) (stored string, linked bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := 0; i <= maxCollisions; i++ {
		name := candidateName(want, i)
		err := s.root.Link(tmp, name)
		if err == nil {
			return name, true, nil
		}
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if _, statErr := s.root.Lstat(name); statErr == nil {
			continue
		} else if !errors.Is(statErr, fs.ErrNotExist) {
			return "", false, fmt.Errorf("check name %q in %s: %w", name, s.dir, statErr)
		}
		if err := s.root.Rename(tmp, name); err != nil {
			return "", false, fmt.Errorf("rename temporary file to %q in %s: %w", name, s.dir, err)
		}
		return name, false, nil
	}
	return "", false, fmt.Errorf("%w: %q and %d numbered variants all exist in %s", errNameConflict, want, maxCollisions, s.dir)
}

// candidateName returns want for n == 0, else want with " (n)" before its
// extension, shortening the base name so it stays within maxComponentBytes.
func candidateName(want string, n int) string {
	if n == 0 {
		return want
	}
	dir, base := path.Split(want)
	ext := path.Ext(base)
	if ext == base {
		ext = "" // a dot file such as ".profile" has no extension
	}
	stem := strings.TrimSuffix(base, ext)
	suffix := fmt.Sprintf(" (%d)", n)
	stem = truncateUTF8(stem, maxComponentBytes-len(suffix)-len(ext))
	return dir + stem + suffix + ext
}

// truncateUTF8 cuts s to at most n bytes without splitting a character.
func truncateUTF8(s string, n int) string {
	if n < 0 {
		n = 0
	}
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
