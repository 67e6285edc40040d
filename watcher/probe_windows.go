package watcher

import (
	"errors"
	"os"
	"strings"
	"syscall"
)

const (
	errorSharingViolation syscall.Errno = 32 // ERROR_SHARING_VIOLATION
	errorLockViolation    syscall.Errno = 33 // ERROR_LOCK_VIOLATION
)

// openProbe opens the file at p for reading and closes it at once. The
// open shares read and delete access but not write access, so it fails
// with a sharing violation while another process has the file open for
// writing. busy is true then, and also on a lock violation.
func openProbe(p string) (busy bool, err error) {
	name, err := syscall.UTF16PtrFromString(longPath(p))
	if err != nil {
		return false, err
	}
	h, err := syscall.CreateFile(name, syscall.GENERIC_READ,
		syscall.FILE_SHARE_READ|syscall.FILE_SHARE_DELETE, nil,
		syscall.OPEN_EXISTING, syscall.FILE_ATTRIBUTE_NORMAL, 0)
	if errors.Is(err, errorSharingViolation) || errors.Is(err, errorLockViolation) {
		return true, nil
	}
	if err != nil {
		return false, &os.PathError{Op: "open", Path: p, Err: err}
	}
	return false, syscall.CloseHandle(h)
}

// longPath adds the \\?\ prefix that lets Win32 calls take an absolute
// path longer than MAX_PATH (260 characters).
//
// NOTE: Wine 8 accepts unprefixed long paths, so the tests under Wine pass
// without the prefix too, and only TestLongPath checks it.
func longPath(p string) string {
	const maxShortPath = 248 // CreateDirectory's limit, the lowest of the Win32 calls
	switch {
	case len(p) < maxShortPath, strings.HasPrefix(p, `\\?\`), strings.HasPrefix(p, `\\.\`):
		return p
	case strings.HasPrefix(p, `\\`):
		return `\\?\UNC\` + p[2:]
	default:
		return `\\?\` + p
	}
}
