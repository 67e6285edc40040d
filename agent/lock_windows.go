//go:build windows

package agent

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/windows"
)

func lockFile(f *os.File) error {
	var ol windows.Overlapped
	err := windows.LockFileEx(windows.Handle(f.Fd()),
		windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &ol)
	if errors.Is(err, windows.ERROR_LOCK_VIOLATION) {
		return errLocked
	}
	return err
}

// lockInbox takes a machine-wide named mutex for the inbox's path. The
// Global namespace spans the service's session and the desktop's. A user
// who may not create Global names falls back to the session's Local
// namespace, once no Global mutex of that name exists.
// NOTE: unlike the lock file used elsewhere, this does not keep apart two
// agents on different machines that watch one network share.
func lockInbox(name, dir string) (io.Closer, error) {
	sum := sha256.Sum256([]byte(strings.ToLower(filepath.Clean(dir))))
	id := "hotfolder-inbox-" + hex.EncodeToString(sum[:16])
	h, err := createMutex(`Global\` + id)
	if errors.Is(err, windows.ERROR_ACCESS_DENIED) {
		if g, err := openMutex(`Global\` + id); err == nil || errors.Is(err, windows.ERROR_ACCESS_DENIED) {
			windows.CloseHandle(g)
			return nil, inboxInUse(name, dir)
		}
		h, err = createMutex(`Local\` + id)
	}
	if errors.Is(err, windows.ERROR_ALREADY_EXISTS) {
		windows.CloseHandle(h)
		return nil, inboxInUse(name, dir)
	}
	if err != nil {
		return nil, fmt.Errorf("folder %q: lock inbox %s: %w", name, dir, err)
	}
	return mutex(h), nil
}

func createMutex(name string) (windows.Handle, error) {
	p, err := windows.UTF16PtrFromString(name)
	if err != nil {
		return 0, err
	}
	return windows.CreateMutex(nil, false, p)
}

func openMutex(name string) (windows.Handle, error) {
	p, err := windows.UTF16PtrFromString(name)
	if err != nil {
		return 0, err
	}
	return windows.OpenMutex(windows.SYNCHRONIZE, false, p)
}

// mutex is a named mutex handle; closing the last handle frees the name.
type mutex windows.Handle

func (m mutex) Close() error { return windows.CloseHandle(windows.Handle(m)) }
