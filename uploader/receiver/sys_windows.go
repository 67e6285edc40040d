//go:build windows

package receiver

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// syncDir does nothing on Windows. Sync on a folder opened by os.Open fails
// there because the handle is read-only, and NTFS records renames in its
// metadata journal.
func syncDir(*os.Root, string) error { return nil }

func isDiskFull(err error) bool {
	return errors.Is(err, windows.ERROR_DISK_FULL) || errors.Is(err, windows.ERROR_HANDLE_DISK_FULL)
}

func lockFile(f *os.File) error {
	var ol windows.Overlapped
	err := windows.LockFileEx(windows.Handle(f.Fd()),
		windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &ol)
	if errors.Is(err, windows.ERROR_LOCK_VIOLATION) {
		return errLocked
	}
	return err
}
