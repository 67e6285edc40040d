package uploader

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Error is a failed upload attempt: its class, and for an HTTP answer the
// status, the start of the response body and the server's Retry-After.
type Error struct {
	Class      Class
	Status     int           // HTTP status, 0 when no answer arrived
	Body       string        // the first bytes of the response body
	RetryAfter time.Duration // from the Retry-After header, 0 when absent
	Location   string        // from the Location header of a redirect
	Err        error         // the underlying cause, if any
}

// Error returns the class, then the HTTP status, the cause and the body
// where present, each after ": ". A cause that is itself an *Error of the
// same class appears without its class, so the class is named once.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(string(e.Class))
	e.writeDetail(&b)
	return b.String()
}

// writeDetail writes the text of e after its class.
func (e *Error) writeDetail(b *strings.Builder) {
	if e.Status != 0 {
		fmt.Fprintf(b, ": HTTP %d %s", e.Status, http.StatusText(e.Status))
	}
	if e.Location != "" {
		fmt.Fprintf(b, ": redirected to %s; update url to the endpoint's new address", RedactURL(e.Location))
	}
	if e.Class == ClassUnauthorized && e.Status != 0 {
		b.WriteString(": the server rejected the credentials; check token_env, token_file or client_cert")
	}
	if inner, ok := e.Err.(*Error); ok && inner.Class == e.Class {
		inner.writeDetail(b)
	} else if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	if e.Body != "" {
		fmt.Fprintf(b, ": %q", e.Body)
	}
}

func (e *Error) Unwrap() error { return e.Err }

// maxRetryAfter caps a server's Retry-After, so a wrong header cannot park
// files for days.
const maxRetryAfter = time.Hour

// classifyStatus returns the class of a non-2xx HTTP status.
func classifyStatus(status int, retryAfter time.Duration) Class {
	switch {
	case status == http.StatusTooManyRequests:
		return ClassThrottled
	case status == http.StatusServiceUnavailable && retryAfter > 0:
		return ClassThrottled
	case status == http.StatusRequestTimeout:
		return ClassTimeout
	case status == http.StatusRequestEntityTooLarge:
		return ClassTooLarge
	case status == http.StatusUnauthorized || status == http.StatusForbidden || status == http.StatusProxyAuthRequired:
		return ClassUnauthorized
	case status/100 == 3:
		return ClassRedirected
	case status >= 500:
		return ClassHTTPServer
	}
	return ClassHTTPClient
}

// ParseRetryAfter reads a Retry-After header in either form, delay-seconds
// or an HTTP-date, relative to now. It returns 0 for an absent, malformed or
// past value, and caps the result at one hour.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		if secs > int64(maxRetryAfter/time.Second) {
			return maxRetryAfter
		}
		d = time.Duration(secs) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, 0), maxRetryAfter)
}
