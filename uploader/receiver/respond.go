package receiver

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
)

// httpError is a failed request: the status and message sent to the
// client, and the cause for the log when it differs from the message.
type httpError struct {
	status int
	msg    string
	cause  error
}

func (e *httpError) Error() string {
	if e.cause != nil {
		return e.msg + ": " + e.cause.Error()
	}
	return e.msg
}

func (e *httpError) Unwrap() error { return e.cause }

func errorf(status int, format string, args ...any) *httpError {
	return &httpError{status: status, msg: fmt.Sprintf(format, args...)}
}

// internalError hides the cause, which may contain server paths, from the
// client and keeps it for the log. A full disk is 507, so clients retry.
func internalError(msg string, cause error) *httpError {
	if isDiskFull(cause) {
		return &httpError{status: http.StatusInsufficientStorage, msg: "the receiver's disk is full", cause: cause}
	}
	return &httpError{status: http.StatusInternalServerError, msg: msg, cause: cause}
}

// bodyError classifies a failure to read the request body.
func bodyError(err error) *httpError {
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return &httpError{status: http.StatusRequestEntityTooLarge,
			msg: fmt.Sprintf("request body exceeds the limit of %d bytes", tooLarge.Limit)}
	case errors.Is(err, os.ErrDeadlineExceeded):
		return &httpError{status: http.StatusRequestTimeout, msg: "reading the request body timed out", cause: err}
	}
	return &httpError{status: http.StatusBadRequest, msg: "reading the request body failed", cause: err}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

func writeError(w http.ResponseWriter, e *httpError) {
	msg := e.msg
	if e.status == http.StatusBadRequest && e.cause != nil {
		msg = e.Error() // a client error's cause names the bad input
	}
	writeJSON(w, e.status, map[string]string{"error": msg})
}
