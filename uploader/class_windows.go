//go:build windows

package uploader

import "syscall"

func classifyPlatformErrno(errno syscall.Errno) Class {
	return classifyWindowsErrno(uintptr(errno))
}
