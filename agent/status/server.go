package status

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Handler serves t: /healthz returns 200 while the agent runs and every
// watcher is healthy, else 503 with the reasons; /metrics is the
// Prometheus text format; /status is a Snapshot in JSON.
func Handler(t *Tracker) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { serveHealth(w, t) })
	mux.HandleFunc("GET /status", func(w http.ResponseWriter, r *http.Request) { serveStatus(w, t) })
	mux.Handle("GET /metrics", promhttp.HandlerFor(t.metrics.registry, promhttp.HandlerOpts{}))
	return mux
}

func serveHealth(w http.ResponseWriter, t *Tracker) {
	s := t.Snapshot()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if !s.Healthy {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, strings.Join(s.Problems, "\n"))
		return
	}
	fmt.Fprintln(w, "ok")
}

func serveStatus(w http.ResponseWriter, t *Tracker) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(t.Snapshot())
}

// Serve serves Handler(t) on addr until ctx ends. When addr cannot be
// bound, as when another program holds the port, it logs the error and
// tries again, backing off to once a minute: the status page is never a
// reason to stop uploading.
func Serve(ctx context.Context, addr string, t *Tracker, log *slog.Logger) {
	delay := 5 * time.Second
	for {
		l, err := net.Listen("tcp", addr)
		if err == nil {
			serveOn(ctx, l, t, log)
			return
		}
		log.Error("status page cannot listen, retrying", "listen", addr, "retry_in", delay, "error", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
		delay = min(delay*2, time.Minute)
	}
}

func serveOn(ctx context.Context, l net.Listener, t *Tracker, log *slog.Logger) {
	srv := &http.Server{Handler: Handler(t), ReadHeaderTimeout: 10 * time.Second}
	log.Info("status page listening", "address", l.Addr().String())
	go func() {
		<-ctx.Done()
		stop, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(stop)
	}()
	if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("status page stopped", "error", err)
	}
}

// CheckListen returns an error unless addr is host:port with a loopback
// host (127.0.0.0/8, ::1 or localhost); any host is allowed when
// allowRemote is set. The status page shows file names, so by default no
// other machine may reach it.
func CheckListen(addr string, allowRemote bool) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("invalid address %q: use host:port, such as \"127.0.0.1:7755\"", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("invalid port %q in %q: use a number from 0 to 65535", port, addr)
	}
	if allowRemote || isLoopback(host) {
		return nil
	}
	return fmt.Errorf("address %q is not a loopback address: the status page shows file names, so use 127.0.0.1 or [::1], or set status_allow_remote = true to allow other machines", addr)
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// DialAddress returns the address a client on this machine uses to reach
// a server listening on addr: an empty or unspecified host becomes
// loopback.
func DialAddress(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		if ip != nil && ip.To4() == nil {
			host = "::1"
		} else {
			host = "127.0.0.1"
		}
	}
	return net.JoinHostPort(host, port)
}
