//go:build !windows

package uploader

import "syscall"

func classifyPlatformErrno(errno syscall.Errno) Class {
	switch errno {
	case syscall.ENOENT:
		return ClassFileNotFound
	case syscall.EACCES, syscall.EPERM:
		return ClassPermission
	case syscall.EBUSY, syscall.ETXTBSY:
		return ClassFileBusy
	case syscall.EMFILE, syscall.ENFILE:
		return ClassTooManyOpenFiles
	case syscall.ENOSPC, syscall.EDQUOT:
		return ClassDiskFull
	case syscall.ELOOP:
		return ClassRejectedLink
	case syscall.ECONNREFUSED:
		return ClassRefused
	case syscall.ECONNRESET, syscall.ECONNABORTED, syscall.EPIPE:
		return ClassReset
	case syscall.ETIMEDOUT:
		return ClassTimeout
	case syscall.ENETUNREACH, syscall.EHOSTUNREACH, syscall.ENETDOWN, syscall.EHOSTDOWN:
		return ClassNetwork
	}
	return ""
}
