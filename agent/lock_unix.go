//go:build !windows

package agent

import (
	"errors"
	"io"
	"os"
	"syscall"
)

func lockFile(f *os.File) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return errLocked
	}
	return err
}

// lockInbox takes an exclusive lock on the inbox's .hotfolder.lock.
// NOTE: on network shares whose server ignores locks, two agents on
// different machines are not kept apart, and an inbox removed and made
// again while the agent runs has no lock file until the next start.
func lockInbox(name, dir string) (io.Closer, error) {
	return lockIn(dir, inboxLockName, inboxInUse(name, dir))
}
