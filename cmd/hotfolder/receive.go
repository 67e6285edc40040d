package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"

	"github.com/hotfolder/hotfolder/uploader/receiver"
)

const receiveUsage = `Usage: hotfolder receive --dir DIR [flags]

Runs a small HTTP upload receiver that stores each upload under DIR. It
accepts multipart/form-data POSTs to /upload, raw PUT or POST bodies to
/upload/NAME, and raw POSTs to /upload named by a Content-Disposition
header. GET /healthz answers "ok". A repeated Idempotency-Key stores the
file only once. Listening on an address other than loopback needs
--token-file.

Flags:
`

// receiveFlags holds the parsed flags of "hotfolder receive".
type receiveFlags struct {
	listen, dir, maxBody, tokenFile string
	tlsCert, tlsKey, logFormat      string
}

// runReceive runs the upload receiver until ctx is canceled and returns
// the exit status.
func runReceive(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	f, code, ok := parseReceiveFlags(args, stderr)
	if !ok {
		return code
	}
	maxBody, err := checkReceiveFlags(f)
	if err != nil {
		fmt.Fprintf(stderr, "hotfolder receive: %v\n", err)
		return exitUsage
	}
	log := slog.New(receiveLogHandler(stderr, f.logFormat))
	opts := receiver.ServeOptions{
		Listen:    f.listen,
		TokenFile: f.tokenFile,
		TLSCert:   f.tlsCert,
		TLSKey:    f.tlsKey,
		Options:   receiver.Options{Dir: f.dir, MaxBodyBytes: maxBody, Logger: log},
		Ready: func(_ net.Addr, uploadURL string) {
			fmt.Fprintf(stdout, "hotfolder receive: storing uploads in %s\nupload URL: %s\n", f.dir, uploadURL)
		},
	}
	if err := receiver.Serve(ctx, opts); err != nil {
		fmt.Fprintf(stderr, "hotfolder receive: %v\n", err)
		if errors.Is(err, receiver.ErrTokenRequired) {
			return exitUsage
		}
		return exitError
	}
	return exitOK
}

func parseReceiveFlags(args []string, stderr io.Writer) (*receiveFlags, int, bool) {
	fs := flag.NewFlagSet("receive", flag.ContinueOnError)
	f := &receiveFlags{}
	fs.StringVar(&f.listen, "listen", "127.0.0.1:8080", "listen on `ADDR` (host:port; port 0 picks a free port)")
	fs.StringVar(&f.dir, "dir", "", "store uploads in `DIR` (required; created if missing)")
	fs.StringVar(&f.maxBody, "max-body", "64G",
		"reject request bodies larger than `SIZE` bytes; suffixes K, M, G, T are powers of 1024")
	fs.StringVar(&f.tokenFile, "token-file", "", "require the bearer token stored in `FILE` on every upload")
	fs.StringVar(&f.tlsCert, "tls-cert", "", "serve HTTPS with the PEM certificate in `FILE` (needs --tls-key)")
	fs.StringVar(&f.tlsKey, "tls-key", "", "PEM private key `FILE` for --tls-cert")
	fs.StringVar(&f.logFormat, "log-format", "text", "log `FORMAT` on stderr: text or json")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), receiveUsage)
		fs.PrintDefaults()
	}
	code, ok := parseFlags(fs, args, stderr)
	return f, code, ok
}

// checkReceiveFlags validates the flags that the flag package cannot and
// returns the parsed --max-body.
func checkReceiveFlags(f *receiveFlags) (int64, error) {
	if f.dir == "" {
		return 0, errors.New("missing --dir: name the folder that stores the uploads")
	}
	maxBody, err := receiver.ParseSize(f.maxBody)
	if err != nil {
		return 0, fmt.Errorf("--max-body: %w", err)
	}
	if maxBody <= 0 {
		return 0, fmt.Errorf("invalid --max-body %q: use a size above zero, such as 512M or 10G", f.maxBody)
	}
	if (f.tlsCert == "") != (f.tlsKey == "") {
		return 0, fmt.Errorf("--tls-cert %q and --tls-key %q: set both or neither", f.tlsCert, f.tlsKey)
	}
	if f.logFormat != "text" && f.logFormat != "json" {
		return 0, fmt.Errorf("invalid --log-format %q: use text or json", f.logFormat)
	}
	return maxBody, nil
}

func receiveLogHandler(w io.Writer, format string) slog.Handler {
	if format == "json" {
		return slog.NewJSONHandler(w, nil)
	}
	return slog.NewTextHandler(w, nil)
}
