//go:build !windows

package receiver

import (
	"errors"
	"os"
	"syscall"
)

// syncDir flushes the folder dir of root, so a rename or link in it
// survives a power loss.
func syncDir(root *os.Root, dir string) error {
	f, err := root.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// removeFile removes the file name in root.
func removeFile(root *os.Root, name string) error { return root.Remove(name) }

func isDiskFull(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}

func lockFile(f *os.File) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return errLocked
	}
	return err
}
