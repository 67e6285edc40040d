package watcher

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// Options configures one watched inbox. Paths are absolute and cleaned.
type Options struct {
	Root        string        // the inbox
	Recursive   bool          // also watch and list subfolders
	Skip        []string      // absolute folders never watched or listed (the done/failed folders when inside the inbox)
	Include     []string      // glob patterns; empty means all files
	Exclude     []string      // glob patterns, applied after Include
	Settle      time.Duration // size and mtime must stay unchanged this long
	Rescan      time.Duration // full listing interval; 0 disables periodic rescans
	Poll        bool          // true: no fsnotify, rescans only (network shares)
	ReadyMarker string        // optional suffix such as ".ready": x.pdf is ready only once x.pdf.ready exists
	Ready       func(File)    // called once per settled file, from the watcher's goroutine; it must not block
	Logger      *slog.Logger
	// Classify names the error class logged with a file or folder that
	// cannot be read. When nil, permission errors are permission_denied,
	// missing files file_not_found, and any other error internal.
	Classify func(error) string
}

// File is a settled file handed to the agent.
type File struct {
	Path    string    // absolute path in the inbox
	Rel     string    // slash-separated path relative to Root (used as the upload name)
	Size    int64     // bytes, as last observed while settling
	ModTime time.Time // as last observed while settling
	Marker  string    // absolute path of the ready marker, "" when none is configured
}

// validate checks o and returns a copy with cleaned paths, Skip reduced
// to the folders strictly inside Root, and a logger.
func (o Options) validate() (Options, error) {
	if err := errors.Join(o.problems()...); err != nil {
		return o, err
	}
	o.Root = filepath.Clean(o.Root)
	o.Skip = skipsInside(o.Root, o.Skip)
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Classify == nil {
		o.Classify = classifyError
	}
	return o, nil
}

// classifyError is the default Options.Classify. Its names are from the
// agent's closed set of error classes (docs/errors.md), which
// uploader.Classify covers in full.
func classifyError(err error) string {
	switch {
	case errors.Is(err, fs.ErrPermission):
		return "permission_denied"
	case errors.Is(err, fs.ErrNotExist):
		return "file_not_found"
	}
	return "internal"
}

// problems returns every invalid option, so one run shows them all.
func (o Options) problems() []error {
	var errs []error
	if o.Root == "" || !filepath.IsAbs(o.Root) {
		errs = append(errs, fmt.Errorf("inbox %q is not an absolute path; give the full path of the folder to watch", o.Root))
	}
	if o.Ready == nil {
		errs = append(errs, errors.New("no Ready callback; set Options.Ready to receive settled files"))
	}
	if o.Settle <= 0 {
		errs = append(errs, fmt.Errorf("settle time %s is invalid; it must be positive", o.Settle))
	}
	if o.Rescan < 0 {
		errs = append(errs, fmt.Errorf("rescan interval %s is invalid; use 0 to disable rescans or a positive interval", o.Rescan))
	}
	if o.Poll && o.Rescan == 0 {
		errs = append(errs, errors.New("poll mode needs a rescan interval; set Rescan to a positive duration"))
	}
	if strings.ContainsAny(o.ReadyMarker, `/\`) || o.ReadyMarker == "." || o.ReadyMarker == ".." {
		errs = append(errs, fmt.Errorf("ready marker %q is invalid; use a file name suffix such as \".ready\"", o.ReadyMarker))
	}
	errs = append(errs, checkPatterns("include", o.Include)...)
	errs = append(errs, checkPatterns("exclude", o.Exclude)...)
	for _, s := range o.Skip {
		if !filepath.IsAbs(s) {
			errs = append(errs, fmt.Errorf("skip folder %q is not an absolute path", s))
		}
	}
	return errs
}

func checkPatterns(kind string, patterns []string) []error {
	var errs []error
	for _, p := range patterns {
		if _, err := path.Match(p, ""); err != nil {
			errs = append(errs, fmt.Errorf("%s pattern %q is invalid: %w; see path.Match for the syntax", kind, p, err))
		}
	}
	return errs
}

// skipsInside keeps the cleaned skip folders that lie strictly inside
// root: the others can never be reached from the inbox.
func skipsInside(root string, skip []string) []string {
	var in []string
	for _, s := range skip {
		s = filepath.Clean(s)
		if s != root && within(s, root) {
			in = append(in, s)
		}
	}
	return in
}
