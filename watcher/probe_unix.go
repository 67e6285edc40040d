//go:build unix

package watcher

import (
	"errors"
	"os"
	"syscall"
)

// openProbe opens the file at p for reading and closes it at once. busy is
// true when the open would block on a lease or lock held by another
// process. O_NONBLOCK keeps a FIFO swapped in after the Lstat from
// blocking the open, and O_NOFOLLOW rejects a symbolic link swapped in.
func openProbe(p string) (busy bool, err error) {
	f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOFOLLOW, 0)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return false, f.Close()
}
