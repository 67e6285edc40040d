package receiver

import (
	"crypto/sha256"
	"crypto/subtle"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Routes. Paths are matched on the escaped path by hand instead of with
// http.ServeMux, which would clean "/upload/a/../b" into a redirect, so
// that every name reaches ValidateName and a bad one gets a 400.
const (
	uploadPath = "/upload"
	healthPath = "/healthz"
)

// requestLog collects what the log line of one request reports.
type requestLog struct {
	name     string // requested name
	stored   string // stored name, when different from name
	size     int64  // bytes stored
	received int64  // bytes of request body read
	key      string // Idempotency-Key
	err      error
}

// ServeHTTP serves the upload, probe and health routes and logs one line
// per request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.inflight.begin()
	defer s.inflight.end()
	start := time.Now()
	sw := &statusWriter{ResponseWriter: w}
	rl := &requestLog{}
	s.route(sw, r, rl)
	s.logRequest(r, sw.status, rl, time.Since(start))
}

func (s *Server) route(w http.ResponseWriter, r *http.Request, rl *requestLog) {
	p := r.URL.EscapedPath()
	switch {
	case p == healthPath:
		s.serveHealth(w, r, rl)
	case p == uploadPath:
		s.serveUploadRoot(w, r, rl)
	case strings.HasPrefix(p, uploadPath+"/"):
		s.serveUploadNamed(w, r, rl, strings.TrimPrefix(p, uploadPath+"/"))
	default:
		fail(w, rl, errorf(http.StatusNotFound, "no route for %s %s; uploads go to %s", r.Method, p, uploadPath))
	}
}

func (s *Server) serveHealth(w http.ResponseWriter, r *http.Request, rl *requestLog) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		methodNotAllowed(w, r, rl, "GET, HEAD")
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, "ok")
}

const uploadRootMethods = "POST, HEAD, OPTIONS"

// serveUploadRoot takes multipart uploads, raw uploads named by
// Content-Disposition, and the probes HEAD and OPTIONS, which tell a
// client whether the endpoint exists and accepts its token.
func (s *Server) serveUploadRoot(w http.ResponseWriter, r *http.Request, rl *requestLog) {
	switch r.Method {
	case http.MethodPost:
		s.upload(w, r, rl, "", false)
	case http.MethodHead, http.MethodOptions:
		if e := s.authorize(w, r); e != nil {
			fail(w, rl, e)
			return
		}
		w.Header().Set("Allow", uploadRootMethods)
		w.WriteHeader(http.StatusNoContent)
	default:
		methodNotAllowed(w, r, rl, uploadRootMethods)
	}
}

// serveUploadNamed takes raw uploads to /upload/NAME, where NAME is the
// escaped relative path. "sub%2Fscan.pdf" and "sub/scan.pdf" are the same
// name.
func (s *Server) serveUploadNamed(w http.ResponseWriter, r *http.Request, rl *requestLog, escaped string) {
	if r.Method != http.MethodPut && r.Method != http.MethodPost {
		methodNotAllowed(w, r, rl, "PUT, POST")
		return
	}
	name, err := url.PathUnescape(escaped)
	if err != nil {
		fail(w, rl, errorf(http.StatusBadRequest, "invalid file name %q in the URL path: %v", escaped, err))
		return
	}
	s.upload(w, r, rl, name, true)
}

// fail sends e to the client and keeps it for the log line.
func fail(w http.ResponseWriter, rl *requestLog, e *httpError) {
	rl.err = e
	writeError(w, e)
}

func methodNotAllowed(w http.ResponseWriter, r *http.Request, rl *requestLog, allow string) {
	w.Header().Set("Allow", allow)
	fail(w, rl, errorf(http.StatusMethodNotAllowed, "method %s is not allowed on %s; use %s", r.Method, r.URL.EscapedPath(), allow))
}

// authorize returns a 401 error unless the request carries the bearer
// token, or no token is configured. The comparison takes the same time
// whatever the tokens, so it leaks neither content nor length.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) *httpError {
	if s.opts.Token == "" {
		return nil
	}
	scheme, cred, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	got := sha256.Sum256([]byte(strings.TrimSpace(cred)))
	want := sha256.Sum256([]byte(s.opts.Token))
	if strings.EqualFold(scheme, "Bearer") && subtle.ConstantTimeCompare(got[:], want[:]) == 1 {
		return nil
	}
	w.Header().Set("WWW-Authenticate", `Bearer realm="hotfolder"`)
	if r.Header.Get("Authorization") == "" {
		return errorf(http.StatusUnauthorized, "missing Authorization header: send \"Authorization: Bearer <token>\"")
	}
	return errorf(http.StatusUnauthorized, "invalid bearer token")
}

func (s *Server) logRequest(r *http.Request, status int, rl *requestLog, d time.Duration) {
	level := slog.LevelInfo
	switch {
	case r.URL.Path == healthPath && status == http.StatusOK:
		level = slog.LevelDebug // monitors poll it often
	case status >= 500:
		level = slog.LevelError
	case status >= 400:
		level = slog.LevelWarn
	}
	attrs := []slog.Attr{
		slog.String("method", r.Method),
		slog.String("path", r.URL.EscapedPath()),
		slog.Int("status", status),
		slog.Int64("size", rl.size),
		slog.Int64("received", rl.received),
		slog.Duration("duration", d),
		slog.String("remote", r.RemoteAddr),
	}
	if rl.name != "" {
		attrs = append(attrs, slog.String("name", rl.name))
	}
	if rl.stored != "" && rl.stored != rl.name {
		attrs = append(attrs, slog.String("stored", rl.stored))
	}
	if rl.key != "" {
		attrs = append(attrs, slog.String("idempotency_key", rl.key))
	}
	if rl.err != nil {
		attrs = append(attrs, slog.String("error", rl.err.Error()))
	}
	s.log.LogAttrs(r.Context(), level, "request", attrs...)
}

// statusWriter records the status for the log line. Unwrap lets
// http.ResponseController reach the connection underneath.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
