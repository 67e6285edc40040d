package agent

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// errLocked is returned by lockStateDir when another process holds the
// lock.
var errLocked = errors.New("locked by another process")

// Locks. The one in state_dir keeps two agents (say the service and a
// copy started by hand) from sharing a journal. The one of each inbox
// keeps two agents with different configs from sending the same files
// twice: a locked dot file in the inbox, which the watcher skips, or on
// Windows a named mutex, so no open handle keeps the inbox from being
// deleted or renamed.
const (
	stateLockName = "agent.lock"
	inboxLockName = ".hotfolder.lock"
)

// lockStateDir takes an exclusive lock on state_dir/agent.lock. The OS
// drops the lock when the process exits, also after a crash.
func lockStateDir(dir string) (*os.File, error) {
	return lockIn(dir, stateLockName, fmt.Errorf("state_dir %s is in use by another hotfolder agent: stop that agent, or give this one its own state_dir", dir))
}

// inboxInUse is the error for an inbox another agent holds.
func inboxInUse(name, dir string) error {
	return fmt.Errorf("folder %q: inbox %s is watched by another hotfolder agent: stop that agent, or take this inbox out of one of the configs", name, dir)
}

// lockIn locks the file name in dir, returning inUse as the error when
// another process holds it.
func lockIn(dir, name string, inUse error) (*os.File, error) {
	p := filepath.Join(dir, name)
	f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if err := lockFile(f); err != nil {
		f.Close()
		if errors.Is(err, errLocked) {
			return nil, inUse
		}
		return nil, fmt.Errorf("lock %s: %w", p, err)
	}
	f.Truncate(0)
	fmt.Fprintf(f, "%d\n", os.Getpid())
	return f, nil
}
