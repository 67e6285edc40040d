package uploader

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"syscall"
	"testing"
	"time"
)

func TestClassifyTable(t *testing.T) {
	dnsErr := &net.DNSError{Err: "no such host", Name: "upload.invalid", IsNotFound: true}
	timeoutErr := &net.OpError{Op: "dial", Net: "tcp", Err: os.ErrDeadlineExceeded}
	cases := []struct {
		name string
		err  error
		want Class
	}{
		{"missing file", &fs.PathError{Op: "open", Path: "x", Err: fs.ErrNotExist}, ClassFileNotFound},
		{"permission", &fs.PathError{Op: "open", Path: "x", Err: fs.ErrPermission}, ClassPermission},
		{"source changed", fmt.Errorf("send: %w", ErrSourceChanged), ClassSourceChanged},
		{"rejected link", ErrRejectedLink, ClassRejectedLink},
		{"dns", fmt.Errorf("dial: %w", dnsErr), ClassDNS},
		{"timeout", timeoutErr, ClassTimeout},
		{"deadline", context.DeadlineExceeded, ClassTimeout},
		{"tls unknown CA", &tls.CertificateVerificationError{Err: errors.New("x509: unknown authority")}, ClassTLS},
		{"tls record", tls.RecordHeaderError{Msg: "not TLS"}, ClassTLS},
		{"stalled", ErrStalled, ClassStalled},
		{"throttled", &Error{Class: classifyStatus(429, 0), Status: 429}, ClassThrottled},
		{"503 with Retry-After", &Error{Class: classifyStatus(503, time.Second), Status: 503}, ClassThrottled},
		{"503 without Retry-After", &Error{Class: classifyStatus(503, 0), Status: 503}, ClassHTTPServer},
		{"500", &Error{Class: classifyStatus(500, 0), Status: 500}, ClassHTTPServer},
		{"404", &Error{Class: classifyStatus(404, 0), Status: 404}, ClassHTTPClient},
		{"422", &Error{Class: classifyStatus(422, 0), Status: 422}, ClassHTTPClient},
		{"408", &Error{Class: classifyStatus(408, 0), Status: 408}, ClassTimeout},
		{"413", &Error{Class: classifyStatus(413, 0), Status: 413}, ClassTooLarge},
		{"canceled", fmt.Errorf("upload: %w", context.Canceled), ClassCanceled},
		{"unknown", errors.New("something else"), ClassInternal},
	}
	if runtime.GOOS != "windows" {
		cases = append(cases, []struct {
			name string
			err  error
			want Class
		}{
			{"EBUSY", &fs.PathError{Op: "open", Path: "x", Err: syscall.EBUSY}, ClassFileBusy},
			{"EMFILE", &fs.PathError{Op: "open", Path: "x", Err: syscall.EMFILE}, ClassTooManyOpenFiles},
			{"ENOSPC", &fs.PathError{Op: "write", Path: "x", Err: syscall.ENOSPC}, ClassDiskFull},
			{"ELOOP", &fs.PathError{Op: "open", Path: "x", Err: syscall.ELOOP}, ClassRejectedLink},
			{"ECONNREFUSED", &net.OpError{Op: "dial", Err: &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED}}, ClassRefused},
			{"ECONNRESET", &net.OpError{Op: "read", Err: &os.SyscallError{Syscall: "read", Err: syscall.ECONNRESET}}, ClassReset},
			{"EPIPE", &net.OpError{Op: "write", Err: &os.SyscallError{Syscall: "write", Err: syscall.EPIPE}}, ClassReset},
		}...)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Classify(c.err); got != c.want {
				t.Errorf("Classify(%v) = %q, want %q", c.err, got, c.want)
			}
		})
	}
}

func TestClassifyWindowsNumbers(t *testing.T) {
	cases := map[uintptr]Class{
		2: ClassFileNotFound, 3: ClassFileNotFound, 4: ClassTooManyOpenFiles, 5: ClassPermission,
		32: ClassFileBusy, 33: ClassFileBusy, 39: ClassDiskFull, 112: ClassDiskFull, 1295: ClassDiskFull,
		10061: ClassRefused, 10054: ClassReset, 10053: ClassReset, 10060: ClassTimeout, 11001: ClassDNS,
		17: "", // ERROR_NOT_SAME_DEVICE is handled by the filer, not a failure class
	}
	for n, want := range cases {
		if got := classifyWindowsErrno(n); got != want {
			t.Errorf("classifyWindowsErrno(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestClassifyRealFailures(t *testing.T) {
	t.Run("missing file", func(t *testing.T) {
		_, err := os.Open(filepath.Join(tempDir(t), "absent"))
		if got := Classify(err); got != ClassFileNotFound {
			t.Errorf("got %q", got)
		}
	})
	t.Run("connection refused", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		_, err = http.Get("http://" + addr + "/")
		if got := Classify(err); got != ClassRefused {
			t.Errorf("got %q for %v", got, err)
		}
	})
	t.Run("tls unknown authority", func(t *testing.T) {
		srv := httptest.NewTLSServer(http.NotFoundHandler())
		defer srv.Close()
		_, err := http.Get(srv.URL)
		if got := Classify(err); got != ClassTLS {
			t.Errorf("got %q for %v", got, err)
		}
	})
}

// TestEveryClassDocumentedRecoverability checks docs/errors.md against
// the closed set: one table row per class, with its recoverability.
func TestEveryClassDocumentedRecoverability(t *testing.T) {
	data, err := os.ReadFile("../docs/errors.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `([a-z_]+)` \\| (yes|no) \\|")
	documented := map[Class]bool{}
	for _, m := range row.FindAllStringSubmatch(string(data), -1) {
		documented[Class(m[1])] = m[2] == "yes"
	}
	if len(documented) < len(Classes) {
		t.Fatalf("docs/errors.md has %d class rows, want %d", len(documented), len(Classes))
	}
	for _, c := range Classes {
		rec, ok := documented[c]
		switch {
		case !ok:
			t.Errorf("%s: no row in docs/errors.md", c)
		case rec != c.Recoverable():
			t.Errorf("%s: Recoverable() = %v, docs/errors.md says %v", c, c.Recoverable(), rec)
		}
		delete(documented, c)
	}
	for c := range documented {
		t.Errorf("docs/errors.md documents %s, which is not in Classes", c)
	}
}
