// Package uploader sends one file to an HTTP endpoint per call: streamed
// from disk with an exact Content-Length, an Idempotency-Key, stall
// detection at the socket, and every failure classified (see Class).
// Retrying is the caller's decision, guided by Class.Recoverable, Backoff
// and Error.RetryAfter.
package uploader

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"time"
)

// Config describes one endpoint.
type Config struct {
	URL     string            // may contain {name} in raw mode
	Method  string            // POST or PUT
	Mode    string            // "multipart" or "raw"
	Field   string            // multipart file part name
	Fields  map[string]string // extra multipart form fields
	Headers map[string]string // extra request headers
	Token   string            // bearer token; sent, never logged
	// Timeout limits one whole attempt; 0 means no limit, and a dead
	// transfer is caught by StallTimeout instead.
	Timeout time.Duration
	// StallTimeout aborts an attempt after this long without bytes
	// accepted by the connection or an answer; 0 disables it.
	StallTimeout time.Duration
	TLS          *tls.Config                           // nil means the system roots
	Proxy        func(*http.Request) (*url.URL, error) // nil means from the environment
	UserAgent    string
	// Throttle, when not nil, paces the file bytes of every request body.
	Throttle Throttle
}

// Mode values.
const (
	ModeMultipart = "multipart"
	ModeRaw       = "raw"
)

// Client uploads files to one endpoint over reused connections. It is safe
// for concurrent use.
type Client struct {
	cfg  Config
	http *http.Client
}

// New returns a Client for cfg.
func New(cfg Config) (*Client, error) {
	if _, err := url.Parse(cfg.URL); err != nil {
		return nil, fmt.Errorf("invalid upload URL %q: %w", cfg.URL, err)
	}
	if cfg.Method == "" {
		cfg.Method = http.MethodPost
	}
	if cfg.Mode == "" {
		cfg.Mode = ModeMultipart
	}
	if cfg.Field == "" {
		cfg.Field = "file"
	}
	if cfg.Proxy == nil {
		cfg.Proxy = http.ProxyFromEnvironment
	}
	dialer := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy: cfg.Proxy,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := dialer.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return &countingConn{Conn: c}, nil
		},
		TLSClientConfig:     cfg.TLS,
		TLSHandshakeTimeout: 30 * time.Second,
		MaxIdleConnsPerHost: 32,
		IdleConnTimeout:     90 * time.Second,
		// HTTP/1.1 only: one request per connection keeps the socket
		// byte count exact for each upload.
		TLSNextProto:    map[string]func(string, *tls.Conn) http.RoundTripper{},
		WriteBufferSize: 64 << 10,
	}
	// A redirect is never followed: Go would repeat a POST as a bodiless
	// GET, and a 2xx from the new address would file the file as done
	// although the server never stored it.
	noRedirects := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Client{cfg: cfg, http: &http.Client{Transport: tr, CheckRedirect: noRedirects}}, nil
}

// Close releases idle connections.
func (c *Client) Close() { c.http.CloseIdleConnections() }

// URL returns the endpoint's URL as configured.
func (c *Client) URL() string { return c.cfg.URL }

func (c *Client) newRequest(ctx context.Context, src Source, r *sourceReader) (*http.Request, error) {
	var b *body
	target := c.cfg.URL
	if c.cfg.Mode == ModeRaw {
		b = rawBody(src.Name)
		target = expandName(target, src.Name)
	} else {
		var err error
		if b, err = multipartBody(c.cfg.Field, src.Name, c.cfg.Fields); err != nil {
			return nil, err
		}
	}
	req, err := http.NewRequestWithContext(ctx, c.cfg.Method, target, b.reader(r))
	if err != nil {
		return nil, fmt.Errorf("invalid upload request to %q: %w", target, err)
	}
	req.ContentLength = b.length(src.Size)
	if req.ContentLength == 0 {
		req.Body = http.NoBody
	}
	for k, v := range c.cfg.Headers {
		req.Header.Set(k, v)
	}
	req.Header.Set("Content-Type", b.contentType)
	if c.cfg.Mode == ModeRaw && !strings.Contains(c.cfg.URL, "{name}") {
		req.Header.Set("Content-Disposition", attachmentDisposition(src.Name))
	}
	if src.Key != "" {
		req.Header.Set("Idempotency-Key", src.Key)
	}
	if c.cfg.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.cfg.Token)
	}
	if c.cfg.UserAgent != "" {
		req.Header.Set("User-Agent", c.cfg.UserAgent)
	}
	return req, nil
}

// traceMeter binds m to whichever connection carries the request.
func traceMeter(ctx context.Context, m *Meter) context.Context {
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(info httptrace.GotConnInfo) { attachMeter(info.Conn, m) },
	})
}

// watchStall cancels ctx with ErrStalled once m has shown no progress for
// limit. It returns when ctx is done.
func watchStall(ctx context.Context, cancel context.CancelCauseFunc, m *Meter, limit time.Duration) {
	tick := min(max(limit/8, 100*time.Millisecond), time.Second)
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			if idle := now.Sub(m.LastProgress()); idle >= limit {
				// The numbers are taken now: closing the connection may
				// still move the meter.
				cancel(fmt.Errorf("%w: %d bytes sent, no progress for %s",
					ErrStalled, m.Sent(), idle.Round(100*time.Millisecond)))
				return
			}
		}
	}
}

// transportError wraps an error from the HTTP exchange with its class,
// reading the real cause when the attempt's context was canceled by the
// stall watch or the attempt timeout.
func transportError(ctx context.Context, err error, m *Meter) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		ue.URL = RedactURL(ue.URL) // the message goes into logs and notes
	}
	cause := context.Cause(ctx)
	switch {
	case errors.Is(cause, ErrStalled):
		return &Error{Class: ClassStalled, Err: cause}
	case errors.Is(cause, context.DeadlineExceeded):
		return &Error{Class: ClassTimeout, Err: fmt.Errorf("attempt timed out after %d bytes: %w", m.Sent(), cause)}
	case cause != nil && errors.Is(err, context.Canceled):
		return &Error{Class: Classify(cause), Err: cause}
	}
	return &Error{Class: Classify(err), Err: err}
}

// RedactURL hides the query, which may carry a key, and any user info of
// a URL, for logs, notes and printed settings. The rest stays as written,
// so a {name} placeholder is not escaped.
func RedactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(invalid URL)"
	}
	if u.User != nil {
		if scheme, rest, ok := strings.Cut(s, "://"); ok {
			if _, host, ok := strings.Cut(rest, "@"); ok {
				s = scheme + "://" + host
			}
		}
	}
	if u.RawQuery != "" {
		base, rest, _ := strings.Cut(s, "?")
		fragment := ""
		if _, f, ok := strings.Cut(rest, "#"); ok {
			fragment = "#" + f
		}
		s = base + "?REDACTED" + fragment
	}
	return s
}
