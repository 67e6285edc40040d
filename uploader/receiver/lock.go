package receiver

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path"
)

// errLocked is returned by lockFile when another process holds the lock.
var errLocked = errors.New("locked by another process")

// ErrDirInUse is returned by New when another receiver uses the directory.
// Test for it with errors.Is.
var ErrDirInUse = errors.New("directory is in use by another receiver")

// lockDir takes an exclusive lock on Dir/.hotfolder-receiver/lock, so two
// receivers never share a key index. The OS drops the lock when the
// process exits, also after a crash. A file system without locks, such as
// some network shares, gets a warning instead of an error.
func lockDir(root *os.Root, dir string, log *slog.Logger) (*os.File, error) {
	name := path.Join(stateDirName, "lock")
	f, err := root.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("receiver: open lock file in %s: %w", dir, err)
	}
	err = lockFile(f)
	if errors.Is(err, errLocked) {
		f.Close()
		return nil, fmt.Errorf("receiver: %w: %s: stop the other receiver, or give this one its own --dir", ErrDirInUse, dir)
	}
	if err != nil {
		log.Warn("locking the receive directory failed; make sure no other receiver uses it", "dir", dir, "error", err)
	}
	return f, nil
}
