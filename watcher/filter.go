package watcher

import (
	"os"
	"path"
	"path/filepath"
	"strings"
)

// filter decides which names the watcher reports and which folders it
// descends into. On Windows (foldCase) names and patterns compare without
// regard to case, as the file system does.
type filter struct {
	root      string
	skip      []string
	include   []string
	exclude   []string
	marker    string
	recursive bool
}

func newFilter(o Options) filter {
	return filter{
		root:      o.Root,
		skip:      o.Skip,
		include:   foldAll(o.Include),
		exclude:   foldAll(o.Exclude),
		marker:    fold(o.ReadyMarker),
		recursive: o.Recursive,
	}
}

// file reports whether the file at p may be reported: it lies in a folder
// the watcher lists, matches Include (when set) and does not match Exclude.
func (f filter) file(p string) bool {
	rel, ok := f.rel(p)
	if !ok || rel == "" || f.skipped(p) {
		return false
	}
	if !f.recursive && strings.Contains(rel, "/") {
		return false
	}
	rel = fold(rel)
	if len(f.include) > 0 && !matchAny(f.include, rel) {
		return false
	}
	return !matchAny(f.exclude, rel)
}

// dir reports whether the folder at p is watched and listed: Recursive is
// set, p is not a Skip folder, and no Exclude pattern matches it. Include
// patterns do not apply to folders.
func (f filter) dir(p string) bool {
	if p == f.root {
		return true
	}
	rel, ok := f.rel(p)
	if !ok || !f.recursive || f.skipped(p) {
		return false
	}
	return !matchAny(f.exclude, fold(rel))
}

// markerBase returns the file that p is the ready marker of, or "" when
// p is not a marker or no marker is configured.
func (f filter) markerBase(p string) string {
	if f.marker == "" {
		return ""
	}
	base := filepath.Base(p)
	if len(base) <= len(f.marker) || fold(base[len(base)-len(f.marker):]) != f.marker {
		return ""
	}
	return p[:len(p)-len(f.marker)]
}

func (f filter) skipped(p string) bool {
	for _, s := range f.skip {
		if within(p, s) {
			return true
		}
	}
	return false
}

// rel returns p relative to the inbox, slash-separated; ok is false when
// p is not inside the inbox. The inbox itself is "".
func (f filter) rel(p string) (rel string, ok bool) {
	if p == f.root {
		return "", true
	}
	if !within(p, f.root) {
		return "", false
	}
	rel = strings.TrimPrefix(p[len(f.root):], string(os.PathSeparator))
	return filepath.ToSlash(rel), true
}

// matchAny reports whether a pattern matches the base name of the
// slash-separated path rel, or rel itself.
func matchAny(patterns []string, rel string) bool {
	base := path.Base(rel)
	for _, p := range patterns {
		if ok, _ := path.Match(p, base); ok {
			return true
		}
		if base != rel {
			if ok, _ := path.Match(p, rel); ok {
				return true
			}
		}
	}
	return false
}

// within reports whether p is dir or lies below it; both are cleaned.
func within(p, dir string) bool {
	if len(p) < len(dir) || fold(p[:len(dir)]) != fold(dir) {
		return false
	}
	if len(p) == len(dir) || os.IsPathSeparator(dir[len(dir)-1]) {
		return true
	}
	return os.IsPathSeparator(p[len(dir)])
}

func foldAll(patterns []string) []string {
	out := make([]string, len(patterns))
	for i, p := range patterns {
		out[i] = fold(p)
	}
	return out
}

func fold(s string) string {
	if foldCase {
		return strings.ToLower(s)
	}
	return s
}
