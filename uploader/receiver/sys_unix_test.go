//go:build !windows

package receiver

import (
	"fmt"
	"net/http"
	"syscall"
	"testing"
)

func TestDiskFullIsInsufficientStorage(t *testing.T) {
	for _, errno := range []syscall.Errno{syscall.ENOSPC, syscall.EDQUOT} {
		e := internalError("storing the upload failed", fmt.Errorf("write .recv-1.tmp: %w", errno))
		if e.status != http.StatusInsufficientStorage {
			t.Errorf("%v: status %d, want 507", errno, e.status)
		}
	}
	if e := internalError("storing the upload failed", syscall.EIO); e.status != http.StatusInternalServerError {
		t.Errorf("EIO: status %d, want 500", e.status)
	}
}
