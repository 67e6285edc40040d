package receiver

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
)

// ErrTokenRequired is returned by Serve when the listen address is
// reachable from other machines and no token is set. Test for it with
// errors.Is.
var ErrTokenRequired = errors.New("a token is required on a non-loopback address")

// Timeouts of the HTTP server that Serve runs.
const (
	readHeaderTimeout      = 30 * time.Second
	idleConnTimeout        = 2 * time.Minute
	DefaultShutdownTimeout = 30 * time.Second
)

// ServeOptions configures Serve.
type ServeOptions struct {
	Listen    string // host:port; port 0 picks a free port
	TokenFile string // file containing the bearer token, surrounding space trimmed; replaces Options.Token
	TLSCert   string // PEM certificate file; set together with TLSKey to serve HTTPS
	TLSKey    string // PEM private key file
	Options   Options

	// Ready, when set, is called once the listener is bound, with its
	// address and the upload URL for clients on this machine.
	Ready func(addr net.Addr, uploadURL string)
	// ShutdownTimeout is how long Serve lets running requests finish
	// after ctx is done; 0 means DefaultShutdownTimeout.
	ShutdownTimeout time.Duration
}

// Serve runs a receiver on opts.Listen until ctx is done, then shuts down
// gracefully: it stops accepting connections and waits up to
// ShutdownTimeout for running uploads. It rejects a non-loopback listen
// address without a token, and serves HTTPS when TLSCert and TLSKey are
// set.
func Serve(ctx context.Context, opts ServeOptions) error {
	log := opts.Options.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
		opts.Options.Logger = log
	}
	tlsConfig, err := prepareServe(&opts)
	if err != nil {
		return err
	}

	ln, err := listen(opts.Listen, opts.Options.Token != "")
	if err != nil {
		return err
	}
	defer ln.Close()
	srv, err := New(opts.Options)
	if err != nil {
		return err
	}
	defer srv.Close()

	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout:       idleConnTimeout,
		TLSConfig:         tlsConfig,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	uploadURL := UploadURL(ln.Addr(), tlsConfig != nil)
	logStart(log, ln.Addr(), uploadURL, srv, opts.Options.Token != "", tlsConfig != nil)
	if opts.Ready != nil {
		opts.Ready(ln.Addr(), uploadURL)
	}
	return run(ctx, hs, ln, srv, opts.ShutdownTimeout, log)
}

// prepareServe reads the token file and the TLS key pair, so that their
// errors come before the listener is opened.
func prepareServe(opts *ServeOptions) (*tls.Config, error) {
	if opts.TokenFile != "" {
		token, err := ReadTokenFile(opts.TokenFile)
		if err != nil {
			return nil, err
		}
		opts.Options.Token = token
	}
	if (opts.TLSCert == "") != (opts.TLSKey == "") {
		return nil, fmt.Errorf("TLS needs both a certificate and a key, got certificate %q and key %q: set both or neither",
			opts.TLSCert, opts.TLSKey)
	}
	if opts.TLSCert == "" {
		return nil, nil
	}
	cert, err := tls.LoadX509KeyPair(opts.TLSCert, opts.TLSKey)
	if err != nil {
		return nil, fmt.Errorf("load TLS certificate %s and key %s: %w", opts.TLSCert, opts.TLSKey, err)
	}
	return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}, nil
}

// ReadTokenFile returns the token in file, without surrounding space. An
// empty file is an error.
func ReadTokenFile(file string) (string, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("read token file: %w", err)
	}
	token := strings.TrimSpace(string(data))
	if token == "" {
		return "", fmt.Errorf("token file %s is empty: write the token into it", file)
	}
	return token, nil
}

// listen binds addr and rejects an address that other machines can reach
// when there is no token. An IP address or an empty host is checked before
// binding. A host name is checked by the address it bound to, so one that
// resolves to a loopback address counts as loopback.
func listen(addr string, hasToken bool) (net.Listener, error) {
	if !hasToken {
		if host, _, err := net.SplitHostPort(addr); err == nil && !hostMayBeLoopback(host) {
			return nil, tokenRequired(addr)
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %q: %w", addr, err)
	}
	if hasToken || isLoopback(ln.Addr()) {
		return ln, nil
	}
	ln.Close()
	return nil, tokenRequired(addr)
}

func tokenRequired(addr string) error {
	return fmt.Errorf("%w: listen address %q accepts connections from other machines: "+
		"pass --token-file FILE, or listen on 127.0.0.1", ErrTokenRequired, addr)
}

// hostMayBeLoopback is false for an empty host and for IP addresses other
// than loopback, and true for host names, which need resolving.
func hostMayBeLoopback(host string) bool {
	if host == "" {
		return false
	}
	ip := net.ParseIP(host)
	return ip == nil || ip.IsLoopback()
}

func isLoopback(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// UploadURL returns the upload URL for a listener bound to addr, as a
// client on the same machine reaches it. An unspecified address such as
// 0.0.0.0 or [::] is written as 127.0.0.1.
func UploadURL(addr net.Addr, https bool) string {
	host, port := "127.0.0.1", "0"
	if tcp, ok := addr.(*net.TCPAddr); ok {
		port = fmt.Sprint(tcp.Port)
		if !tcp.IP.IsUnspecified() {
			host = tcp.IP.String()
		}
	}
	scheme := "http"
	if https {
		scheme = "https"
	}
	return scheme + "://" + net.JoinHostPort(host, port) + uploadPath
}

func logStart(log *slog.Logger, addr net.Addr, uploadURL string, srv *Server, hasToken, https bool) {
	log.Info("receiver started", "listen", addr.String(), "url", uploadURL, "dir", srv.Dir(),
		"max_body_bytes", srv.opts.MaxBodyBytes, "token_required", hasToken, "tls", https)
	if !https && !isLoopback(addr) {
		log.Warn("serving plain HTTP on a non-loopback address: the token and files travel unencrypted; set --tls-cert and --tls-key")
	}
}

// run serves until ctx is done or serving fails, then shuts down.
func run(ctx context.Context, hs *http.Server, ln net.Listener, srv *Server, grace time.Duration, log *slog.Logger) error {
	errc := make(chan error, 1)
	go func() {
		if hs.TLSConfig != nil {
			errc <- hs.ServeTLS(ln, "", "")
			return
		}
		errc <- hs.Serve(ln)
	}()
	select {
	case err := <-errc:
		return fmt.Errorf("serve on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	if grace <= 0 {
		grace = DefaultShutdownTimeout
	}
	log.Info("receiver stopping", "timeout", grace)
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		log.Warn("uploads still running at shutdown were cut off", "error", err)
		hs.Close()
		// Closed connections fail the remaining handlers' reads; give
		// them a moment to remove their temporary files.
		srv.Wait(5 * time.Second)
	}
	<-errc
	log.Info("receiver stopped")
	return nil
}
