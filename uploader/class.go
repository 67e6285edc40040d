package uploader

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"io/fs"
	"net"
	"net/http"
	"syscall"
)

// Class names what kind of failure an error is. The set is closed: every
// error the agent reports carries exactly one of these names, in log lines,
// error sidecars and metrics.
type Class string

// The error classes. Recoverable reports which ones are worth another attempt.
const (
	ClassFileNotFound     Class = "file_not_found"      // the file vanished
	ClassPermission       Class = "permission_denied"   // the OS refused access
	ClassFileBusy         Class = "file_busy"           // another process holds the file (sharing violation, EBUSY)
	ClassTooManyOpenFiles Class = "too_many_open_files" // EMFILE, ENFILE
	ClassDiskFull         Class = "disk_full"           // ENOSPC, EDQUOT, ERROR_DISK_FULL
	ClassSourceChanged    Class = "source_changed"      // size or mtime changed during the upload
	ClassRejectedLink     Class = "rejected_link"       // a symbolic link or junction, never followed
	ClassRejectedSpecial  Class = "rejected_special"    // a FIFO, socket or device, never opened
	ClassDNS              Class = "dns"                 // the endpoint's host name did not resolve
	ClassRefused          Class = "connection_refused"  // nothing listens at the endpoint
	ClassReset            Class = "connection_reset"    // the peer closed or reset the connection mid-request
	ClassTimeout          Class = "timeout"             // a deadline passed, or HTTP 408
	ClassTLS              Class = "tls"                 // handshake or certificate verification failed
	ClassStalled          Class = "stalled"             // no bytes accepted for stall_timeout
	ClassThrottled        Class = "throttled"           // HTTP 429, or 503 with Retry-After
	ClassHTTPServer       Class = "http_server"         // HTTP 5xx
	ClassHTTPClient       Class = "http_client"         // HTTP 4xx the server will not accept on retry
	ClassUnauthorized     Class = "unauthorized"        // HTTP 401, 403 or 407: the credentials are wrong or expired
	ClassRedirected       Class = "redirected"          // HTTP 3xx: the endpoint has moved
	ClassTooLarge         Class = "too_large"           // HTTP 413
	ClassCanceled         Class = "canceled"            // the agent is shutting down
	ClassNetwork          Class = "network"             // another transport error
	ClassInternal         Class = "internal"            // anything not covered above
)

// Classes lists every class, in documentation order.
var Classes = []Class{
	ClassFileNotFound, ClassPermission, ClassFileBusy, ClassTooManyOpenFiles,
	ClassDiskFull, ClassSourceChanged, ClassRejectedLink, ClassRejectedSpecial, ClassDNS, ClassRefused,
	ClassReset, ClassTimeout, ClassTLS, ClassStalled, ClassThrottled,
	ClassHTTPServer, ClassHTTPClient, ClassUnauthorized, ClassRedirected, ClassTooLarge, ClassCanceled, ClassNetwork,
	ClassInternal,
}

// Recoverable reports whether a later attempt may succeed without anyone
// changing the file. Problems on the network or at the server are
// recoverable, so an outage or a wrong certificate makes files wait in the
// inbox instead of failing them. Problems with the file itself, and HTTP
// answers that reject it, are not.
func (c Class) Recoverable() bool {
	switch c {
	case ClassFileNotFound, ClassPermission, ClassRejectedLink, ClassRejectedSpecial,
		ClassHTTPClient, ClassTooLarge, ClassCanceled, ClassInternal:
		return false
	}
	return true
}

// Sentinel errors produced by the uploader. Callers test them with errors.Is.
var (
	// ErrSourceChanged is returned when the file's size or modification
	// time changed while it was being sent.
	ErrSourceChanged = errors.New("file changed during upload")
	// ErrStalled is returned when the connection accepted no bytes, and the
	// server sent no answer, for the configured stall timeout.
	ErrStalled = errors.New("upload stalled")
	// ErrRejectedLink is returned for a symbolic link or junction.
	ErrRejectedLink = errors.New("symbolic link or junction")
)

// Classify returns the class of err. It reads typed errors only (errors.Is
// and errors.As against sentinels, syscall errnos and Windows error numbers),
// never message text. A nil error has no class and returns "".
func Classify(err error) Class {
	if err == nil {
		return ""
	}
	var ue *Error
	if errors.As(err, &ue) && ue.Class != "" {
		return ue.Class
	}
	switch {
	case errors.Is(err, ErrSourceChanged):
		return ClassSourceChanged
	case errors.Is(err, ErrStalled):
		return ClassStalled
	case errors.Is(err, ErrRejectedLink):
		return ClassRejectedLink
	case errors.Is(err, context.Canceled):
		return ClassCanceled
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, http.ErrHandlerTimeout):
		return ClassTimeout
	}
	if c := classifyErrno(err); c != "" {
		return c
	}
	if c := classifyNet(err); c != "" {
		return c
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return ClassFileNotFound
	case errors.Is(err, fs.ErrPermission):
		return ClassPermission
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF), errors.Is(err, net.ErrClosed):
		// The transport returns these when the server closes the
		// connection before a complete answer; net.ErrClosed when its
		// read side saw the reset first and closed the socket under a
		// pending write.
		return ClassReset
	}
	return ClassInternal
}

// classifyErrno maps operating system error numbers.
func classifyErrno(err error) Class {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return ""
	}
	if c := classifyPlatformErrno(errno); c != "" {
		return c
	}
	switch {
	case errors.Is(errno, fs.ErrNotExist):
		return ClassFileNotFound
	case errors.Is(errno, fs.ErrPermission):
		return ClassPermission
	}
	return ""
}

func classifyNet(err error) Class {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return ClassDNS
	}
	if isTLSError(err) {
		return ClassTLS
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return ClassTimeout
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && !errors.Is(err, net.ErrClosed) {
		return ClassNetwork
	}
	return ""
}

func isTLSError(err error) bool {
	var (
		verifyErr    *tls.CertificateVerificationError
		recordErr    tls.RecordHeaderError
		alertErr     tls.AlertError
		unknownCA    x509.UnknownAuthorityError
		hostnameErr  x509.HostnameError
		invalidErr   x509.CertificateInvalidError
		echRejectErr *tls.ECHRejectionError
	)
	return errors.As(err, &verifyErr) || errors.As(err, &recordErr) ||
		errors.As(err, &alertErr) || errors.As(err, &unknownCA) ||
		errors.As(err, &hostnameErr) || errors.As(err, &invalidErr) ||
		errors.As(err, &echRejectErr)
}
