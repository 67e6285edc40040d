//go:build unix

package main

import (
	"os/exec"
	"syscall"
)

// maxRSSKiB returns the peak resident set of a finished child, in KiB
// (Linux reports ru_maxrss in KiB).
func maxRSSKiB(cmd *exec.Cmd) int64 {
	if cmd.ProcessState == nil {
		return 0
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss
	}
	return 0
}
