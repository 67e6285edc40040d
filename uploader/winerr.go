package uploader

// Windows error numbers, from winerror.h. They are plain numbers here, not
// syscall.Errno values, so the mapping below is tested on every OS: on Linux
// the same numbers mean other things (32 is EPIPE).
//
// NOTE: Wine 8 does not enforce byte-range locks on ReadFile. A read of a
// range that another handle locked fails with ERROR_LOCK_VIOLATION on
// Windows but succeeds under Wine, so tests inject that error.
const (
	winErrorFileNotFound     = 2     // ERROR_FILE_NOT_FOUND
	winErrorPathNotFound     = 3     // ERROR_PATH_NOT_FOUND
	winErrorTooManyOpenFiles = 4     // ERROR_TOO_MANY_OPEN_FILES
	winErrorAccessDenied     = 5     // ERROR_ACCESS_DENIED
	winErrorSharingViolation = 32    // ERROR_SHARING_VIOLATION
	winErrorLockViolation    = 33    // ERROR_LOCK_VIOLATION
	winErrorHandleDiskFull   = 39    // ERROR_HANDLE_DISK_FULL
	winErrorDiskFull         = 112   // ERROR_DISK_FULL
	winErrorCantAccessFile   = 1920  // ERROR_CANT_ACCESS_FILE
	winErrorCantResolveName  = 1921  // ERROR_CANT_RESOLVE_FILENAME (a link loop)
	winErrorDiskQuota        = 1295  // ERROR_DISK_QUOTA_EXCEEDED
	wsaConnAborted           = 10053 // WSAECONNABORTED
	wsaConnReset             = 10054 // WSAECONNRESET
	wsaTimedOut              = 10060 // WSAETIMEDOUT
	wsaConnRefused           = 10061 // WSAECONNREFUSED
	wsaHostDown              = 10064 // WSAEHOSTDOWN
	wsaHostUnreachable       = 10065 // WSAEHOSTUNREACH
	wsaNetUnreachable        = 10051 // WSAENETUNREACH
	wsaHostNotFound          = 11001 // WSAHOST_NOT_FOUND
)

// classifyWindowsErrno maps a Windows error number to its class, or "" when
// the number has no class of its own.
func classifyWindowsErrno(n uintptr) Class {
	switch n {
	case winErrorFileNotFound, winErrorPathNotFound:
		return ClassFileNotFound
	case winErrorAccessDenied, winErrorCantAccessFile:
		return ClassPermission
	case winErrorSharingViolation, winErrorLockViolation:
		return ClassFileBusy
	case winErrorTooManyOpenFiles:
		return ClassTooManyOpenFiles
	case winErrorDiskFull, winErrorHandleDiskFull, winErrorDiskQuota:
		return ClassDiskFull
	case winErrorCantResolveName:
		return ClassRejectedLink
	case wsaConnRefused:
		return ClassRefused
	case wsaConnReset, wsaConnAborted:
		return ClassReset
	case wsaTimedOut:
		return ClassTimeout
	case wsaHostDown, wsaHostUnreachable, wsaNetUnreachable:
		return ClassNetwork
	case wsaHostNotFound:
		return ClassDNS
	}
	return ""
}
