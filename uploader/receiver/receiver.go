// Package receiver is a small HTTP upload receiver: the far end for
// hotfolder agents, for the demo and for tests, and a standalone server
// ("hotfolder receive").
//
// It accepts multipart/form-data uploads and raw bodies, stores each file
// atomically under a directory without ever overwriting an existing file,
// and responds with the stored name, size and SHA-256. A request that
// repeats an Idempotency-Key gets the first response instead of storing
// the file again. The keys are kept in a file under Dir, so this also
// holds after a restart.
package receiver

import (
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"
)

// Defaults for the zero values of Options.
const (
	DefaultMaxBodyBytes    int64 = 64 << 30
	DefaultBodyIdleTimeout       = 2 * time.Minute
	DefaultKeyRetention          = 30 * 24 * time.Hour
)

// stateDirName is the folder under Dir that holds the key index and the
// lock. Upload names may not start with it.
const stateDirName = ".hotfolder-receiver"

// Options configures a Server.
type Options struct {
	Dir          string // folder that stores the uploads; created if missing
	MaxBodyBytes int64  // requests larger than this get 413; 0 means DefaultMaxBodyBytes
	// Token, when set, is required on every upload and probe as
	// "Authorization: Bearer <Token>"; other requests get 401.
	Token  string
	Logger *slog.Logger // nil discards the logs

	// BodyIdleTimeout cuts off a request body that delivers no bytes for
	// this long; 0 means DefaultBodyIdleTimeout.
	BodyIdleTimeout time.Duration
	// KeyRetention is how long an Idempotency-Key is remembered; older
	// keys are dropped from the index when a Server starts. 0 means
	// DefaultKeyRetention; a negative value keeps keys forever.
	KeyRetention time.Duration
}

// Server stores uploads under one directory. It is an http.Handler. Only
// one Server at a time may use a directory, so New fails while another
// process or Server holds it, unless the file system has no file locks.
// Call Close to release it.
type Server struct {
	opts  Options
	log   *slog.Logger
	store *store
	keys  *keyIndex

	inflight tracker // requests being served, for Wait
}

// New prepares opts.Dir, takes its lock, loads the key index and removes
// temporary files that a crashed receiver left behind.
func New(opts Options) (*Server, error) {
	if opts.Dir == "" {
		return nil, errors.New("receiver: missing directory: set Options.Dir to the folder that receives uploads")
	}
	if opts.MaxBodyBytes < 0 {
		return nil, fmt.Errorf("receiver: invalid MaxBodyBytes %d: use a positive size, or 0 for the default", opts.MaxBodyBytes)
	}
	opts = withDefaults(opts)
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("receiver: invalid directory %q: %w", opts.Dir, err)
	}
	opts.Dir = dir
	st, err := openStore(dir, opts.Logger)
	if err != nil {
		return nil, err
	}
	keys, err := openKeyIndex(st.root, opts.KeyRetention, opts.Logger)
	if err != nil {
		st.close()
		return nil, err
	}
	return &Server{opts: opts, log: opts.Logger, store: st, keys: keys}, nil
}

func withDefaults(opts Options) Options {
	if opts.MaxBodyBytes == 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.BodyIdleTimeout <= 0 {
		opts.BodyIdleTimeout = DefaultBodyIdleTimeout
	}
	if opts.KeyRetention == 0 {
		opts.KeyRetention = DefaultKeyRetention
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return opts
}

// Dir returns the absolute directory that receives the uploads.
func (s *Server) Dir() string { return s.opts.Dir }

// Wait blocks until no request is being served, or until timeout has
// passed. It returns whether all requests finished.
func (s *Server) Wait(timeout time.Duration) bool {
	return s.inflight.wait(timeout)
}

// Close releases the key index and the directory lock. Call it after the
// HTTP server has stopped; requests still running fail.
func (s *Server) Close() error {
	return errors.Join(s.keys.close(), s.store.close())
}
